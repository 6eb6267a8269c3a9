"""Pages: inspections (list, detail, create, the phone walk-through, submit), the
monthly self-inspection, plans, checklists (list, detail, import, export) and
the self-inspection coverage report. Every read goes through ``visible_to``."""

from __future__ import annotations

import datetime
import tempfile
from pathlib import Path
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Prefetch, Q
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from anjian.utilities.ordering import chinese
from anjian.utilities.scoping import area_prefix, ensure_in_scope, get_visible_or_404

from . import actions
from .checklists import template_for, templates_for
from .coverage import breakdown, coverage, month_period
from .forms import (
    DocumentForm,
    FindingForm,
    InspectionFilter,
    InspectionForm,
    PlanForm,
    ResultForm,
    SubmitForm,
    allowed_kinds,
)
from .models import (
    AttachmentKind,
    ChecklistItem,
    ChecklistTemplate,
    Inspection,
    InspectionAttachment,
    InspectionKind,
    InspectionPlan,
    InspectionResult,
    InspectionStatus,
    Outcome,
)
from .permissions import COVERAGE, SELF_INSPECT

PAGE_SIZE = 50


def _require(request: HttpRequest, perm: str, obj: Any = None) -> None:
    if not request.user.has_perm(perm, obj) if obj is not None else not request.user.has_perm(perm):
        raise PermissionDenied


def _page(request: HttpRequest, qs: Any) -> Any:
    return Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))


# Inspections -------------------------------------------------------------------------------

@login_required
def inspection_list(request: HttpRequest) -> HttpResponse:
    _require(request, "inspections.view_inspection")
    filters = InspectionFilter(request.GET or None)
    qs = (Inspection.objects.visible_to(request.user)
          .select_related("enterprise", "enterprise__area", "template")
          .prefetch_related("inspectors")
          .annotate(failed=Count("results", filter=Q(results__outcome=Outcome.FAIL)))
          .order_by("-date", "-id"))
    qs = filters.apply(qs)
    context = {"page": _page(request, qs), "filters": filters,
               "can_add": request.user.has_perm("inspections.add_inspection") and allowed_kinds(request.user)}
    if request.htmx:
        return render(request, "inspections/inspection_list.html#table", context)
    return render(request, "inspections/inspection_list.html", context)


def _visible_inspection(request: HttpRequest, pk: int) -> Inspection:
    return get_visible_or_404(Inspection.objects.select_related("enterprise", "template", "plan"), request.user, pk=pk)


def _results(inspection: Inspection) -> list[InspectionResult]:
    return list(inspection.results.select_related("item").prefetch_related(
        Prefetch("attachments", queryset=InspectionAttachment.objects.order_by("id"))))


def _hazards_of(inspection: Inspection) -> list[Any]:
    """The hazards this inspection raised (once the hazards app has its model)."""
    try:
        from anjian.hazards.models import Hazard
    except ImportError:
        return []
    try:
        return list(Hazard.objects.filter(inspection=inspection).order_by("id"))
    except Exception:  # noqa: BLE001  (the hazards model without an inspection link yet)
        return []


@login_required
def inspection_detail(request: HttpRequest, pk: int) -> HttpResponse:
    inspection = _visible_inspection(request, pk)
    results = _results(inspection)
    documents = [a for a in inspection.attachments.all() if a.kind == AttachmentKind.DOCUMENT]
    can_edit = inspection.is_editable and request.user.has_perm("inspections.change_inspection", inspection)
    return render(request, "inspections/inspection_detail.html", {
        "inspection": inspection, "results": results, "documents": documents, "can_edit": can_edit,
        "counts": {o: sum(1 for r in results if r.outcome == o) for o in Outcome.values},
        "unanswered": sum(1 for r in results if not r.outcome),
        "hazards": _hazards_of(inspection) if inspection.status == InspectionStatus.SUBMITTED else [],
        "inspectors": list(inspection.inspectors.all()),
        "submit_form": SubmitForm(initial={"conclusion": inspection.conclusion, "place": inspection.place}),
        "document_form": DocumentForm(), "finding_form": FindingForm(),
    })


@login_required
def inspection_create(request: HttpRequest) -> HttpResponse:
    _require(request, "inspections.add_inspection")
    if not allowed_kinds(request.user):
        raise PermissionDenied
    initial: dict[str, Any] = {"date": timezone.localdate()}
    for key in ("enterprise", "kind", "template"):
        if request.GET.get(key):
            initial[key] = request.GET[key]
    form = InspectionForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            inspection = actions.start_inspection(
                request.user, enterprise=d["enterprise"], kind=d["kind"], date=d["date"], template=d["template"],
                inspectors=list(d["inspectors"]), place=d["place"], latitude=d["latitude"],
                longitude=d["longitude"], campaign=d["campaign"], record_number=d["record_number"])
        except actions.InspectionError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Inspection started. Walk through the checklist item by item."))
            return redirect("inspections:walk", pk=inspection.pk)
    return render(request, "inspections/inspection_form.html", {"form": form})


