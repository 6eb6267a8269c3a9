"""`anjian demo` on the test database: what it writes, who can log in and see what, idempotence."""

from __future__ import annotations

import hashlib

import pytest
from django.apps import apps
from django.db.models import Max, Q
from django.test import Client

from anjian.accounts.models import RoleAssignment, User
from anjian.core.models import AuditAction, AuditEntry
from anjian.demo import geometry, loader
from anjian.demo.generate import sector_lineage
from anjian.demo.loader import load
from anjian.enterprises.models import Enterprise
from anjian.enterprises.validators import credit_code_error
from anjian.territory.models import Area, AreaLevel, Department, Sector

PASSWORD = "Demo@2017"
DISTRICT = "410199000000"


def test_it_loads_the_district_eight_towns_and_forty_communities(demo, db):
    district = Area.objects.get(code=DISTRICT)
    assert district.is_demo and "演示" in district.name and district.level == AreaLevel.COUNTY
    assert district.geometry["type"] == "Polygon"
    towns = list(Area.objects.filter(parent=district).order_by("code"))
    assert [t.code for t in towns] == [f"410199{n:03d}000" for n in range(1, 9)]
    assert all(t.is_demo and t.level == AreaLevel.TOWN and t.geometry["type"] == "Polygon" for t in towns)
    communities = Area.objects.filter(parent__in=towns)
    assert 35 <= communities.count() <= 45
    for c in communities.select_related("parent"):
        assert c.is_demo and c.level == AreaLevel.COMMUNITY and c.code[:9] == c.parent.code[:9]


def test_it_loads_two_thousand_enterprises_across_towns_and_sectors(demo, db):
    enterprises = Enterprise.objects.all()
    assert enterprises.count() == 2000 == enterprises.filter(is_demo=True).count()
    assert enterprises.filter(area__level=AreaLevel.COMMUNITY).count() == 2000
    assert Sector.objects.filter(enterprises__isnull=False).distinct().count() >= 25
    assert enterprises.filter(sectors__code="education").count() == 60
    key = enterprises.filter(key_enterprise=True).count()
    assert 200 <= key <= 300


def test_every_credit_code_is_valid(demo, db):
    codes = list(Enterprise.objects.values_list("credit_code", flat=True))
    assert [c for c in codes if credit_code_error(c)] == []


def test_every_enterprise_lies_inside_its_town(demo, db):
    rings = {t.code[:9]: geometry.exterior(t.geometry) for t in Area.objects.filter(level=AreaLevel.TOWN)}
    outside = [
        code for code, area, lat, lng in Enterprise.objects.values_list("credit_code", "area", "latitude", "longitude")
        if not geometry.contains(rings[area[:9]], float(lng), float(lat))
    ]
    assert outside == []


def test_every_enterprise_is_supervised_by_the_departments_of_its_sectors(demo, db):
    departments = {d.pk: {s.code for s in d.sectors.all()} for d in Department.objects.prefetch_related("sectors")}
    authority = Department.objects.get(is_safety_authority=True)
    for e in Enterprise.objects.prefetch_related("sectors", "departments"):
        lineage = {s for sector in e.sectors.all() for s in sector_lineage(sector.code)}
        expected = {pk for pk, sectors in departments.items() if sectors & lineage} or {authority.pk}
        assert {d.pk for d in e.departments.all()} == expected, e.name


def test_the_member_departments_and_their_sectors(demo, db):
    assert Department.objects.count() == 15
    ajj = Department.objects.get(code="ajj")
    assert ajj.is_safety_authority and ajj.area_id == DISTRICT
    assert Department.objects.filter(is_safety_authority=True).count() == 1
    assert set(Department.objects.get(code="zjj").sectors.values_list("code", flat=True)) == {"construction"}
    assert set(Department.objects.get(code="jyj").sectors.values_list("code", flat=True)) == {"education"}
    assert "special_equipment" in Department.objects.get(code="sjj").sectors.values_list("code", flat=True)
    assert all(d.sectors.exists() for d in Department.objects.all())


