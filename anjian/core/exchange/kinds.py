"""The registry of kinds: what one registry's workbook looks like (``Column``), the rows it reads
(``Record``), the rows it wrote (``Change``), and the kinds found in the apps' ``exchange.py``."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext as _

from .cells import cell_text
from .errors import ErrorList

Progress = Callable[[int, int], None]  # progress(done, total)


def progress_every() -> int:
    """Report progress every this many rows."""
    return max(int(getattr(settings, "ANJIAN_IMPORT_PROGRESS_ROWS", 500)), 1)


@dataclass(frozen=True)
class Column:
    header: str  # fixed Chinese header: the file format
    field: str  # the field the value is for
    required: bool = False
    parse: Callable[[Any], Any] = cell_text
    default: Any = ""  # the value of an empty optional cell
    help: Any = ""  # what to write, for the template's explanation sheet (lazy translated)
    example: Any = ""
    aliases: tuple[str, ...] = ()  # other headers accepted on import
    choices: tuple[str, ...] = ()  # a drop-down list in the template
    width: int = 16
    as_text: bool = False  # format the column as text (codes, phone numbers)


@dataclass
class Record:
    """One parsed row: ``values`` holds the fields of the columns present in the file."""

    row: int
    values: dict[str, Any]
    extra: dict[str, Any] = field(default_factory=dict)  # lookups resolved by the kind


@dataclass
class Change:
    """One written row, for the audit log and the scope re-check."""

    row: int
    action: str  # AuditAction.CREATE / UPDATE
    obj: models.Model | Written
    changes: dict[str, Any]


@dataclass(slots=True)
class Written:
    """A written row for ``Change.obj`` when no model instance was built: its primary key and how
    the audit log names it (``str(obj)``)."""

    pk: Any
    label: str

    def __str__(self) -> str:
        return self.label


@dataclass
class ImportResult:
    kind: str
    filename: str = ""
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    @property
    def message(self) -> str:
        return _("{rows} rows read: {created} added, {updated} changed, {unchanged} unchanged.").format(
            rows=self.rows, created=self.created, updated=self.updated, unchanged=self.unchanged)

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "filename": self.filename, "rows": self.rows, "created": self.created,
                "updated": self.updated, "unchanged": self.unchanged, "message": self.message}


class ExchangeKind:
    """What one registry's workbook looks like and how its rows are checked and written."""

    name: ClassVar[str]
    label: ClassVar[Any]  # lazy, e.g. 生产经营单位
    model: ClassVar[type[models.Model]]
    columns: ClassVar[list[Column]]
    key_field: ClassVar[str]
    import_permission: ClassVar[str]
    export_permission: ClassVar[str]
    batch_size: ClassVar[int] = 1000
    # Query parameters the export understands (name -> help), for the command line and docs.
    filter_params: ClassVar[dict[str, Any]] = {}

    # -- the file -------------------------------------------------------------------------
    def column_for(self, field_name: str) -> Column:
        return next(c for c in self.columns if c.field == field_name)

    def header(self, field_name: str) -> str:
        return self.column_for(field_name).header

    @property
    def key_column(self) -> Column:
        return self.column_for(self.key_field)

    def rules(self) -> list[str]:
        """Rules of this kind beyond the columns (for the upload page and the template)."""
        return []

    # -- import -----------------------------------------------------------------------------
    def start(self, user: Any) -> Any:
        """Load what the checks need (lookups, the user's scope); returns the session object."""
        return None

    def clean(self, record: Record, session: Any, errors: ErrorList) -> None:
        """Cross-column checks and lookups of one parsed row; add errors with the row's column."""

    def apply(self, batch: list[Record], session: Any, errors: ErrorList, write: bool) -> tuple[list[Change], int]:
        """Check a batch against the database and, if ``write``, upsert it in bulk.

        Returns the written changes and how many rows were already up to date. Must not
        write if it found an error in the batch.
        """
        raise NotImplementedError

    # -- export -----------------------------------------------------------------------------
    def export_queryset(self, user: Any, params: dict[str, Any] | None = None) -> models.QuerySet:
        # The rows of the roles that may export them (SPEC §0: one role grants it and holds the row).
        return self.model.objects.visible_to(user, self.export_permission)  # type: ignore[attr-defined]

    def filter_errors(self, user: Any, params: dict[str, Any]) -> list[str]:
        """What is wrong with the export filters ``params``, in words (the command line and the web
        export refuse them). By default the model's FilterSet (``filterset()``) judges them."""
        filterset_class = self.filterset()
        params = {k: v for k, v in (params or {}).items() if k in self.filter_params and v not in (None, "")}
        if filterset_class is None or not params:
            return []
        from types import SimpleNamespace

        f = filterset_class(params, queryset=self.model._default_manager.none(),
                            request=SimpleNamespace(user=user))
        return filterset_errors(f)

    def filterset(self) -> type | None:
        """The FilterSet whose fields judge the export filters (None: no check)."""
        return None

    def export_rows(self, queryset: models.QuerySet) -> Iterator[Sequence[Any]]:
        raise NotImplementedError

    def example_row(self, user: Any) -> list[Any]:
        return [c.example for c in self.columns]


REGISTRY: dict[str, ExchangeKind] = {}
_discovered = False


def register(cls: type[ExchangeKind]) -> type[ExchangeKind]:
    REGISTRY[cls.name] = cls()
    return cls


def autodiscover() -> None:
    """Import every app's ``exchange`` module (where kinds register themselves)."""
    global _discovered
    if not _discovered:
        autodiscover_modules("exchange")
        _discovered = True


def get_kind(name: str) -> ExchangeKind:
    autodiscover()
    try:
        return REGISTRY[name]
    except KeyError:
        raise LookupError(_("Unknown kind “{name}”; known kinds: {known}.").format(
            name=name, known=", ".join(sorted(REGISTRY)) or "-")) from None


def kinds() -> dict[str, ExchangeKind]:
    autodiscover()
    return dict(sorted(REGISTRY.items()))


def filterset_errors(filterset: Any) -> list[str]:
    """A FilterSet's errors, one sentence per filter with its label ([] when it is valid)."""
    if filterset.is_valid():
        return []
    form = filterset.form
    return [f"{form[name].label if name in form.fields else name}: {' '.join(str(m) for m in messages)}"
            for name, messages in filterset.errors.items()]