@login_required
def self_inspect(request: HttpRequest) -> HttpResponse:
    """The enterprise's self-inspection of this month: open it, or start it from its sector's template."""
    _require(request, SELF_INSPECT)
    from anjian.enterprises.models import Enterprise

    enterprises = list(Enterprise.objects.visible_to(request.user).filter(
        pk__in=request.user.role_assignments.filter(enterprise__isnull=False).values("enterprise_id"))
        .prefetch_related("sectors"))
    today = timezone.localdate()
    month = month_period(today)
    rows = []
    for enterprise in enterprises:
        this_month = (Inspection.objects.filter(enterprise=enterprise, kind=InspectionKind.SELF,
                                                date__gte=month.start, date__lte=month.end)
                      .order_by("-date", "-id").first())
        rows.append({"enterprise": enterprise, "inspection": this_month,
                     "templates": templates_for(enterprise, today)})
    if request.method == "POST":
        enterprise = next((r["enterprise"] for r in rows if str(r["enterprise"].pk) == request.POST.get("enterprise")),
                          None)
        if enterprise is None:
            raise PermissionDenied
        template = None
        if request.POST.get("template"):
            template = ChecklistTemplate.objects.filter(pk=request.POST["template"], active=True).first()
        template = template or template_for(enterprise, today)
        inspection = actions.start_inspection(request.user, enterprise=enterprise, kind=InspectionKind.SELF,
                                              date=today, template=template)
        return redirect("inspections:walk", pk=inspection.pk)
    history = (Inspection.objects.visible_to(request.user).filter(kind=InspectionKind.SELF)
               .select_related("enterprise").order_by("-date", "-id")[:12])
    return render(request, "inspections/self_inspect.html", {"rows": rows, "month": month, "history": history})


def _editable_or_403(request: HttpRequest, inspection: Inspection) -> None:
    if not request.user.has_perm("inspections.change_inspection", inspection):
        raise PermissionDenied


@login_required
def inspection_walk(request: HttpRequest, pk: int) -> HttpResponse:
    """The phone walk-through: one checklist item per screen, big buttons, camera, next."""
    inspection = _visible_inspection(request, pk)
    _editable_or_403(request, inspection)
    if not inspection.is_editable:
        return redirect("inspections:detail", pk=pk)
    if inspection.status == InspectionStatus.PLANNED:
        inspection = actions.begin_planned(request.user, inspection)
    results = _results(inspection)
    if not results:
        return redirect("inspections:detail", pk=pk)
    try:
        index = min(max(int(request.GET.get("i", "")), 0), len(results) - 1)
    except ValueError:
        index = next((n for n, r in enumerate(results) if not r.outcome), 0)
    result = results[index]
    form = ResultForm(initial={"outcome": result.outcome or None, "note": result.note, "location": result.location})
    error = ""
    if request.method == "POST":
        form = ResultForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                with transaction.atomic():
                    d = form.cleaned_data
                    actions.record_result(request.user, result, outcome=d["outcome"], note=d["note"],
                                          location=d["location"])
                    if d.get("photo"):
                        actions.add_attachment(request.user, inspection, d["photo"], result=result)
            except actions.InspectionError as exc:
                error = exc.message
            else:
                following = index + 1
                if following >= len(results):
                    url = reverse("inspections:detail", args=[pk]) + "#submit"
                else:
                    url = reverse("inspections:walk", args=[pk]) + f"?i={following}"
                if request.htmx:
                    response = HttpResponse(status=204)
                    response["HX-Location"] = url
                    return response
                return redirect(url)
    answered = sum(1 for r in results if r.outcome)
    context = {"inspection": inspection, "result": result, "form": form, "index": index, "total": len(results),
               "answered": answered, "error": error, "results": results,
               "progress": int(100 * answered / len(results))}
    return render(request, "inspections/walk.html", context, status=400 if error and not request.htmx else 200)


@login_required
@require_POST
def inspection_finding(request: HttpRequest, pk: int) -> HttpResponse:
    inspection = _visible_inspection(request, pk)
    _editable_or_403(request, inspection)
    form = FindingForm(request.POST)
    if form.is_valid():
        try:
            actions.add_finding(request.user, inspection, **form.cleaned_data)
        except actions.InspectionError as exc:
            messages.error(request, exc.message)
    else:
        messages.error(request, _("Describe what was found."))
    return redirect("inspections:detail", pk=pk)