def _expected_roles(demo, account) -> list[dict]:  # type: ignore[no-untyped-def]
    ctx = demo.context
    by_code = {e.credit_code: e.pk for e in ctx.enterprises}
    return [
        {"role": r.role, "area_code": r.area_code,
         "department": ctx.departments[r.department_code].pk if r.department_code else None,
         "enterprise": by_code[r.credit_code] if r.credit_code else None}
        for r in account.roles
    ]


def test_every_demo_account_logs_in_and_shows_its_role_and_scope(demo, db):
    assert len(demo.plan.accounts) >= 40
    for account in demo.plan.accounts:
        client = Client()
        assert client.login(username=account.username, password=PASSWORD), account.username
        me = client.get("/api/v1/me/").json()
        assert me["username"] == account.username
        assert me["full_name"] == account.full_name
        assert me["roles"] == _expected_roles(demo, account), account.username


def test_the_api_token_works_for_a_demo_account(demo, db):
    response = Client().post("/api/v1/auth/token/", {"username": "district", "password": PASSWORD})
    assert response.status_code == 200
    token = response.json()["token"]
    me = Client().get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {token}").json()
    assert me["roles"][0]["role"] == "district_admin" and me["roles"][0]["area_code"] == DISTRICT


def test_the_demo_records_its_date_and_the_platform_runs_on_it(demo, db):
    import datetime

    from anjian.core import clock
    from anjian.core.models import PlatformDate

    assert PlatformDate.objects.get().date == demo.context.today == datetime.date(2017, 12, 20)
    assert clock.today() == datetime.date(2017, 12, 20) and clock.source() == "database"
    client = Client()
    client.login(username="district", password=PASSWORD)
    assert client.get("/api/v1/me/").json()["today"] == "2017-12-20"


def _enterprise_count(username: str) -> int:
    client = Client()
    client.force_login(User.objects.get(username=username))
    response = client.get("/api/v1/enterprises/", {"page_size": 1})
    if response.status_code == 403:
        return 0
    return response.json()["count"]


@pytest.mark.parametrize("username", ["district", "leader", "dept-ajj", "inspector-1"])
def test_district_wide_accounts_see_every_enterprise(demo, db, username):
    assert _enterprise_count(username) == 2000


def test_a_town_account_sees_the_enterprises_of_its_town_only(demo, db):
    town = "410199003000"
    expected = Enterprise.objects.filter(area__code__startswith=town[:9]).count()
    assert 0 < expected < 2000
    assert _enterprise_count(f"town-{town}") == expected
    assert _enterprise_count("inspector-4") == Enterprise.objects.filter(area__code__startswith="410199001").count()


@pytest.mark.parametrize("code", ["zjj", "jyj", "sjj", "gxj"])
def test_a_department_account_sees_the_enterprises_of_its_sectors(demo, db, code):
    department = Department.objects.get(code=code)
    direct = set(department.sectors.values_list("pk", flat=True))
    sectors = direct | set(Sector.objects.filter(Q(parent__in=direct) | Q(parent__parent__in=direct))
                           .values_list("pk", flat=True))
    expected = Enterprise.objects.filter(Q(sectors__in=sectors) | Q(departments=department)).distinct().count()
    assert 0 < expected < 2000
    assert _enterprise_count(f"dept-{code}") == expected


def test_an_enterprise_account_sees_its_own_enterprise(demo, db):
    for account in demo.plan.accounts:
        if account.username.startswith("ent-"):
            assert _enterprise_count(account.username) == 1


@pytest.mark.parametrize("username", ["sysadmin", "secadmin", "auditor"])
def test_system_accounts_see_no_enterprise(demo, db, username):
    assert _enterprise_count(username) == 0


def _state() -> dict:
    """Row counts of every table, the last audit id, and a checksum of the enterprise rows."""
    counts = {m._meta.label: m._default_manager.count() for m in apps.get_models()}
    rows = Enterprise.objects.order_by("credit_code").values_list(
        "credit_code", "name", "address", "area", "above_scale", "key_enterprise", "employees",
        "legal_representative", "safety_manager", "safety_manager_phone", "latitude", "longitude", "status",
        "standardisation_grade", "is_demo", "version", "last_updated",
    )
    links = sorted(Enterprise.sectors.through.objects.values_list("enterprise__credit_code", "sector__code"))
    links += sorted(Enterprise.departments.through.objects.values_list("enterprise__credit_code", "department__code"))
    checksum = hashlib.sha256(repr((list(rows), links)).encode()).hexdigest()
    users = sorted(User.objects.values_list("username", "password", "full_name"))
    roles = sorted(RoleAssignment.objects.values_list("user__username", "role", "area", "department", "enterprise"))
    return {"counts": counts, "max_audit_id": AuditEntry.objects.aggregate(m=Max("id"))["m"],
            "enterprises": checksum, "users": users, "roles": roles}


