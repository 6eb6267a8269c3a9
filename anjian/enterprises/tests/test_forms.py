"""The enterprise forms as units: validation messages, choices limited to the user's territory."""

from __future__ import annotations

import pytest
from django.utils import translation

from anjian.enterprises.forms import EnterpriseContactForm, EnterpriseForm, form_class_for
from anjian.utilities.testing import NORTH, NORTH_COMMUNITY, SOUTH, valid_credit_code


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def data(world, **changes):
    values = {"credit_code": valid_credit_code(501), "name": "表单企业", "area": NORTH, "sectors": [world.mines_sector.pk],
              "employees": 3, "status": "operating", "standardisation_grade": ""}
    values.update(changes)
    return values


def test_valid_form(world):
    form = EnterpriseForm(data(world), user=world.users["district"])
    assert form.is_valid(), form.errors


def test_credit_code_check_character_is_verified(world):
    code = valid_credit_code(501)
    wrong = code[:17] + ("0" if code[17] != "0" else "1")
    form = EnterpriseForm(data(world, credit_code=wrong), user=world.users["district"])
    assert not form.is_valid()
    assert f"The check character should be {code[17]}" in form.errors["credit_code"][0]


def test_credit_code_length_and_alphabet_are_explained(world):
    form = EnterpriseForm(data(world, credit_code="9141"), user=world.users["district"])
    assert not form.is_valid() and "18 characters" in form.errors["credit_code"][0]
    form = EnterpriseForm(data(world, credit_code="91410199MA000000IO"), user=world.users["district"])
    assert not form.is_valid() and "'I' is not allowed" in form.errors["credit_code"][0]


def test_credit_code_is_upper_cased_and_unique(world):
    form = EnterpriseForm(data(world, credit_code=world.ent_north.credit_code.lower()), user=world.users["district"])
    assert not form.is_valid() and "already exists" in form.errors["credit_code"][0]


def test_required_fields(world):
    form = EnterpriseForm({}, user=world.users["district"])
    assert not form.is_valid()
    assert {"credit_code", "name", "area", "sectors", "employees", "status"} <= set(form.errors)


def test_phone_format(world):
    form = EnterpriseForm(data(world, safety_manager_phone="12345"), user=world.users["district"])
    assert not form.is_valid() and "is not a phone number" in form.errors["safety_manager_phone"][0]
    for phone in ("13800138000", "0371-12345678", " 037112345678 "):
        form = EnterpriseForm(data(world, safety_manager_phone=phone), user=world.users["district"])
        assert form.is_valid(), (phone, form.errors)


def test_employees_not_negative(world):
    form = EnterpriseForm(data(world, employees=-1), user=world.users["district"])
    assert not form.is_valid() and "employees" in form.errors


def test_latitude_and_longitude_together(world):
    form = EnterpriseForm(data(world, latitude="34.7"), user=world.users["district"])
    assert not form.is_valid() and "both the latitude and the longitude" in form.non_field_errors()[0]
    form = EnterpriseForm(data(world, latitude="95", longitude="113"), user=world.users["district"])
    assert not form.is_valid() and "latitude" in form.errors


def test_area_choices_are_the_users_territory(world):
    town = EnterpriseForm(user=world.users["town_north"]).fields["area"].queryset
    assert set(town.values_list("code", flat=True)) == {NORTH, NORTH_COMMUNITY}
    district = EnterpriseForm(user=world.users["district"]).fields["area"].queryset
    assert {NORTH, SOUTH} <= set(district.values_list("code", flat=True))
    assert world.district.code not in set(district.values_list("code", flat=True))  # towns and communities only
    form = EnterpriseForm(data(world, area=SOUTH), user=world.users["town_north"])
    assert not form.is_valid() and "area" in form.errors


def test_sector_is_required(world):
    form = EnterpriseForm(data(world, sectors=[]), user=world.users["district"])
    assert not form.is_valid() and "sectors" in form.errors


def test_enterprise_user_gets_the_contact_form(world):
    assert form_class_for(world.users["ent_north"]) is EnterpriseContactForm
    assert form_class_for(world.users["town_north"]) is EnterpriseForm
    assert form_class_for(world.users["dept_mines"]) is EnterpriseForm
    form = EnterpriseContactForm(instance=world.ent_north)
    assert set(form.fields) == {"safety_manager", "safety_manager_phone", "address", "employees", "version"}


def test_edit_form_requires_and_checks_the_version(world):
    enterprise = world.ent_north
    base = data(world, credit_code=enterprise.credit_code, name=enterprise.name, employees=1)
    form = EnterpriseForm(base, instance=enterprise, user=world.users["district"])
    assert not form.is_valid() and "version" in form.errors
    form = EnterpriseForm({**base, "version": 1}, instance=enterprise, user=world.users["district"])
    assert form.is_valid() and not form.is_stale()
    enterprise.version = 2  # the locked row moved on
    assert form.is_stale()
