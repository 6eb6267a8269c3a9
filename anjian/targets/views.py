"""Pages of the targets app: the target dashboard, the drill-down, plans, assessment."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from anjian.core import audit
from anjian.utilities.scoping import ensure_in_scope, get_visible_or_404

from . import drilldown, exports
from .choices import STATUS_COLOURS
from .dashboard import build
from .drilldown import DrilldownError, rows_url
from .evaluation import default_as_of
from .forms import PlanForm, PlanImportForm, ScoreForm, TargetForm
from .models import AssessmentItem, AssessmentScheme, AssessmentScore, Plan, Target
from .presenters import dashboard_context, map_geojson


def _government(user: Any) -> None:
    """Dashboards and assessment are for government roles (not enterprises, not system roles)."""
    from anjian.accounts.models import Role

    if not user.has_role(Role.DISTRICT_ADMIN, Role.LEADER, Role.DEPARTMENT, Role.TOWN, Role.INSPECTOR):
        raise PermissionDenied


def _district(user: Any) -> None:
    from anjian.accounts.models import Role

    if not user.has_role(Role.DISTRICT_ADMIN, Role.LEADER):
        raise PermissionDenied


def _as_of(request: HttpRequest, year: int) -> date:
    raw = request.GET.get("as_of", "")
    if raw:
        try:
            return min(date.fromisoformat(raw), date(year, 12, 31))
        except ValueError:
            messages.error(request, _("The date must be written YYYY-MM-DD; showing today."))
    return default_as_of(year)


def _plan_for(request: HttpRequest) -> Plan | None:
    plans = Plan.objects.visible_to(request.user)
    year = request.GET.get("year", "")
    if year.isdigit():
        return plans.filter(year=int(year)).first()
    return plans.order_by("-year").first()


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    _government(request.user)
    plan = _plan_for(request)
    if plan is None:
        return render(request, "targets/dashboard.html", {"plan": None,
                                                           "plans": Plan.objects.visible_to(request.user)})
    as_of = _as_of(request, plan.year)
    area = request.GET.get("town") or None
    department = request.GET.get("department") or None
    dash = build(plan, request.user, as_of, area_code=area,
                 department_id=int(department) if department and department.isdigit() else None)
    context = dashboard_context(dash, request.GET.get("map") or "")
    context["plans"] = Plan.objects.visible_to(request.user).only("pk", "year", "title")
    return render(request, "targets/dashboard.html", context)


@login_required
def map_data(request: HttpRequest) -> HttpResponse:
    """The towns' GeoJSON for ECharts ``registerMap`` (from ``Area.geometry``)."""
    from django.http import JsonResponse

    _government(request.user)
    plan = _plan_for(request)
    from django.conf import settings

    from .dashboard import visible_towns

    towns = visible_towns(request.user, plan.area_code if plan else settings.ANJIAN_DISTRICT_CODE)
    return JsonResponse(map_geojson(towns))


@login_required
def target_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _government(request.user)
    target = get_visible_or_404(Target.objects.select_related("plan"), request.user, pk=pk)
    as_of = _as_of(request, target.plan.year)
    dash = build(target.plan, request.user, as_of, area_code=request.GET.get("town") or None, only=[target])
    context = dashboard_context(dash, target.indicator_code)
    context["row"] = next(r for r in context["table"] if r["target"].pk == target.pk)
    return render(request, "targets/target_detail.html", context)


@login_required
def rows(request: HttpRequest) -> HttpResponse:
    """The rows behind a number (``?code=&year=&as_of=|month=&area_code=&department=&which=``)."""
    _government(request.user)
    try:
        query = drilldown.parse(request.GET)
        result = drilldown.compute(query, request.user)
    except DrilldownError as exc:
        return render(request, "targets/rows.html", {"error": str(exc)}, status=400)
    from anjian.indicators.registry import registry

    ind = registry()[query.code]
    qs = drilldown.queryset_of(result, query.which)
    context: dict[str, Any] = {"query": query, "indicator": ind, "result": result, "error": None}
    if qs is None:
        context["no_rows"] = True
        return render(request, "targets/rows.html", context)
    qs = drilldown.prepare(qs)
    cols = drilldown.columns(qs.model)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    context.update(
        columns=cols, page=page, model_label=qs.model._meta.verbose_name,
        table=[{"url": drilldown.detail_url(obj), "obj": obj,
                "cells": [(c.label, drilldown.cell(obj, c)) for c in cols]}
               for obj in page.object_list],
        export_url=query.url("targets:rows_export"),
        numerator_url=drilldown.Query(**{**query.__dict__, "which": "rows"}).url(),
        denominator_url=(drilldown.Query(**{**query.__dict__, "which": "denominator"}).url()
                         if result.denominator_rows is not None else None),
    )
    return render(request, "targets/rows.html", context)


@login_required
def rows_export(request: HttpRequest) -> HttpResponse:
    _government(request.user)
    try:
        query = drilldown.parse(request.GET)
        result = drilldown.compute(query, request.user)
    except DrilldownError as exc:
        return HttpResponseBadRequest(str(exc))
    qs = drilldown.queryset_of(result, query.which)
    if qs is None:
        raise Http404
    audit.record("export", None, object_type=qs.model._meta.label_lower,
                 message=f"drill-down {json.dumps(query.params(), ensure_ascii=False)}")
    return exports.rows_xlsx(drilldown.prepare(qs), f"{query.code}-{query.year}.xlsx")


# ---------------------------------------------------------------- plans


