"""Errors in words: a cell's, a row's, the file's; the list of one import's errors."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

# A bad file reports every bad row; past this many we keep counting but stop listing.
MAX_LISTED_ERRORS = 10_000


# ---------------------------------------------------------------------------------------------
# Errors in words
# ---------------------------------------------------------------------------------------------
class CellError(Exception):
    """Raised by a column parser: the message says what is wrong with the cell."""


@dataclass(frozen=True)
class RowError:
    row: int | None  # the Excel row number (the header is row 1)
    column: str | None  # the column header
    message: str

    def __str__(self) -> str:
        if self.row and self.column:
            return _("Row {row}, “{column}”: {message}").format(row=self.row, column=self.column, message=self.message)
        if self.row:
            return _("Row {row}: {message}").format(row=self.row, message=self.message)
        if self.column:
            return _("Column “{column}”: {message}").format(column=self.column, message=self.message)
        return self.message

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "message": self.message, "text": str(self)}


class ErrorList:
    """The errors of one import, in the order found; sorted by row when reported."""

    def __init__(self, limit: int = MAX_LISTED_ERRORS) -> None:
        self.items: list[RowError] = []
        self.count = 0
        self.limit = limit
        self.bad_rows: set[int] = set()

    def add(self, row: int | None, column: str | None, message: str) -> None:
        self.count += 1
        if row is not None:
            self.bad_rows.add(row)
        if len(self.items) < self.limit:
            self.items.append(RowError(row, column, str(message)))

    def __bool__(self) -> bool:
        return self.count > 0

    def __len__(self) -> int:
        return self.count

    def sorted(self) -> list[RowError]:
        return sorted(self.items, key=lambda e: (e.row or 0,))

    def as_list(self) -> list[dict[str, Any]]:
        listed = [e.as_dict() for e in self.sorted()]
        if self.count > len(self.items):
            more = self.count - len(self.items)
            listed.append(RowError(None, None, _("… and {n} more errors.").format(n=more)).as_dict())
        return listed


class ImportFailed(Exception):
    """Nothing was imported; ``errors`` says why (every bad row and column)."""

    def __init__(self, errors: ErrorList | Sequence[RowError] | str) -> None:
        if isinstance(errors, str):
            errors = [RowError(None, None, errors)]
        if not isinstance(errors, ErrorList):
            listed = ErrorList()
            for e in errors:
                listed.add(e.row, e.column, e.message)
            errors = listed
        self.errors = errors
        super().__init__("; ".join(str(e) for e in errors.sorted()[:5]))

    def as_list(self) -> list[dict[str, Any]]:
        return self.errors.as_list()
