"""The plan (what `anjian demo` writes) is deterministic and plausible, before any database."""

from __future__ import annotations

import hashlib
import os
import statistics
import subprocess
import sys
from collections import Counter
from pathlib import Path

from django.contrib.auth.password_validation import validate_password

from anjian.accounts.models import Role
from anjian.demo.generate import build_plan, read, sector_parents
from anjian.enterprises.validators import credit_code_error

PROJECT = Path(__file__).resolve().parents[3]


def _digest(plan) -> str:  # type: ignore[no-untyped-def]
    return hashlib.sha256(repr((plan.areas, plan.departments, plan.enterprises, plan.accounts)).encode()).hexdigest()


def test_the_plan_is_the_same_every_time():
    assert build_plan() == build_plan()


def test_the_plan_does_not_depend_on_hash_randomisation():
    script = ("import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'anjian.settings'); django.setup();"
              "import hashlib; from anjian.demo.generate import build_plan; p = build_plan();"
              "print(hashlib.sha256(repr((p.areas, p.departments, p.enterprises, p.accounts)).encode()).hexdigest())")
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    digests = {
        subprocess.run([sys.executable, "-c", script], cwd=PROJECT, env={**env, "PYTHONHASHSEED": seed},
                       capture_output=True, text=True, check=True).stdout.strip()
        for seed in ("1", "12345")
    }
    assert digests == {_digest(build_plan())}


def test_every_credit_code_is_valid_and_unique():
    plan = build_plan()
    codes = [e.credit_code for e in plan.enterprises]
    assert [c for c in codes if credit_code_error(c)] == []
    assert len(set(codes)) == len(codes)
    assert all(c[2:8] == "410199" for c in codes)


def test_enterprise_names_are_unique_and_plausible():
    plan = build_plan()
    names = [e.name for e in plan.enterprises]
    assert len(set(names)) == len(names)
    assert sum(n.endswith(("有限公司", "有限责任公司")) for n in names) > len(names) / 2


def test_the_mix_of_enterprises_is_realistic():
    enterprises = build_plan().enterprises
    assert len(enterprises) == 2000
    employees = [e.employees for e in enterprises]
    assert statistics.median(employees) < 50  # most are small
    assert sum(n >= 100 for n in employees) > 100  # some have hundreds
    assert 1 <= sum(n >= 1000 for n in employees) <= 20  # few have thousands
    key_share = sum(e.key_enterprise for e in enterprises) / len(enterprises)
    assert 0.10 <= key_share <= 0.15
    status = Counter(e.status for e in enterprises)
    assert status["operating"] / len(enterprises) > 0.85 and status["suspended"] and status["closed"]
    assert Counter(e.sectors[0] for e in enterprises)["education"] == 60
    assert sum(len(e.sectors) == 2 for e in enterprises) > 50
    grades = Counter(e.standardisation_grade for e in enterprises)
    assert grades["grade1"] and grades["grade2"] and grades["grade3"] and grades["small"] and grades[""]
    above = [e for e in enterprises if e.above_scale]
    assert 0.6 <= sum(bool(e.standardisation_grade) for e in above) / len(above) <= 0.85


def test_every_town_and_most_sectors_have_enterprises():
    plan = build_plan()
    towns = Counter(e.area_code[:9] for e in plan.enterprises)
    assert sorted(towns) == sorted(t.code[:9] for t in plan.towns)
    assert min(towns.values()) > 150
    leaves = {code for code in sector_parents() if code not in set(sector_parents().values())}
    used = {s for e in plan.enterprises for s in e.sectors}
    assert leaves - used <= {"coal_mine", "road_traffic"}  # an urban district: no coal mine; traffic is roads


def test_the_accounts_follow_the_naming_contract():
    plan = build_plan()
    names = [a.username for a in plan.accounts]
    for fixed in ("district", "leader", "sysadmin", "secadmin", "auditor"):
        assert fixed in names
    assert {f"dept-{d.code}" for d in plan.departments} <= set(names)
    assert {f"town-{t.code}" for t in plan.towns} <= set(names)
    assert {f"inspector-{n}" for n in range(1, 7)} <= set(names)
    enterprise_accounts = [a for a in plan.accounts if a.username.startswith("ent-")]
    assert len(enterprise_accounts) >= 5
    by_code = {e.credit_code: e for e in plan.enterprises}
    picked = [by_code[a.username[4:]] for a in enterprise_accounts]
    assert len({e.area_code[:9] for e in picked}) >= 5 and len({e.sectors[0] for e in picked}) >= 5
    assert all(a.full_name for a in plan.accounts)
    assert {r.role for a in plan.accounts for r in a.roles} == set(Role.values)
    validate_password(plan.password)
    assert plan.password == read("accounts.json")["password"] == "Demo@2017"
