from __future__ import annotations

import pytest

from anjian.enterprises.validators import credit_code_error, validate_phone
from anjian.utilities.testing import valid_credit_code


@pytest.mark.parametrize("code", ["91350100M000100Y43", "91410199MA0000001B", valid_credit_code(123456)])
def test_valid_credit_codes_pass(code):
    assert credit_code_error(code) is None


def test_wrong_check_character_says_which_one_is_expected():
    assert "B" in credit_code_error("91410199MA00000019")


def test_forbidden_letters_are_named():
    assert "'I'" in credit_code_error("91410199MA000000I1")


def test_length_is_checked():
    assert "18" in credit_code_error("9141019")


@pytest.mark.parametrize("phone", ["13812345678", "0371-66668888", "037166668888", "66668888"])
def test_phone_numbers_accept_mobile_and_landline(phone):
    validate_phone(phone)


@pytest.mark.parametrize("phone", ["12345", "1381234567a", "2381234567"])
def test_bad_phone_numbers_are_refused(phone):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        validate_phone(phone)
