"""The generic create/edit view (``ObjectEditView``) answers a refused form with 400 and the form
again, its errors under the fields: bad input, a refused upload, a bad edit; an htmx partial gets
200, since htmx 2 swaps no 4xx response."""

from __future__ import annotations

import pytest
from django.urls import reverse

from anjian.enterprises.models import Enterprise
from anjian.files import testing as t
from anjian.hazards.models import Hazard
from anjian.hazards.tests.upload_cases import _report

pytestmark = pytest.mark.django_db


def test_bad_input_is_a_400_with_the_form_again(world, client_for):
    before = Enterprise.objects.count()
    response = client_for("district").post(reverse("enterprises:add"), {"name": ""})
    assert response.status_code == 400
    html = response.content.decode()
    assert '<form method="post"' in html and 'data-field-error="name"' in html and "该字段是必填项" in html
    assert response.context["form"].errors and Enterprise.objects.count() == before


def test_a_refused_upload_is_a_400_naming_the_file_and_nothing_is_stored(world):
    before = Hazard.objects.count()
    response = _report(world, t.gif_html_polyglot("cat.gif"))
    assert response.status_code == 400 and response.redirect_chain == []
    assert "cat.gif" in response.content.decode() and "photos" in response.context["form"].errors
    assert Hazard.objects.count() == before


def test_a_bad_edit_is_a_400_and_the_row_is_unchanged(world, client_for):
    url = reverse("enterprises:edit", args=[world.ent_north.pk])
    response = client_for("district").post(url, {"name": "", "version": world.ent_north.version})
    assert response.status_code == 400 and response.context["form"].errors
    world.ent_north.refresh_from_db()
    assert world.ent_north.name


def test_an_htmx_partial_gets_the_form_with_200_so_that_htmx_swaps_it(world, client_for):
    response = client_for("district").post(reverse("enterprises:add"), {"name": ""}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and response.context["form"].errors
    assert "HX-Request" in response["Vary"] and 'data-field-error="name"' in response.content.decode()


def test_a_good_form_still_goes_on_to_the_objects_page(world):
    response = _report(world, t.jpeg("site.jpg"))
    assert response.status_code == 200 and response.redirect_chain[-1][1] == 302
    assert Hazard.objects.count() == 1
