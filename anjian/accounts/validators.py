"""The password policy's own validators (AUTH_PASSWORD_VALIDATORS in settings)."""

import re

from django.contrib.auth.password_validation import (
    MinimumLengthValidator as DjangoMinimumLengthValidator,
)
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext


class MinimumLengthValidator(DjangoMinimumLengthValidator):
    """Django's, with its message in our catalogue: Django 5.2 changed the message's text and its
    zh_Hans catalogue does not have the new one, so the Chinese UI said "This password is too short"."""

    def get_error_message(self) -> str:
        return ngettext(
            "This password is too short: it must have at least %(n)d character.",
            "This password is too short: it must have at least %(n)d characters.",
            self.min_length,
        ) % {"n": self.min_length}

    def get_help_text(self) -> str:
        return ngettext(
            "Your password must have at least %(n)d character.",
            "Your password must have at least %(n)d characters.",
            self.min_length,
        ) % {"n": self.min_length}


class UsernameInPasswordValidator:
    """A password may not contain the account's username, in any case (``District@2017x``).

    Django's ``UserAttributeSimilarityValidator`` measures similarity, and a long password around the
    username (``MyDistrict#2017!``) passes it; containment is what guessers try first."""

    def __init__(self, min_length: int = 3) -> None:
        self.min_length = min_length

    def validate(self, password: str, user: object = None) -> None:
        username = str(getattr(user, "username", "") or "").strip().casefold()
        if len(username) >= self.min_length and username in password.casefold():
            raise ValidationError(_("Your password may not contain your username."), code="password_has_username")

    def get_help_text(self) -> str:
        return _("Your password may not contain your username.")


class CharacterClassValidator:
    """A password must mix at least ``min_classes`` of: lower case, upper case, digits, symbols."""

    CLASSES = (r"[a-z]", r"[A-Z]", r"[0-9]", r"[^a-zA-Z0-9]")

    def __init__(self, min_classes: int = 3) -> None:
        self.min_classes = min_classes

    def validate(self, password: str, user: object = None) -> None:
        found = sum(1 for pattern in self.CLASSES if re.search(pattern, password))
        if found < self.min_classes:
            raise ValidationError(self.get_help_text(), code="password_too_simple")

    def get_help_text(self) -> str:
        return ngettext(
            "Your password must mix at least %(n)d kind of characters: lower case, upper case, digits, symbols.",
            "Your password must mix at least %(n)d kinds of characters: lower case, upper case, digits, symbols.",
            self.min_classes,
        ) % {"n": self.min_classes}


__all__ = ["CharacterClassValidator", "MinimumLengthValidator", "UsernameInPasswordValidator"]
