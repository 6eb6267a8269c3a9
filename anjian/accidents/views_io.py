"""Excel import and export pages for accidents and statistics bases (``anjian.core.exchange``)."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from anjian.core import exchange

LIST_PAGE = {"accidents": "accidents:list", "statistics-bases": "accidents:bases"}


def _kind(name: str, perm_attr: str, request: HttpRequest) -> exchange.ExchangeKind:
    if name not in LIST_PAGE:
        raise Http404
    kind = exchange.get_kind(name)
    if not request.user.has_perm(getattr(kind, perm_attr)):
        raise PermissionDenied
    return kind


def _file_response(path: str, filename: str) -> FileResponse:
    response = FileResponse(open(path, "rb"), as_attachment=True, filename=filename)  # noqa: SIM115
    Path(path).unlink(missing_ok=True)  # the open handle keeps the data until the response is sent
    return response


def _temp_path() -> str:
    tmp = tempfile.NamedTemporaryFile(suffix=".xlsx", delete=False)  # noqa: SIM115  (written, then removed)
    tmp.close()
    return tmp.name


@login_required
def export_view(request: HttpRequest, kind_name: str) -> HttpResponse:
    kind = _kind(kind_name, "export_permission", request)
    params = {k: request.GET.get(k, "") for k in kind.filter_params}

    def inline() -> HttpResponse:
        path = _temp_path()
        exchange.export_workbook(kind, request.user, path, params)
        return _file_response(path, exchange.export_filename(kind))

    # Up to ANJIAN_EXPORT_INLINE_MAX_ROWS rows the file itself; more: a job and its progress page.
    return exchange.export_or_job(request, kind, params, inline=inline)


@login_required
def template_view(request: HttpRequest, kind_name: str) -> HttpResponse:
    kind = _kind(kind_name, "import_permission", request)
    path = _temp_path()
    exchange.write_template(kind, path, user=request.user)
    return _file_response(path, _("{kind} import template.xlsx").format(kind=kind.label))


@login_required
def import_view(request: HttpRequest, kind_name: str) -> HttpResponse:
    kind = _kind(kind_name, "import_permission", request)
    errors: list[dict[str, Any]] = []
    job = None
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            errors = [{"text": _("Choose an .xlsx file to import.")}]
        else:
            try:
                job = exchange.start_import(kind, upload, user=request.user, request=request)
            except exchange.ImportFailed as exc:
                errors = exc.as_list()
            else:
                if job.status == "failed":
                    errors = [e if isinstance(e, dict) else {"text": str(e)} for e in job.errors]
                elif job.status == "succeeded":
                    messages.success(request, job.result.get("message", _("Imported.")))
                    return redirect(LIST_PAGE[kind.name])
    return render(request, "accidents/import.html",
                  {"errors": errors, "job": job, "rules": exchange.general_rules(kind), "kind": kind,
                   "back": LIST_PAGE[kind.name]},
                  status=400 if errors else 200)
