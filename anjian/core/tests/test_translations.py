"""The zh_Hans catalogues are complete: every message translated, none fuzzy, all compiled."""

from __future__ import annotations

import ast
import gettext
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CATALOGUES = sorted(ROOT.glob("**/locale/zh_Hans/LC_MESSAGES/django.po"))


def _entries(text: str) -> list[tuple[str, str, bool]]:
    """(msgid, msgstr, fuzzy) of each entry except the header; plural forms folded together."""
    entries = []
    for block in re.split(r"\n\s*\n", text):
        if "msgid" not in block:
            continue
        fuzzy = "#, fuzzy" in block or re.search(r"#,.*\bfuzzy\b", block) is not None
        lines = [ln for ln in block.splitlines() if not ln.startswith("#")]
        msgctxt: list[str] = []
        msgid, msgstr, current = [], [], None
        for ln in lines:
            if ln.startswith("msgctxt "):
                current = msgctxt
                current.append(ln.split(" ", 1)[1])
            elif ln.startswith("msgid_plural "):
                current = None  # the singular msgid is the catalogue key
            elif ln.startswith("msgid "):
                current = msgid
                current.append(ln.split(" ", 1)[1])
            elif ln.startswith("msgstr"):
                current = msgstr if not msgstr else None  # msgstr[0] for plurals
                if current is not None:
                    current.append(ln.split(" ", 1)[1])
            elif ln.startswith('"') and current is not None:
                current.append(ln)
        ident = "".join(ast.literal_eval(s.strip()) for s in msgid)
        if not ident:
            continue  # header
        translated = "".join(ast.literal_eval(s.strip()) for s in msgstr)
        if msgctxt:  # the compiled catalogue keys a message with context as "context\x04msgid"
            ident = "".join(ast.literal_eval(s.strip()) for s in msgctxt) + "\x04" + ident
        entries.append((ident, translated, fuzzy))
    return entries


def test_there_are_catalogues_for_every_app_with_strings():
    apps = {p.parts[-5] for p in CATALOGUES}
    for app in ("core", "accounts", "territory", "enterprises", "inspections", "hazards", "accidents", "targets"):
        assert app in apps, f"anjian/{app} has no zh_Hans catalogue"


@pytest.mark.parametrize("po", CATALOGUES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_message_is_translated(po):
    entries = _entries(po.read_text(encoding="utf-8"))
    missing = [msgid for msgid, msgstr, fuzzy in entries if not msgstr or fuzzy]
    assert not missing, f"{len(missing)} untranslated or fuzzy in {po}: {missing[:10]}"


@pytest.mark.parametrize("po", CATALOGUES, ids=lambda p: str(p.relative_to(ROOT)))
def test_the_compiled_catalogue_is_up_to_date(po):
    mo = po.with_suffix(".mo")
    assert mo.exists(), f"{mo} is missing: run compilemessages"
    with mo.open("rb") as fh:
        catalog = gettext.GNUTranslations(fh)._catalog  # type: ignore[attr-defined]
    stale = []
    for msgid, msgstr, _fuzzy in _entries(po.read_text(encoding="utf-8")):
        compiled = catalog.get(msgid, catalog.get((msgid, 0)))
        if compiled != msgstr:
            stale.append(msgid)
    assert not stale, f"{po.with_suffix('.mo')} is older than its .po ({len(stale)} differ, e.g. {stale[:5]})"
