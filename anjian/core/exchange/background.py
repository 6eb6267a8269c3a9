"""Imports and exports as ``core.jobs`` jobs: the web page stores the upload or the filters, the
worker runs them."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from .. import audit
from ..jobs import JobError, job_handler
from ..models import AuditAction, Job
from .errors import ImportFailed
from .exporting import _record_export, export_filename, write_export
from .importing import import_workbook
from .kinds import ExchangeKind, Progress, get_kind
from .readers import check_workbook_file, estimate_rows


# ---------------------------------------------------------------------------------------------
# Imports as jobs (the web page and the worker)
# ---------------------------------------------------------------------------------------------
def start_import(kind: ExchangeKind | str, upload: Any, *, user: Any, request: Any = None) -> Job:
    """Check an uploaded file, store it as a job and run it: at once when small, in the background
    when it has more than ``ANJIAN_IMPORT_BACKGROUND_ROWS`` rows. Raises ``ImportFailed`` for a
    file that is too large or not a workbook (no job is created then)."""
    from .. import context, jobs

    if isinstance(kind, str):
        kind = get_kind(kind)
    check_workbook_file(upload)
    filename = Path(getattr(upload, "name", "") or "workbook.xlsx").name
    rows = estimate_rows(upload)
    upload.seek(0)
    ctx = context.get()
    job = Job(
        kind="import", user=user, total=rows,
        name=_("Import {kind}: {file}").format(kind=kind.label, file=filename)[:200],
        params={"kind": kind.name, "filename": filename, "language": translation.get_language(),
                "request_id": str(ctx.request_id), "ip": ctx.ip},
    )
    job.input_file.save(filename, upload, save=False)
    job.save()
    if rows > settings.ANJIAN_IMPORT_BACKGROUND_ROWS:
        jobs.enqueue(job)
    else:
        job = jobs.run(job.pk)
    return job


@job_handler("import")
def run_import_job(job: Job, progress: Progress) -> dict[str, Any]:
    kind = get_kind(job.params["kind"])
    with translation.override(job.params.get("language") or settings.LANGUAGE_CODE), \
            _local_copy(job.input_file) as path:
        try:
            result = import_workbook(kind, path, user=job.user, filename=job.params.get("filename", ""),
                                     progress=progress)
        except ImportFailed as exc:
            raise JobError(exc.as_list()) from None
    return result.as_dict()


class _local_copy:
    """A local path for a stored file (the storage may be remote)."""

    def __init__(self, stored: Any) -> None:
        self.stored = stored
        self.temp: str | None = None

    def __enter__(self) -> str:
        try:
            return self.stored.path
        except NotImplementedError:
            fd, self.temp = tempfile.mkstemp(suffix=".xlsx")
            with os.fdopen(fd, "wb") as out, self.stored.open("rb") as src:
                shutil.copyfileobj(src, out)
            return self.temp

    def __exit__(self, *exc: Any) -> None:
        if self.temp:
            os.unlink(self.temp)


def start_export(kind: ExchangeKind | str, user: Any, params: dict[str, Any], *, total: int = 0,
                 filename: str | None = None, audit_entry: dict[str, Any] | None = None) -> Job:
    """Queue an export of what ``user`` may see, filtered by ``params`` (values: strings, or lists
    of strings for repeated query parameters), as a job of kind ``"export"``.

    Only the user's id and the filters are stored: the job rebuilds the rows with the user's scope
    (``kind.export_queryset(user, params)``, i.e. ``visible_to(user)``) when it runs. ``audit_entry``
    may give the audit entry's ``object_repr``, ``filters`` and ``message`` (translated, with ``{n}``
    standing for the row count) for a page whose exports were already audited in its own words."""
    from .. import context, jobs

    if isinstance(kind, str):
        kind = get_kind(kind)
    if user is None or not getattr(user, "pk", None):
        raise ValueError("an export job needs the user whose scope applies")
    ctx = context.get()
    filename = filename or export_filename(kind)
    job = Job.objects.create(
        kind="export", user=user, total=total,
        name=_("Export {kind} ({rows} rows)").format(kind=kind.label, rows=total)[:200],
        params={"kind": kind.name, "filters": params, "filename": filename,
                "language": translation.get_language(), "request_id": str(ctx.request_id), "ip": ctx.ip,
                "audit": audit_entry or {}},
    )
    return jobs.enqueue(job)


def _job_filters(filters: Any) -> Any:
    """The stored filters as the export queryset expects them: a dict, or a QueryDict when a
    parameter was repeated (``?status=reported&status=rectifying``)."""
    from django.http import QueryDict

    filters = filters if isinstance(filters, dict) else {}
    if not any(isinstance(v, list) for v in filters.values()):
        return dict(filters)
    query = QueryDict(mutable=True)
    for key, value in filters.items():
        query.setlist(key, [str(v) for v in value] if isinstance(value, list) else [str(value)])
    return query


@job_handler("export")
def run_export_job(job: Job, progress: Progress) -> dict[str, Any]:
    """Write the export to ``jobs.export_dir()`` with the requester's scope as it is now, then audit it."""
    from django.urls import reverse

    from .. import jobs
    from ..notify import notify

    kind = get_kind(job.params["kind"])
    user = job.user
    with translation.override(job.params.get("language") or settings.LANGUAGE_CODE):
        if user is None or not user.is_active or not user.has_perm(kind.export_permission):
            raise JobError([_("The account that asked for this export may no longer export {kind}; "
                              "nothing was written.").format(kind=kind.label)])
        jobs.purge_expired_exports()
        try:
            queryset = kind.export_queryset(user, _job_filters(job.params.get("filters")))
        except ValueError as exc:
            raise JobError([str(exc)]) from None
        job.total = queryset.count()
        progress(0, job.total)
        directory = jobs.export_dir()
        directory.mkdir(parents=True, exist_ok=True)
        final = directory / f"{job.uuid}.xlsx"
        part = directory / f".{job.uuid}.xlsx.part"
        try:
            count = write_export(kind, queryset, part, progress=progress)
            os.replace(part, final)
        finally:
            part.unlink(missing_ok=True)
        job.total = count
        progress(count, count)
        filename = job.params.get("filename") or export_filename(kind)
        custom = job.params.get("audit") or {}
        if custom.get("message"):
            audit.record(AuditAction.EXPORT, object_type=kind.model._meta.label_lower,
                         object_repr=str(custom.get("object_repr") or filename)[:200],
                         changes={"rows": count, "filters": custom.get("filters", {})},
                         message=str(custom["message"]).replace("{n}", str(count)))
        else:
            _record_export(kind, user, count, job.params.get("filters"), filename)
        notify([user], _("Your export is ready: {file}").format(file=filename), kind="export",
               url=reverse("core:job", kwargs={"uuid": job.uuid}))
        return {"rows": count, "file": final.name, "filename": filename,
                "url": reverse("core:export_download", kwargs={"uuid": job.uuid}),
                "message": _("{n} rows exported to {file}. The file is kept for a day.").format(
                    n=count, file=filename)}