@login_required
@require_POST
def inspection_document(request: HttpRequest, pk: int) -> HttpResponse:
    inspection = _visible_inspection(request, pk)
    _editable_or_403(request, inspection)
    form = DocumentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            actions.add_attachment(request.user, inspection, form.cleaned_data["document"],
                                   kind=AttachmentKind.DOCUMENT)
        except actions.InspectionError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Document attached."))
    else:
        messages.error(request, _("Choose a file to attach."))
    return redirect("inspections:detail", pk=pk)


@login_required
@require_POST
def inspection_submit(request: HttpRequest, pk: int) -> HttpResponse:
    inspection = _visible_inspection(request, pk)
    _editable_or_403(request, inspection)
    form = SubmitForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Check the place and coordinates."))
        return redirect("inspections:detail", pk=pk)
    d = form.cleaned_data
    try:
        with transaction.atomic():
            changed = False
            for field in ("place", "latitude", "longitude"):
                if d.get(field) not in (None, "") and getattr(inspection, field) != d[field]:
                    setattr(inspection, field, d[field])
                    changed = True
            if changed:
                inspection.save()
            hazards = actions.submit_inspection(request.user, inspection, conclusion=d["conclusion"])
            ensure_in_scope(request.user, inspection)
    except actions.InspectionError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Inspection submitted; {n} hazard(s) reported from failed items.").format(
            n=len(hazards)))
    return redirect("inspections:detail", pk=pk)


# Plans ----------------------------------------------------------------------------------

@login_required
def plan_list(request: HttpRequest) -> HttpResponse:
    _require(request, "inspections.view_inspectionplan")
    qs = (InspectionPlan.objects.visible_to(request.user)
          .select_related("area", "responsible_department", "template")
          .annotate(generated=Count("inspections", distinct=True)).order_by("-start_date", "name", "id"))
    return render(request, "inspections/plan_list.html", {
        "page": _page(request, qs), "can_add": request.user.has_perm("inspections.add_inspectionplan")})


@login_required
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    plan = get_visible_or_404(InspectionPlan.objects.select_related("area", "responsible_department", "template"),
                              request.user, pk=pk)
    inspections = (Inspection.objects.visible_to(request.user).filter(plan=plan)
                   .select_related("enterprise").order_by("-plan_period", "enterprise__name")[:200])
    return render(request, "inspections/plan_detail.html", {
        "plan": plan, "inspections": inspections, "enterprises": list(plan.enterprises.all()[:100]),
        "sectors": list(plan.sectors.all()), "inspectors": list(plan.inspectors.all()),
        "can_edit": request.user.has_perm("inspections.change_inspectionplan", plan)})


