"""`anjian demo` as a command, and the hook that runs every app's demo loader."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import types
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from anjian.demo import loader
from anjian.demo.loader import DemoContext, app_demo_modules, load, rng_for
from anjian.territory.models import Area, AreaLevel

PROJECT = Path(__file__).resolve().parents[3]


def test_the_command_exits_cleanly_and_prints_every_account(demo, db, monkeypatch):
    monkeypatch.setattr(loader, "app_demo_modules", lambda: [])  # the apps: see the end-to-end test
    out = StringIO()
    call_command("demo", stdout=out)  # migrates (nothing to do), loads (nothing to do), prints
    text = out.getvalue()
    for account in demo.plan.accounts:
        assert account.username in text
    assert "Demo@2017" in text and "district_admin" in text and "410199001000" in text
    assert "示范区(演示)" in text


def _anjian(*args: str, var: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
    env.update(ANJIAN_VAR_DIR=str(var), LANGUAGE="C")
    return subprocess.run([sys.executable, "-m", "anjian.cli", *args], cwd=PROJECT, env=env,
                          capture_output=True, text=True, timeout=300)


def _audit_rows(var: Path) -> tuple[int, int]:
    with sqlite3.connect(var / "anjian.sqlite3") as db:
        return (db.execute("select count(*), max(id) from core_auditentry").fetchone())


def test_anjian_demo_on_a_fresh_sqlite_database_twice(tmp_path):
    first = _anjian("demo", var=tmp_path)
    assert first.returncode == 0, first.stderr
    assert "ent-" in first.stdout and "Demo@2017" in first.stdout
    audit = _audit_rows(tmp_path)
    assert audit[0] > 2000
    second = _anjian("demo", var=tmp_path)
    assert second.returncode == 0, second.stderr
    assert _audit_rows(tmp_path) == audit, second.stderr  # nothing written, not even an audit entry
    assert "town-410199008000" in second.stdout


def test_a_bad_option_fails_with_a_message(tmp_path):
    result = _anjian("demo", "--today", "2017-13-45", "--skip-migrate", var=tmp_path)
    assert result.returncode != 0
    assert "today" in result.stderr


class _Recorder:
    def __init__(self) -> None:
        self.calls: list[tuple[str, DemoContext, float]] = []

    def module(self, label: str, rows: int = 0) -> types.ModuleType:
        module = types.ModuleType(f"anjian.{label}.demo")

        def load_demo(ctx: DemoContext) -> int:
            self.calls.append((label, ctx, ctx.rng.random()))
            # An idempotent write through the context: one extra village per app.
            code = {"hazards": "410199008299", "accidents": "410199008298"}[label]
            ctx.upsert(Area, "code", [{"code": code, "name": f"{label}村", "level": AreaLevel.COMMUNITY,
                                       "parent_id": ctx.towns[-1].pk, "is_demo": True}])
            return rows

        module.load_demo = load_demo  # type: ignore[attr-defined]
        return module


def test_app_loaders_run_in_installed_apps_order_with_the_context(demo, db, monkeypatch):
    recorder = _Recorder()
    fakes = {"anjian.accidents.demo": recorder.module("accidents", rows=5),
             "anjian.hazards.demo": recorder.module("hazards")}

    def fake_modules() -> list[tuple[str, types.ModuleType]]:  # only the fakes: the real loaders have their own tests
        from django.apps import apps

        return [(c.label, fakes[f"{c.name}.demo"]) for c in apps.get_app_configs() if f"{c.name}.demo" in fakes]

    monkeypatch.setattr(loader, "app_demo_modules", fake_modules)

    result = load(write=lambda line: None)

    labels = [label for label, _, _ in recorder.calls]
    assert labels == ["hazards", "accidents"]  # INSTALLED_APPS order
    for label, ctx, first_draw in recorder.calls:
        assert first_draw == rng_for(2017, label).random()  # each app its own reproducible stream
        assert ctx.district.code == "410199000000" and len(ctx.towns) == 8
        assert len(ctx.enterprises) == 2000 and ctx.enterprises == sorted(ctx.enterprises, key=lambda e: e.credit_code)
        assert set(ctx.departments) >= {"ajj", "zjj", "jtj", "jyj", "sjj", "xfdd"}
        assert "district" in ctx.users and "inspector-6" in ctx.users
        assert str(ctx.today) == "2017-12-20"
        enterprise = ctx.enterprises[0]
        assert ctx.town_of(enterprise).level == AreaLevel.TOWN
        assert ctx.sector_codes[enterprise.pk] and ctx.department_codes[enterprise.pk]
    assert result.apps["hazards"] == 1 and result.apps["accidents"] == 6
    # A second run: the apps' rows exist, nothing is written.
    again = load(write=lambda line: None)
    assert again.apps["hazards"] == 0 and again.apps["accidents"] == 5  # what the loader itself reported
    assert Area.objects.filter(code__in=["410199008299", "410199008298"]).count() == 2


def test_apps_without_a_demo_module_are_skipped(db):
    labels = [label for label, _ in app_demo_modules()]
    assert "demo" not in labels and "core" not in labels and "utilities" not in labels


def test_an_import_error_inside_a_demo_module_is_not_hidden(db, monkeypatch):
    # app_demo_modules finds the modules with autodiscover_modules
    from django.utils import module_loading

    real = module_loading.import_module

    def broken(name: str):  # type: ignore[no-untyped-def]
        if name == "anjian.hazards.demo":
            raise ModuleNotFoundError("No module named 'shapely'", name="shapely")
        return real(name)

    monkeypatch.setattr(module_loading, "import_module", broken)
    with pytest.raises(ModuleNotFoundError):
        app_demo_modules()


def test_a_demo_module_without_load_demo_is_an_error(db, monkeypatch):
    monkeypatch.setitem(sys.modules, "anjian.targets.demo", types.ModuleType("anjian.targets.demo"))
    with pytest.raises(AttributeError, match="load_demo"):
        app_demo_modules()
