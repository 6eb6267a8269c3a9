"""Excel import and export of the enterprise registry (the machinery is ``anjian.core.exchange``).

* ``import_view`` -- GET: the upload form with the rules; POST: the upload becomes a job, run at
  once when small (the page shows the result or every bad row), in the background when it has more
  than ``ANJIAN_IMPORT_BACKGROUND_ROWS`` rows (the page shows a progress bar polled by htmx).
* ``import_template`` -- the workbook to fill in.
* ``export_view`` -- the rows the user may see, filtered as on the list page: the file itself up
  to ``ANJIAN_EXPORT_INLINE_MAX_ROWS`` rows, otherwise a background job (the answer is a redirect to
  its progress page, which ends with the download link).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from anjian.core import exchange, jobs
from anjian.core.models import Job

KIND = "enterprises"


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("Excel workbook (.xlsx)"),
        widget=forms.ClearableFileInput(attrs={
            "accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "class": "form-control"}),
    )


def _require(request: HttpRequest, permission: str) -> None:
    if not request.user.has_perm(permission):
        raise PermissionDenied


def _recent_imports(user: Any) -> Any:
    return Job.objects.filter(user=user, kind="import", params__kind=KIND).order_by("-created")[:5]


@login_required
def import_view(request: HttpRequest) -> HttpResponse:
    kind = exchange.get_kind(KIND)
    _require(request, kind.import_permission)
    errors: list[dict[str, Any]] = []
    job = None
    too_large = _too_large(request)
    if too_large:  # refused before the upload is read and stored
        errors = too_large.as_list()
        form = ImportForm()
    else:
        form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and not errors and form.is_valid():
        try:
            job = exchange.start_import(kind, form.cleaned_data["file"], user=request.user, request=request)
        except exchange.ImportFailed as exc:
            errors = exc.as_list()
        else:
            # Post/redirect/get: reloading the result page does not upload the file again.
            return redirect(reverse("enterprises:import") + f"?job={job.uuid}")
    elif request.GET.get("job"):
        job = Job.objects.filter(user=request.user, kind="import", uuid=_uuid_or_none(request.GET["job"])).first()
        if job is not None:
            job = jobs.live_progress(job)
    context = {
        "form": form, "errors": errors, "job": job, "kind": kind, "columns": kind.columns,
        "rules": exchange.general_rules(kind),
        "recent": [j for j in _recent_imports(request.user) if job is None or j.pk != job.pk],
    }
    return render(request, "enterprises/import.html", context, status=400 if errors else 200)


def _too_large(request: HttpRequest) -> exchange.ImportFailed | None:
    """An upload whose request is far larger than any allowed workbook, judged by its Content-Length."""
    if request.method != "POST":
        return None
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return None
    limit = settings.ANJIAN_IMPORT_MAX_BYTES
    if length <= limit + 64 * 1024:  # the form's own fields and multipart boundaries
        return None
    return exchange.ImportFailed(gettext("The file is {size} MB; at most {limit} MB may be imported at once. "
                                         "Split it into several files.").format(
        size=exchange.megabytes(length), limit=exchange.megabytes(limit)))


def _uuid_or_none(value: str) -> str | None:
    import uuid

    try:
        return str(uuid.UUID(value))
    except ValueError:
        return None


@login_required
def import_template(request: HttpRequest) -> HttpResponse:
    kind = exchange.get_kind(KIND)
    _require(request, kind.import_permission)
    return exchange.template_response(kind, request.user)


@login_required
def export_view(request: HttpRequest) -> HttpResponse:
    kind = exchange.get_kind(KIND)
    _require(request, kind.export_permission)
    params = {key: value for key, value in request.GET.items() if key in kind.filter_params}
    try:
        # Up to ANJIAN_EXPORT_INLINE_MAX_ROWS rows the file itself; more: a job and its progress page.
        return exchange.export_or_job(request, kind, params)
    except ValueError as exc:
        return render(request, "core/error.html", {"status": 400, "message": str(exc)}, status=400)
