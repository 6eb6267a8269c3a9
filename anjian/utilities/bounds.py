"""The bounds of the values people enter: one place for the model, the page form, the Excel import
and the API (issue 10, item 3).

A number without an upper bound lets one request store ``deaths=9223372036854775807``, after which
every sum over it overflows (the accident list and the deaths indicators answered 500); a text
without one lets a request store a megabyte in a hazard's description. Each bound here is far above
anything real and well inside what the database and the sums over a district's rows can hold.

Models carry the bounds as validators (``Bound.validators()``, ``text_validators()``): Django's
model forms and DRF's model serializers derive ``min_value``/``max_value``/``max_length`` (and the
OpenAPI schema its ``minimum``/``maximum``/``maxLength``) from them. A plain form or serializer
field takes ``**PEOPLE.field_kwargs()``; the import's cells take ``integer(*PEOPLE)``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator


@dataclass(frozen=True)
class Bound:
    """A closed interval of numbers."""

    min: Any
    max: Any

    def __iter__(self) -> Iterator[Any]:  # integer(*PEOPLE), number(2, *YUAN)
        return iter((self.min, self.max))

    def validators(self) -> list[Any]:
        return [MinValueValidator(self.min), MaxValueValidator(self.max)]

    def field_kwargs(self) -> dict[str, Any]:
        """``min_value``/``max_value`` of a form or serializer field."""
        return {"min_value": self.min, "max_value": self.max}


# People killed or injured in one accident (also the import's bound): the worst industrial accidents
# on record count a few thousand.
PEOPLE = Bound(0, 100_000)
# Employees of one enterprise (the enterprise import's bound).
EMPLOYEES = Bound(0, 10_000_000)
# Counts of a statistics base (schools, special-equipment units, workers of an area).
COUNT = Bound(0, 2_000_000_000)
# A year of records and plans (the statistics-base import's bound).
YEAR = Bound(1990, 2100)
# An amount in yuan with two decimals (direct economic loss, funds): the 16 digits of the column.
YUAN = Bound(Decimal("0"), Decimal("99999999999999.99"))

# The longest free text (a description, measures, causes, a comment): about ten pages.
LONG_TEXT = 10_000
# A short free text (a location, a person's name with their unit).
SHORT_TEXT = 300


def text_validators(length: int = LONG_TEXT) -> list[Any]:
    return [MaxLengthValidator(length)]


def text_kwargs(length: int = LONG_TEXT) -> dict[str, Any]:
    """``max_length`` of a form or serializer text field."""
    return {"max_length": length}