@login_required
def plan_list(request: HttpRequest) -> HttpResponse:
    plans = Plan.objects.visible_to(request.user).order_by("-year")
    return render(request, "targets/plan_list.html", {"plans": plans,
                                                      "can_add": request.user.has_perm("targets.add_plan")})


@login_required
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    plan = get_visible_or_404(Plan.objects.all(), request.user, pk=pk)
    return render(request, "targets/plan_detail.html", {
        "plan": plan, "targets": plan.targets.select_related("department"),
        "can_change": request.user.has_perm("targets.change_plan"),
        "can_add_target": request.user.has_perm("targets.add_target"),
    })


def _require(request: HttpRequest, perm: str) -> None:
    if not request.user.has_perm(perm):
        raise PermissionDenied


@login_required
def plan_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    plan = get_visible_or_404(Plan.objects.all(), request.user, pk=pk) if pk else None
    _require(request, "targets.change_plan" if plan else "targets.add_plan")
    form = PlanForm(request.POST or None, instance=plan)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            saved = form.save()
            ensure_in_scope(request.user, saved)
        messages.success(request, _("The plan was saved."))
        return redirect(saved)
    return render(request, "targets/form.html", {"form": form, "title": _("Plan"), "back": plan or None})


@login_required
def target_edit(request: HttpRequest, plan_pk: int, pk: int | None = None) -> HttpResponse:
    plan = get_visible_or_404(Plan.objects.all(), request.user, pk=plan_pk)
    target = get_visible_or_404(plan.targets.all(), request.user, pk=pk) if pk else None
    _require(request, "targets.change_target" if target else "targets.add_target")
    form = TargetForm(request.POST or None, instance=target, plan=plan)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            saved = form.save()
            ensure_in_scope(request.user, saved)
        messages.success(request, _("The target was saved."))
        return redirect(plan)
    return render(request, "targets/form.html", {"form": form, "title": _("Target"), "back": plan})


@login_required
def plan_import(request: HttpRequest) -> HttpResponse:
    _require(request, "targets.import_plan")
    from anjian.core.exchange import ImportFailed, get_kind, start_import

    form = PlanImportForm(request.POST or None, request.FILES or None)
    errors: list[dict[str, Any]] = []
    if request.method == "POST" and form.is_valid():
        try:
            job = start_import(get_kind("targets"), form.cleaned_data["file"], user=request.user, request=request)
        except ImportFailed as exc:
            errors = exc.as_list()
        else:
            if job.status == "succeeded":
                messages.success(request, job.result.get("message") or _("The plan was imported."))
                return redirect("targets:plan_list")
            if job.status == "failed":
                errors = job.errors
            else:
                return redirect("core:job", uuid=job.uuid)
    return render(request, "targets/plan_import.html", {"form": form, "errors": errors})


@login_required
def plan_import_template(request: HttpRequest) -> HttpResponse:
    _require(request, "targets.import_plan")
    return exports.plan_template_xlsx()


# ---------------------------------------------------------------- assessment


@login_required
def assessment_list(request: HttpRequest) -> HttpResponse:
    _district(request.user)
    schemes = AssessmentScheme.objects.visible_to(request.user).order_by("-year")
    return render(request, "targets/assessment_list.html", {"schemes": schemes})


@login_required
def assessment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    from .assessment import assess

    _district(request.user)
    scheme = get_visible_or_404(AssessmentScheme.objects.all(), request.user, pk=pk)
    as_of = _as_of(request, scheme.year)
    result = assess(scheme, request.user, as_of)
    return render(request, "targets/assessment_detail.html", {
        "scheme": scheme, "result": result, "as_of": as_of,
        "can_score": request.user.has_perm("targets.change_assessmentscore"),
        "status_colours": STATUS_COLOURS,
    })


@login_required
def assessment_export(request: HttpRequest, pk: int) -> HttpResponse:
    from .assessment import assess

    _district(request.user)
    _require(request, "targets.export_assessmentscheme")
    scheme = get_visible_or_404(AssessmentScheme.objects.all(), request.user, pk=pk)
    result = assess(scheme, request.user, _as_of(request, scheme.year))
    audit.record("export", scheme, message="assessment ranking")
    return exports.assessment_xlsx(result)


@login_required
def assessment_score(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    """Score one manual (or manual-veto) item for every unit, with a note."""
    from .assessment import units_of

    _require(request, "targets.change_assessmentscore")
    scheme = get_visible_or_404(AssessmentScheme.objects.all(), request.user, pk=pk)
    item = get_object_or_404(AssessmentItem, scheme=scheme, pk=item_pk)
    units = [u for u in units_of(scheme) if item.applies(u.kind)]
    existing = {(s.area_id, s.department_id): s for s in item.scores.all()}
    forms = []
    for unit in units:
        score = existing.get((unit.area_code, unit.department_id))
        forms.append((unit, ScoreForm(request.POST or None, prefix=unit.key, instance=score, item=item)))
    if request.method == "POST" and all(f.is_valid() for _u, f in forms):
        with transaction.atomic():
            for unit, f in forms:
                if not f.has_changed() and f.instance.pk is None:
                    continue
                obj: AssessmentScore = f.save(commit=False)
                obj.item, obj.unit_kind = item, unit.kind
                obj.area_id, obj.department_id = unit.area_code, unit.department_id
                obj.scorer = request.user
                obj.save()
        messages.success(request, _("The scores were saved."))
        return redirect(scheme)
    return render(request, "targets/assessment_score.html", {"scheme": scheme, "item": item, "forms": forms})


__all__ = ["rows_url"]
