from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.db.models import Case, Count, F, Q, QuerySet, Value, When
from django.db.models.functions import Coalesce
from django.http import FileResponse, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from anjian.accounts.middleware import not_user_activity

from . import jobs
from .models import AuditEntry, Job, JobStatus


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Where each role lands: the target dashboard (district, leader), the enterprise's own record,
    the system roles' page, or the overview of the enterprises in scope (towns, departments, inspectors)."""
    from anjian.accounts.models import BUSINESS_ROLES, Role
    from anjian.enterprises.models import Enterprise

    user = request.user
    if user.has_role(Role.DISTRICT_ADMIN, Role.LEADER):
        return redirect("targets:dashboard")  # their home is the target dashboard (anjian/targets)
    if not user.role_codes & BUSINESS_ROLES:
        return render(request, "core/home_system.html", {})
    if user.role_codes & BUSINESS_ROLES == {Role.ENTERPRISE}:
        own = list(Enterprise.objects.visible_to(user).order_by("pk").values_list("pk", flat=True)[:2])
        if len(own) == 1:
            return redirect("enterprises:detail", pk=own[0])
    return overview(request)


@login_required
@permission_required("enterprises.view_enterprise", raise_exception=True)
def overview(request: HttpRequest) -> HttpResponse:
    """The enterprises in the user's scope counted by town and by sector; every number links to the list."""
    from anjian.enterprises.models import Enterprise, EnterpriseStatus

    enterprises = Enterprise.objects.visible_to(request.user)
    summary = enterprises.aggregate(
        total=Count("pk"),
        key=Count("pk", filter=Q(key_enterprise=True)),
        above_scale=Count("pk", filter=Q(above_scale=True)),
        suspended=Count("pk", filter=Q(status=EnterpriseStatus.SUSPENDED)),
        closed=Count("pk", filter=Q(status=EnterpriseStatus.CLOSED)),
    )
    areas = enterprise_counts_by_town(enterprises)
    area_title = _("Enterprises by town")
    if len(areas) == 1 and areas[0]["code"]:  # one town's scope: its communities say more
        areas = enterprise_counts_by_community(enterprises, areas[0]["code"])
        area_title = _("Enterprises by community")
    context = {
        "summary": summary,
        "town_counts": areas,
        "area_title": area_title,
        "sector_counts": enterprise_counts_by_sector(enterprises),
    }
    return render(request, "core/home.html", context)


def enterprise_counts_by_town(enterprises: QuerySet) -> list[dict[str, Any]]:
    """[{code, name, count, key, query}] per town (a community's enterprises count for its town), biggest first."""
    from anjian.territory.models import Area, AreaLevel

    town = Case(
        When(area__level=AreaLevel.TOWN, then=F("area__code")),
        When(area__level=AreaLevel.COMMUNITY, then=F("area__parent__code")),
        default=Value(""),
    )
    rows = (
        enterprises.annotate(town=town).values("town")
        .annotate(count=Count("pk"), key=Count("pk", filter=Q(key_enterprise=True))).order_by()
    )
    counts = {row["town"]: row for row in rows}
    names = dict(Area.objects.filter(code__in=[c for c in counts if c]).values_list("code", "name"))
    result = [
        {"code": code, "name": names.get(code) or _("(directly under the district)"),
         "count": row["count"], "key": row["key"], "query": f"town={code}" if code else ""}
        for code, row in counts.items()
    ]
    return sorted(result, key=lambda r: (-r["count"], r["code"]))


def enterprise_counts_by_community(enterprises: QuerySet, town: str) -> list[dict[str, Any]]:
    """The same per community of one town (the enterprises registered at the town itself in one row)."""
    rows = (
        enterprises.values("area__code", "area__name")
        .annotate(count=Count("pk"), key=Count("pk", filter=Q(key_enterprise=True))).order_by()
    )
    result = [
        {"code": row["area__code"],
         "name": _("(directly under the town)") if row["area__code"] == town else row["area__name"],
         "count": row["count"], "key": row["key"],
         "query": f"town={town}" + ("" if row["area__code"] == town else f"&community={row['area__code']}")}
        for row in rows
    ]
    return sorted(result, key=lambda r: (-r["count"], r["code"]))


def enterprise_counts_by_sector(enterprises: QuerySet) -> list[dict[str, Any]]:
    """[{code, name, count}] per top-level sector of the catalogue (sub-sectors count for their parent)."""
    from anjian.territory.models import Sector

    rows = (
        enterprises.annotate(root=Coalesce("sectors__parent__code", "sectors__code")).values("root")
        .annotate(count=Count("pk", distinct=True)).order_by()
    )
    counts = {row["root"]: row["count"] for row in rows}
    names = dict(Sector.objects.filter(code__in=[c for c in counts if c]).values_list("code", "name"))
    result = [
        {"code": code or "", "name": names.get(code) or _("(no sector)"), "count": n}
        for code, n in counts.items()
    ]
    return sorted(result, key=lambda r: (-r["count"], r["code"]))


@login_required
@permission_required("core.view_auditentry", raise_exception=True)
def audit_log(request: HttpRequest) -> HttpResponse:
    entries = AuditEntry.objects.all()
    for key in ("action", "username", "object_type", "object_id"):
        if request.GET.get(key):
            entries = entries.filter(**{key: request.GET[key]})
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    template = "core/audit_log.html#rows" if request.htmx else "core/audit_log.html"
    return render(request, template, {"page": page})


@login_required
def notifications(request: HttpRequest) -> HttpResponse:
    items = request.user.notifications.all()
    if request.method == "POST":
        items.filter(read_at__isnull=True).update(read_at=timezone.now())
        return redirect("core:notifications")
    page = Paginator(items, 30).get_page(request.GET.get("page"))
    return render(request, "core/notifications.html", {"page": page})


@login_required
@not_user_activity  # polled by the page itself: writes nothing, so it never waits for the job's writes
def job_status(request: HttpRequest, uuid: str) -> HttpResponse:
    """A job's progress: the progress-bar partial for htmx polling, or JSON."""
    job = jobs.live_progress(get_object_or_404(Job, uuid=uuid, user=request.user))
    if request.headers.get("Accept", "").startswith("application/json"):
        return JsonResponse({"status": job.status, "done": job.done, "total": job.total, "percent": job.percent,
                             "result": job.result, "errors": job.errors[:200]})
    template = "core/job.html#progress" if request.htmx else "core/job.html"
    return render(request, template, {"job": job})


XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@login_required
def export_download(request: HttpRequest, uuid: str) -> HttpResponse:
    """The workbook of a finished export job, to the user who asked for it only (404 for anyone else)."""
    job = get_object_or_404(Job, uuid=uuid, user=request.user, kind="export", status=JobStatus.SUCCEEDED)
    path = jobs.export_file(job)
    if path is None:
        return _error(request, 404, _("This export's file is no longer kept (files are removed after a day). "
                                      "Export the list again."))
    # FileResponse writes a non-ASCII name as ``filename*=utf-8''…`` (RFC 6266), so 生产经营单位-….xlsx survives.
    return FileResponse(path.open("rb"), as_attachment=True, filename=job.result.get("filename") or path.name,
                        content_type=XLSX_TYPE)


def _error(request: HttpRequest, status: int, message: str) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message}, status=status)
    return render(request, "core/error.html", {"status": status, "message": message}, status=status)


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(request, 404, _("Not found."))


def forbidden(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(request, 403, _("You do not have permission to do this."))


def server_error(request: HttpRequest) -> HttpResponse:
    return _error(request, 500, _("Server error. The operators have been told; please try again later."))
