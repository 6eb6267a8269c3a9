"""The unified social credit code (统一社会信用代码), GB 32100-2015."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # 31 characters: no I, O, S, V, Z
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
PHONE_RE = re.compile(r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8}(-\d{1,6})?|\d{7,8})$")


def check_character(first17: str) -> str:
    total = sum(ALPHABET.index(c) * w for c, w in zip(first17, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def credit_code_error(code: str) -> str | None:
    """Why ``code`` is not a valid credit code, in words; None if it is valid."""
    if len(code) != 18:
        return _("A unified social credit code has 18 characters; this one has {n}.").format(n=len(code))
    bad = [c for c in code if c not in ALPHABET]
    if bad:
        return _("Character {c!r} is not allowed in a credit code (allowed: 0-9 and A-H J-N P-R T-U W-Y).").format(
            c=bad[0]
        )
    expected = check_character(code[:17])
    if code[17] != expected:
        return _("The check character should be {expected}, not {actual}: the code is mistyped.").format(
            expected=expected, actual=code[17]
        )
    return None


def validate_credit_code(value: str) -> None:
    error = credit_code_error(value)
    if error:
        raise ValidationError(error, code="invalid_credit_code")


def validate_phone(value: str) -> None:
    if value and not PHONE_RE.match(value.strip()):
        raise ValidationError(
            _("{value} is not a phone number: use a mobile number (11 digits) or a landline such as 0371-12345678.").format(
                value=value
            ),
            code="invalid_phone",
        )
