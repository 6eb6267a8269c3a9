"""Cell parsers: a parser gets a non-empty cell value and returns the field value or raises
``CellError`` with a message in words."""

from __future__ import annotations

import datetime
import decimal
import re
from collections.abc import Callable
from typing import Any

from django.utils.translation import gettext as _

from .errors import CellError

EMPTY = (None, "")


# ---------------------------------------------------------------------------------------------
def cell_text(value: Any) -> str:
    """A cell as text: numbers without a spurious ``.0``, dates as ISO dates."""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime) and value.time() == datetime.time(0):
        return value.date().isoformat()
    if isinstance(value, datetime.date | datetime.datetime):
        return value.isoformat()
    return str(value).strip()


def text(max_length: int) -> Callable[[Any], str]:
    def parse(value: Any) -> str:
        result = cell_text(value)
        if len(result) > max_length:
            raise CellError(_("At most {limit} characters are allowed; this has {n}.").format(
                limit=max_length, n=len(result)))
        return result

    return parse


def integer(min_value: int | None = None, max_value: int | None = None, *,
            below_min: str | None = None) -> Callable[[Any], int]:
    def parse(value: Any) -> int:
        if isinstance(value, bool):
            raise CellError(_("“{value}” is not a whole number.").format(value=cell_text(value)))
        if isinstance(value, int):
            result = value
        else:
            raw = cell_text(value).replace(",", "")
            try:
                number = decimal.Decimal(raw)
            except decimal.InvalidOperation:
                raise CellError(_("“{value}” is not a whole number.").format(value=raw)) from None
            if number != number.to_integral_value():
                raise CellError(_("“{value}” is not a whole number.").format(value=raw))
            result = int(number)
        if min_value is not None and result < min_value:
            raise CellError((below_min or _("The number cannot be less than {min} ({value}).")).format(
                min=min_value, value=result))
        if max_value is not None and result > max_value:
            raise CellError(_("The number cannot be more than {max} ({value}).").format(max=max_value, value=result))
        return result

    return parse


def number(places: int, min_value: float, max_value: float) -> Callable[[Any], decimal.Decimal]:
    quantum = decimal.Decimal(1).scaleb(-places)

    def parse(value: Any) -> decimal.Decimal:
        raw = cell_text(value) if not isinstance(value, float) else repr(value)
        try:
            result = decimal.Decimal(raw).quantize(quantum, rounding=decimal.ROUND_HALF_UP)
        except (decimal.InvalidOperation, ValueError):
            raise CellError(_("“{value}” is not a number.").format(value=cell_text(value))) from None
        if not (min_value <= result <= max_value):
            raise CellError(_("The value must lie between {min} and {max} ({value}).").format(
                min=min_value, max=max_value, value=cell_text(value)))
        return result

    return parse


YES = {"是", "y", "yes", "true", "1", "√", "✓"}
NO = {"否", "n", "no", "false", "0", "×", "无"}


def yes_no(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    raw = cell_text(value).lower()
    if raw in YES:
        return True
    if raw in NO:
        return False
    raise CellError(_("Write 是 or 否, not “{value}”.").format(value=cell_text(value)))


def choice(labels: dict[str, Any]) -> Callable[[Any], Any]:
    """A cell holding one of the fixed labels of ``labels`` (label -> stored value)."""

    def parse(value: Any) -> Any:
        raw = cell_text(value)
        if raw in labels:
            return labels[raw]
        raise CellError(_("Write one of {choices}, not “{value}”.").format(
            choices="、".join(labels), value=raw))

    return parse


LIST_SEPARATORS = re.compile(r"[、;；,，\n]+")


def listing(value: Any) -> list[str]:
    """One or more names separated by 、 or ; (also ； , ，)."""
    items = [item.strip() for item in LIST_SEPARATORS.split(cell_text(value))]
    return list(dict.fromkeys(item for item in items if item))


def yes_no_label(value: bool) -> str:
    return "是" if value else "否"