@pytest.fixture
def foundation_only(monkeypatch):  # type: ignore[no-untyped-def]
    """Run load() without the other apps' demo loaders (they have tests of their own)."""
    monkeypatch.setattr(loader, "app_demo_modules", lambda: [])


def test_a_second_run_changes_nothing(demo, db, foundation_only):
    assert demo.total > 0 and demo.audit_entries > 2000
    before = _state()
    result = load(write=lambda line: None)
    assert result.total == 0 and result.audit_entries == 0
    assert _state() == before


def test_a_second_run_of_every_app_loader_changes_nothing(demo, db):
    """The contract of anjian.<app>.demo.load_demo: a second run writes no row and no audit entry."""
    load(write=lambda line: None)  # the apps' first run (the fixture loads the foundation only)
    before = _state()
    result = load(write=lambda line: None)
    offenders = {label: {"rows": result.apps[label], "audit_entries": result.app_audit[label]}
                 for label in result.apps if result.apps[label] or result.app_audit[label]}
    assert offenders == {}, f"demo loaders that are not idempotent: {offenders}"
    assert result.total == 0 and result.audit_entries == 0
    assert _state() == before


def test_the_first_run_audits_every_row_and_records_one_import(demo, db):
    creates = AuditEntry.objects.filter(action=AuditAction.CREATE)
    assert creates.filter(object_type="enterprises.enterprise").count() == 2000
    assert creates.filter(object_type="territory.area").count() == 49
    assert creates.filter(object_type="accounts.user").count() == len(demo.plan.accounts)
    entry = creates.filter(object_type="enterprises.enterprise").first()
    assert entry.changes["credit_code"][0] is None and entry.changes["sectors"]["added"]
    assert entry.source == "command"
    summary = AuditEntry.objects.get(action=AuditAction.IMPORT, object_type="demo.district")
    assert summary.message == "demo district loaded"
    assert summary.changes["rows_written"]["enterprises.enterprise"] == 2000


def test_a_run_restores_changed_demo_rows_and_audits_only_that(demo, db, foundation_only):
    enterprise = Enterprise.objects.order_by("credit_code").first()
    name = enterprise.name
    Enterprise.objects.filter(pk=enterprise.pk).update(name="改过的名字", employees=9999)
    enterprise.sectors.clear()
    User.objects.filter(username="leader").update(full_name="someone else")
    town_user = User.objects.get(username="town-410199001000")
    town_user.set_password("Changed@2024")
    town_user.save()
    RoleAssignment.objects.filter(user__username="dept-zjj").delete()
    last = AuditEntry.objects.aggregate(m=Max("id"))["m"]

    result = load(write=lambda line: None)

    enterprise.refresh_from_db()
    assert enterprise.name == name and enterprise.sectors.exists() and enterprise.version == 2
    assert User.objects.get(username="leader").full_name == demo.context.users["leader"].full_name
    assert Client().login(username="town-410199001000", password=PASSWORD)
    assert RoleAssignment.objects.filter(user__username="dept-zjj", role="department").exists()
    new = AuditEntry.objects.filter(id__gt=last)
    changed = new.get(action=AuditAction.UPDATE, object_type="enterprises.enterprise")
    assert changed.changes["name"] == ["改过的名字", name] and "sectors" in changed.changes
    assert new.filter(action=AuditAction.IMPORT).count() == 1
    # One entry per changed object: the enterprise, two users, the re-created role; then the summary.
    assert result.audit_entries == 4
    assert new.exclude(action__in=[AuditAction.IMPORT, AuditAction.LOGIN]).count() == 4
