"""The `anjian` console script (SPEC §8): Django's commands plus ours, errors in words, non-zero exit."""

from __future__ import annotations

import os
import subprocess
import sys
from importlib.metadata import entry_points
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]


def _run(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "anjian.settings"}
    return subprocess.run([sys.executable, "-m", "anjian.cli", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)


def test_the_console_script_is_declared():
    scripts = {ep.name: ep.value for ep in entry_points(group="console_scripts")}
    if "anjian" not in scripts:
        pytest.skip("the package is not installed (pip install -e .)")
    assert scripts["anjian"] == "anjian.cli:main"


def test_it_lists_our_commands():
    result = _run("help")
    assert result.returncode == 0
    for command in ("demo", "serve", "import", "export", "worker", "migrate", "createsuperuser"):
        assert command in result.stdout


def test_an_unknown_command_fails_with_words_on_stderr():
    result = _run("no-such-command")
    assert result.returncode != 0
    assert "no-such-command" in result.stderr


def test_an_unknown_import_kind_fails_with_words_on_stderr(tmp_path):
    workbook = tmp_path / "x.xlsx"
    workbook.write_bytes(b"not a workbook")
    result = _run("import", "no-such-kind", str(workbook))
    assert result.returncode != 0
    assert "no-such-kind" in result.stderr
