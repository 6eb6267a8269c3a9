"""The generic page views (anjian.utilities.views) and the filter kit (anjian.utilities.filters),
through the real pages and API collections of the modules built on them: full page or htmx
partial, the pushed address and ``Vary``, 404 outside the scope, 403 without the permission, a
workflow refusal as a message in words, a bad filter value as a form error on the page and a
400 in the API (never a 500)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from anjian.accidents.tests.factories import make_accident
from anjian.hazards.models import HazardStatus
from anjian.hazards.tests.factories import make_hazard

HTMX = {"HTTP_HX_REQUEST": "true"}
LISTS = ["enterprises:list", "hazards:list", "accidents:list", "inspections:list", "inspections:plan_list",
         "inspections:template_list", "accidents:bases"]


@pytest.mark.parametrize("name", LISTS)
def test_a_list_is_a_whole_page_and_for_htmx_its_results_with_the_address_to_push(world, client_for, name):
    client = client_for("district")
    url = reverse(name)
    page = client.get(url, {"page": "1", "q": ""})
    html = page.content.decode()
    assert page.status_code == 200 and "<html" in html
    assert 'data-testid="filter-form"' in html and "table-mobile-cards" in html
    assert "HX-Request" in page["Vary"] and "HX-Push-Url" not in page

    partial = client.get(url, {"page": "1", "q": ""}, **HTMX)
    body = partial.content.decode()
    assert partial.status_code == 200 and "<html" not in body and "table-mobile-cards" in body
    assert 'data-testid="filter-form"' not in body
    assert partial["HX-Push-Url"] == f"{url}?page=1"  # empty parameters dropped
    assert "HX-Request" in partial["Vary"]


def test_a_boosted_link_or_a_history_restore_gets_the_whole_page(world, client_for):
    client = client_for("district")
    url = reverse("hazards:list")
    for headers in ({"HTTP_HX_BOOSTED": "true"}, {"HTTP_HX_HISTORY_RESTORE_REQUEST": "true"}):
        response = client.get(url, **HTMX, **headers)
        assert "<html" in response.content.decode() and "HX-Push-Url" not in response


def test_the_pager_keeps_the_filters_and_loads_the_next_page_in_place(world, client_for):
    for n in range(32):
        make_hazard(world.ent_north, description=f"分页{n}")
    html = client_for("district").get(reverse("hazards:list"), {"level": "general"}).content.decode()
    assert 'href="?level=general&amp;page=2"' in html
    assert 'hx-get="?level=general&amp;page=2" hx-target="#hazard-results"' in html


def test_a_detail_outside_the_scope_is_404_and_without_the_permission_403(world, client_for):
    south_hazard = make_hazard(world.ent_south)
    assert client_for("town_north").get(reverse("hazards:detail", args=[south_hazard.pk])).status_code == 404
    assert client_for("town_north").get(reverse("enterprises:edit", args=[world.ent_south.pk])).status_code == 404
    # The leader reads the enterprise but may not change it: the edit page is 403, on GET and POST.
    leader = client_for("leader")
    assert leader.get(reverse("enterprises:detail", args=[world.ent_north.pk])).status_code == 200
    assert leader.get(reverse("enterprises:edit", args=[world.ent_north.pk])).status_code == 403
    assert leader.post(reverse("enterprises:edit", args=[world.ent_north.pk]), {"name": "x"}).status_code == 403
    # A list without the permission: 403 (the system roles see no business data).
    assert client_for("sysadmin").get(reverse("hazards:list")).status_code == 403


def test_an_action_outside_the_scope_is_404_without_the_permission_403(world, client_for):
    accident = make_accident(enterprise=world.ent_north)
    url = reverse("accidents:investigation", args=[accident.pk, "start"])
    assert client_for("town_north").post(url, {"leader": "x", "started_on": "2017-03-02"}).status_code == 403
    south = make_hazard(world.ent_south, status=HazardStatus.REPORTED)
    url = reverse("hazards:transition", args=[south.pk, "start_rectification"])
    assert client_for("ent_north").post(url, {}).status_code == 404
    assert client_for("district").get(url).status_code == 405  # actions are POST only


def test_a_refusal_of_the_workflow_is_a_message_in_words_on_the_page(world, client_for):
    hazard = make_hazard(world.ent_north, status=HazardStatus.VERIFIED)
    client = client_for("inspector")
    response = client.post(reverse("hazards:transition", args=[hazard.pk, "verify"]), {}, follow=True)
    assert response.redirect_chain[-1] == (reverse("hazards:detail", args=[hazard.pk]), 302)
    errors = [str(m) for m in response.context["messages"] if m.level_tag == "error"]
    assert errors and ("不能" in errors[0] or "Cannot" in errors[0])
    assert 'class="alert alert-danger' in response.content.decode()
    hazard.refresh_from_db()
    assert hazard.status == HazardStatus.VERIFIED


def test_an_invalid_form_of_an_action_says_which_field_and_why(world, client_for):
    hazard = make_hazard(world.ent_north, status=HazardStatus.REPORTED)
    response = client_for("ent_north").post(reverse("hazards:extension", args=[hazard.pk]),
                                            {"new_deadline": "2017-02-30", "reason": "x"}, follow=True)
    errors = [str(m) for m in response.context["messages"] if m.level_tag == "error"]
    assert errors and errors[0].startswith("新的整改期限: ")  # "<field label>: <what is wrong>"
    assert not hazard.extensions.exists()


BAD_FILTERS = [
    ("hazards:list", "hazards", {"year": "99999"}, "year"),
    ("hazards:list", "hazards", {"enterprise": "99999999999999999999"}, "enterprise"),
    ("hazards:list", "hazards", {"month": "13"}, "month"),
    ("accidents:list", "accidents", {"year": "99999"}, "year"),
    ("accidents:list", "accidents", {"enterprise": "99999999999999999999"}, "enterprise"),
    ("accidents:list", "accidents", {"type": "-1"}, "type"),
    ("inspections:list", "inspections", {"enterprise": "99999999999999999999"}, "enterprise"),
    ("inspections:list", "inspections", {"date_from": "2017-13-45"}, "date_from"),
    ("enterprises:list", "enterprises", {"town": "north"}, "town"),
    ("enterprises:list", "enterprises", {"sector": "no-such-sector"}, "sector"),
    ("accidents:bases", "statistics-bases", {"year": "0"}, "year"),
]


@pytest.mark.parametrize(("page", "collection", "params", "field"), BAD_FILTERS,
                         ids=[f"{c}-{f}" for _p, c, _q, f in BAD_FILTERS])
def test_a_bad_filter_value_is_a_form_error_on_the_page_and_a_400_in_the_api(
        world, client_for, api_for, page, collection, params, field):
    response = client_for("district").get(reverse(page), params)
    assert response.status_code == 400  # the page, with the error on its form
    assert 'data-testid="filter-errors"' in response.content.decode()
    partial = client_for("district").get(reverse(page), params, HTTP_HX_REQUEST="true")
    assert partial.status_code == 200 and 'data-testid="filter-errors"' in partial.content.decode()
    api = api_for("district").get(f"/api/v1/{collection}/", params)
    assert api.status_code == 400, api.content
    assert field in api.json() and all(isinstance(m, str) and m for m in api.json()[field])


def test_the_page_and_the_api_read_the_same_filters(world, client_for, api_for):
    make_hazard(world.ent_north, description="北镇的", level="major")
    make_hazard(world.ent_south, description="南镇的")
    params = {"town": world.north.code, "level": "major", "status": "reported"}
    html = client_for("district").get(reverse("hazards:list"), params).content.decode()
    assert "北镇的" in html and "南镇的" not in html
    rows = api_for("district").get("/api/v1/hazards/", params).json()["results"]
    assert [r["description"] for r in rows] == ["北镇的"]
    # A list parameter: several statuses in the API, one chosen in the page's select.
    both = api_for("district").get("/api/v1/hazards/", {"status": ["reported", "verified"]}).json()
    assert both["count"] == 2


def test_the_filter_form_keeps_what_it_does_not_show(world, client_for):
    html = client_for("district").get(reverse("hazards:list"), {"enterprise": world.ent_north.pk}).content.decode()
    assert f'<input type="hidden" name="enterprise" value="{world.ent_north.pk}">' in html
