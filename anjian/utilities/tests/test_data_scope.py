"""Every scoped model, every persona: each sees exactly its scope and nothing else.

The cases come from each app's ``tests/scope_cases.py``; see
``anjian.utilities.testing.scope``.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from anjian.utilities.testing import World
from anjian.utilities.testing.scope import ScopeCase, all_cases

CASES = all_cases()
PERSONAS = list(World.VISIBLE)
SYSTEM = {"sysadmin", "auditor"}


def _rows(world: World, case: ScopeCase) -> dict[str, object]:
    return {"ent_north": case.make(world, world.ent_north), "ent_south": case.make(world, world.ent_south)}


def _expected(world: World, case: ScopeCase, persona: str, rows: dict[str, object]) -> set[int]:
    if persona in SYSTEM:
        return set()
    if case.public:
        return {r.pk for r in rows.values()}
    return {rows[name].pk for name in World.VISIBLE[persona]}


def test_every_scoped_model_has_a_case():
    from django.apps import apps

    from anjian.utilities.models import BaseModel

    covered = {c.model for c in CASES}
    scoped = {m for m in apps.get_models() if issubclass(m, BaseModel) and m._meta.app_label != "accounts"}
    missing = sorted(m._meta.label for m in scoped - covered)
    assert not missing, f"models without a data-scope case in <app>/tests/scope_cases.py: {missing}"


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("case", [c for c in CASES if c.api], ids=lambda c: c.id)
def test_api_collection_shows_exactly_the_scope(world, api_for, case, persona):
    rows = _rows(world, case)
    made = {r.pk for r in rows.values()}
    response = api_for(persona).get(f"/api/v1/{case.api}/", {"page_size": 500})
    if persona in SYSTEM:
        assert response.status_code in (403, 404) or not response.json()["results"]
        return
    assert response.status_code == 200, response.content
    seen = {item["id"] for item in response.json()["results"]}
    assert seen & made == _expected(world, case, persona, rows)


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("case", [c for c in CASES if c.api and not c.public], ids=lambda c: c.id)
def test_api_detail_and_write_outside_scope_are_404(world, api_for, case, persona):
    rows = _rows(world, case)
    expected = _expected(world, case, persona, rows)
    client = api_for(persona)
    for row in rows.values():
        url = f"/api/v1/{case.api}/{row.pk}/"
        response = client.get(url)
        if row.pk in expected:
            assert response.status_code == 200, (url, response.content)
        else:
            assert response.status_code == (403 if persona in SYSTEM else 404), (url, response.status_code)
            if case.writable:
                before = type(row).objects.get(pk=row.pk).version if hasattr(row, "version") else None
                write = client.patch(url, case.writable, format="json")
                assert write.status_code in (403, 404, 405), (url, write.status_code)
                if before is not None:
                    assert type(row).objects.get(pk=row.pk).version == before


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("case", [c for c in CASES if c.page and c.detail_page], ids=lambda c: c.id)
def test_list_and_detail_pages_show_exactly_the_scope(world, client_for, case, persona):
    rows = _rows(world, case)
    expected = _expected(world, case, persona, rows)
    client = client_for(persona)
    page = client.get(reverse(case.page))
    if persona in SYSTEM:
        assert page.status_code in (403, 404) or all(
            reverse(case.detail_page, args=[r.pk]) not in page.content.decode() for r in rows.values()
        )
    else:
        assert page.status_code == 200
        html = page.content.decode()
        for row in rows.values():
            link = reverse(case.detail_page, args=[row.pk])
            assert (f'href="{link}"' in html) == (row.pk in expected), (persona, link)
    for row in rows.values():
        detail = client.get(reverse(case.detail_page, args=[row.pk]))
        assert detail.status_code == (200 if row.pk in expected else 404 if persona not in SYSTEM else detail.status_code)
        if row.pk not in expected:
            assert detail.status_code in (403, 404)


# --- several roles (SPEC §0): lists show the union; a write needs one role granting it whose own
# scope holds the row. ``World.acting_on`` names the rows from the role table and each role's scope.

def _fresh(world: World, persona: str):
    user = world.users[persona]
    return type(user).objects.get(pk=user.pk)


@pytest.mark.parametrize("persona", World.MULTI_ROLE)
@pytest.mark.parametrize("case", [c for c in CASES if c.api and c.writable and not c.public], ids=lambda c: c.id)
def test_api_write_by_a_person_with_several_roles_needs_one_role_holding_the_row(world, case, persona):
    from rest_framework.test import APIClient

    rows = _rows(world, case)
    meta = case.model._meta
    may = world.acting_on(persona, f"{meta.app_label}.change_{meta.model_name}")
    client = APIClient()
    client.force_authenticate(_fresh(world, persona))
    for name, row in rows.items():
        url = f"/api/v1/{case.api}/{row.pk}/"
        before = type(row).objects.get(pk=row.pk).version if hasattr(row, "version") else None
        response = client.patch(url, case.writable, format="json")
        if name in may:
            assert response.status_code in (200, 400, 405, 409), (url, response.status_code, response.content)
        else:
            assert response.status_code in (403, 405), (url, response.status_code, response.content)
            if before is not None:
                assert type(row).objects.get(pk=row.pk).version == before


@pytest.mark.parametrize("persona", [p for p in PERSONAS if p not in SYSTEM])
@pytest.mark.parametrize("case", [c for c in CASES if not c.public], ids=lambda c: c.id)
def test_object_permissions_come_from_one_role_holding_the_object(world, case, persona):
    """Every permission the role table names for the model, on every row: granted exactly when a
    role of the persona grants it and that role's own scope holds the row."""
    from anjian.accounts.permissions import role_patterns

    rows = _rows(world, case)
    meta = case.model._meta
    actions = {"view", "add", "change", "delete"} | {
        p.split(".", 1)[1].rsplit("_", 1)[0] for patterns in role_patterns().values() for p in patterns
        if p.startswith(f"{meta.app_label}.") and p.endswith(f"_{meta.model_name}") and "*" not in p}
    user = _fresh(world, persona)
    for action in sorted(actions):
        perm = f"{meta.app_label}.{action}_{meta.model_name}"
        may = world.acting_on(persona, perm)
        for name, row in rows.items():
            assert user.has_perm(perm, row) == (name in may), (persona, perm, name)
        assert {r.pk for r in case.model.objects.visible_to(user, perm).filter(pk__in=[r.pk for r in rows.values()])} \
            == {rows[n].pk for n in may}, (persona, perm)


@pytest.mark.parametrize("persona", World.MULTI_ROLE)
def test_every_export_holds_the_rows_of_the_roles_that_may_export(world, persona):
    from anjian.core.exchange import kinds

    made = {case.model: _rows(world, case) for case in CASES if not case.public}
    user = _fresh(world, persona)
    checked = 0
    for kind in kinds().values():
        rows = made.get(kind.model)
        if rows is None:
            continue
        may = world.acting_on(persona, kind.export_permission)
        exported = set(kind.export_queryset(user, {}).filter(pk__in=[r.pk for r in rows.values()])
                       .values_list("pk", flat=True))
        assert exported == {rows[n].pk for n in may}, (kind.name if hasattr(kind, "name") else kind, persona)
        checked += 1
    assert checked, "no export kind of a scoped model"