@login_required
def plan_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    plan = None
    if pk is not None:
        plan = get_visible_or_404(InspectionPlan.objects.all(), request.user, pk=pk)
        _require(request, "inspections.change_inspectionplan", plan)
    else:
        _require(request, "inspections.add_inspectionplan")
    form = PlanForm(request.POST or None, instance=plan, user=request.user,
                    initial={"start_date": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                saved = form.save(commit=False)
                if saved.created_by_id is None:
                    saved.created_by = request.user
                saved.save()
                form.save_m2m()
                ensure_in_scope(request.user, saved, "inspections.change_inspectionplan" if plan
                                else "inspections.add_inspectionplan")
        except PermissionDenied:
            form.add_error(None, _("This plan would be outside your data scope; choose an area, department "
                                   "or enterprises you supervise."))
        else:
            if request.POST.get("generate"):
                n = actions.generate_planned_inspections(plans=[saved])
                messages.success(request, _("{n} inspection(s) generated for the current period.").format(n=n))
            return redirect("inspections:plan_detail", pk=saved.pk)
    return render(request, "inspections/plan_form.html", {"form": form, "plan": plan})


@login_required
@require_POST
def plan_generate(request: HttpRequest, pk: int) -> HttpResponse:
    plan = get_visible_or_404(InspectionPlan.objects.all(), request.user, pk=pk)
    _require(request, "inspections.change_inspectionplan", plan)
    n = actions.generate_planned_inspections(plans=[plan])
    messages.success(request, _("{n} inspection(s) generated for the current period.").format(n=n))
    return redirect("inspections:plan_detail", pk=pk)


# Checklists -------------------------------------------------------------------------------

@login_required
def template_list(request: HttpRequest) -> HttpResponse:
    _require(request, "inspections.view_checklisttemplate")
    qs = (ChecklistTemplate.objects.visible_to(request.user).prefetch_related("sectors")
          .annotate(item_count=Count("items", distinct=True),
                    major_count=Count("items", filter=Q(items__major_criterion=True), distinct=True))
          .order_by("code", "-template_version"))
    return render(request, "inspections/template_list.html", {
        "page": _page(request, qs),
        "can_import": request.user.has_perm("inspections.import_checklisttemplate"),
        "can_export": request.user.has_perm("inspections.export_checklisttemplate")})


@login_required
def template_detail(request: HttpRequest, pk: int) -> HttpResponse:
    template = get_visible_or_404(ChecklistTemplate.objects.prefetch_related("sectors"), request.user, pk=pk)
    items = ChecklistItem.objects.filter(template=template).order_by("order", "id")
    return render(request, "inspections/template_detail.html", {
        "template": template, "items": items,
        "can_export": request.user.has_perm("inspections.export_checklisttemplate")})


@login_required
def template_export(request: HttpRequest) -> HttpResponse:
    _require(request, "inspections.export_checklisttemplate")
    from anjian.core import exchange

    kind = exchange.get_kind("checklists")
    params = {k: request.GET.get(k, "") for k in ("code", "version")}
    tmp = tempfile.NamedTemporaryFile(suffix=".xlsx", delete=False)  # noqa: SIM115  (streamed, then removed)
    tmp.close()
    exchange.export_workbook(kind, request.user, tmp.name, params)
    suffix = f"-{params['code']}" if params["code"] else ""
    response = FileResponse(open(tmp.name, "rb"), as_attachment=True,  # noqa: SIM115
                            filename=exchange.export_filename(kind, suffix))
    Path(tmp.name).unlink(missing_ok=True)  # the open handle keeps the data until the response is sent
    return response


@login_required
def template_import(request: HttpRequest) -> HttpResponse:
    _require(request, "inspections.import_checklisttemplate")
    from anjian.core import exchange

    kind = exchange.get_kind("checklists")
    errors: list[dict[str, Any]] = []
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            errors = [{"text": _("Choose an .xlsx file to import.")}]
        else:
            # Checklists are small (hundreds of rows): imported in the request, all or nothing.
            try:
                result = exchange.import_workbook(kind, upload, user=request.user, filename=upload.name)
            except exchange.ImportFailed as exc:
                errors = exc.as_list()
            else:
                messages.success(request, result.message)
                return redirect("inspections:template_list")
    return render(request, "inspections/template_import.html",
                  {"errors": errors, "rules": exchange.general_rules(kind), "kind": kind},
                  status=400 if errors else 200)


@login_required
def template_import_template(request: HttpRequest) -> HttpResponse:
    _require(request, "inspections.import_checklisttemplate")
    from anjian.core import exchange

    kind = exchange.get_kind("checklists")
    tmp = tempfile.NamedTemporaryFile(suffix=".xlsx", delete=False)  # noqa: SIM115
    tmp.close()
    exchange.write_template(kind, tmp.name, user=request.user)
    response = FileResponse(open(tmp.name, "rb"), as_attachment=True, filename="检查表导入模板.xlsx")  # noqa: SIM115
    Path(tmp.name).unlink(missing_ok=True)
    return response


# Self-inspection coverage --------------------------------------------------------------------

def _month_param(request: HttpRequest) -> datetime.date:
    raw = request.GET.get("month", "")
    try:
        year, month = (int(x) for x in raw.split("-"))
        return datetime.date(year, month, 1)
    except ValueError:
        return timezone.localdate().replace(day=1)


@login_required
def coverage_report(request: HttpRequest) -> HttpResponse:
    """This month's self-inspection coverage by town, department and sector, and who is missing."""
    _require(request, COVERAGE)
    from anjian.enterprises.models import Enterprise

    first = _month_param(request)
    month = month_period(first)
    enterprises = Enterprise.objects.visible_to(request.user)
    groups = breakdown(enterprises, month)
    total = coverage(enterprises, month, today=max(month.start, timezone.localdate()))
    missing = (enterprises.filter(pk__in=total.missing_ids).select_related("area").order_by("area__code", chinese("name"), "pk"))
    group_by = request.GET.get("by", "")
    key = request.GET.get("key", "")
    if group_by == "town" and key:
        missing = missing.filter(area__code__startswith=area_prefix(key))
    elif group_by == "sector" and key.isdigit():
        missing = missing.filter(sectors=int(key))
    elif group_by == "department" and key.isdigit():
        from anjian.territory.models import Supervision

        missing = missing.filter(sectors__in=Supervision.objects.filter(department_id=int(key))
                                 .values("sector_id")).distinct()
    previous = (month.start - datetime.timedelta(days=1)).replace(day=1)
    following = (month.end + datetime.timedelta(days=1))
    context = {
        "month": month, "groups": groups, "total": total, "page": _page(request, missing),
        "group_by": group_by, "key": key, "previous": previous,
        "following": following if following <= timezone.localdate() else None,
    }
    if request.htmx and request.GET.get("page"):
        return render(request, "inspections/coverage.html#missing", context)
    return render(request, "inspections/coverage.html", context)
