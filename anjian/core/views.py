from __future__ import annotations

from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import AuditEntry, Job


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """A home page per role: the district's overview, or the enterprise's own record."""
    from anjian.accounts.models import Role
    from anjian.enterprises.models import Enterprise
    from anjian.territory.models import Area, AreaLevel

    user = request.user
    if user.has_role(Role.DISTRICT_ADMIN, Role.LEADER):
        return redirect("targets:dashboard")  # their home is the target dashboard (anjian/targets)
    if user.has_role(Role.ENTERPRISE) and not user.has_role(
        Role.DISTRICT_ADMIN, Role.LEADER, Role.TOWN, Role.DEPARTMENT, Role.INSPECTOR
    ):
        mine = Enterprise.objects.visible_to(user).order_by("pk")
        if mine.count() == 1:
            return redirect("enterprises:detail", pk=mine.get().pk)
    if not user.role_codes or user.has_role(Role.SYSADMIN, Role.SECADMIN, Role.AUDITOR) and not any(
        r for r in user.role_codes if r not in (Role.SYSADMIN, Role.SECADMIN, Role.AUDITOR)
    ):
        return render(request, "core/home_system.html", {})
    enterprises = Enterprise.objects.visible_to(user)
    by_area = dict(enterprises.values_list("area__parent__code").annotate(n=Count("pk")))
    by_area_direct = dict(enterprises.values_list("area__code").annotate(n=Count("pk")))
    towns = list(Area.objects.filter(level=AreaLevel.TOWN).order_by("code"))
    town_counts = [
        {"town": t, "count": by_area.get(t.code, 0) + by_area_direct.get(t.code, 0)} for t in towns
    ]
    town_counts = [row for row in town_counts if row["count"]]
    by_sector = list(
        enterprises.values("sectors__parent__name", "sectors__name").annotate(n=Count("pk", distinct=True)).order_by("-n")
    )
    sector_counts: dict[str, int] = {}
    for row in by_sector:
        name = row["sectors__parent__name"] or row["sectors__name"] or _("(none)")
        sector_counts[name] = sector_counts.get(name, 0) + row["n"]
    context = {
        "total": enterprises.count(),
        "key_count": enterprises.filter(key_enterprise=True).count(),
        "town_counts": town_counts,
        "sector_counts": sorted(sector_counts.items(), key=lambda kv: -kv[1]),
    }
    return render(request, "core/home.html", context)


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
def job_status(request: HttpRequest, uuid: str) -> HttpResponse:
    """A job's progress: the progress-bar partial for htmx polling, or JSON."""
    job = get_object_or_404(Job, uuid=uuid, user=request.user)
    if request.headers.get("Accept", "").startswith("application/json"):
        return JsonResponse({"status": job.status, "done": job.done, "total": job.total, "percent": job.percent,
                             "result": job.result, "errors": job.errors[:200]})
    template = "core/job.html#progress" if request.htmx else "core/job.html"
    return render(request, template, {"job": job})


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
