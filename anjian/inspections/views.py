"""Pages: inspections (list, detail, create, the phone walk-through, submit), the
monthly self-inspection, plans, checklists (list, detail, import, export) and
the self-inspection coverage report. Every read goes through ``visible_to``; lists, details,
forms and steps are the generic views of ``anjian.utilities.views``."""

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
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from anjian.core import clock
from anjian.utilities.ordering import chinese
from anjian.utilities.scoping import area_prefix, ensure_in_scope, get_visible_or_404
from anjian.utilities.views import (
    ObjectActionView,
    ObjectDetailView,
    ObjectEditView,
    ObjectListView,
)

from . import actions
from .checklists import template_for, templates_for
from .coverage import breakdown, coverage, month_period
from .filters import ChecklistFilterSet, InspectionFilterSet, InspectionPlanFilterSet
from .forms import (
    DocumentForm,
    FindingForm,
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

INSPECTION_COLUMNS = [{"label": label} for label in (
    gettext_lazy("Date"), gettext_lazy("Enterprise"), gettext_lazy("Kind"), gettext_lazy("Inspectors"),
    gettext_lazy("Status"), gettext_lazy("Failed items"))]
PLAN_COLUMNS = [{"label": label} for label in (
    gettext_lazy("Name"), gettext_lazy("Kind"), gettext_lazy("Frequency"), gettext_lazy("Responsible unit"),
    gettext_lazy("Period"), gettext_lazy("Generated"))]
CHECKLIST_COLUMNS = [{"label": label} for label in (
    gettext_lazy("Name"), gettext_lazy("Version"), gettext_lazy("Sectors"), gettext_lazy("Items"),
    gettext_lazy("Major-hazard items"), gettext_lazy("In force"))]


class InspectionListView(ObjectListView):
    model = Inspection
    queryset = (Inspection.objects.select_related("enterprise", "enterprise__area", "template")
                .prefetch_related("inspectors")
                .annotate(failed=Count("results", filter=Q(results__outcome=Outcome.FAIL))))
    filterset_class = InspectionFilterSet
    template_name = "inspections/inspection_list.html"
    results_template = "inspections/_results.html"
    rows_template = "inspections/_row.html"
    columns = INSPECTION_COLUMNS
    empty_text = gettext_lazy("No inspections match.")
    filter_label = gettext_lazy("Filter inspections")
    paginate_by = PAGE_SIZE
    ordering = ("-date", "-id")

    def get_extra_context(self, request: HttpRequest, **context: Any) -> dict[str, Any]:
        return {"can_add": context["can_add"] and bool(allowed_kinds(request.user))}


inspection_list = InspectionListView.as_view()


def _visible_inspection(request: HttpRequest, pk: int) -> Inspection:
    return get_visible_or_404(Inspection.objects.select_related("enterprise", "template", "plan"), request.user, pk=pk)


def _results(inspection: Inspection) -> list[InspectionResult]:
    return list(inspection.results.select_related("item").prefetch_related(
        Prefetch("attachments", queryset=InspectionAttachment.objects.order_by("id"))))


def _hazards_of(inspection: Inspection) -> list[Any]:
    """The hazards this inspection raised."""
    from anjian.hazards.models import Hazard

    return list(Hazard.objects.filter(inspection=inspection).order_by("id"))


class InspectionDetailView(ObjectDetailView):
    model = Inspection
    queryset = Inspection.objects.select_related("enterprise", "template", "plan")
    template_name = "inspections/inspection_detail.html"

    def get_extra_context(self, request: HttpRequest, **context: Any) -> dict[str, Any]:
        inspection = context["inspection"]
        results = _results(inspection)
        return {
            "results": results,
            "documents": [a for a in inspection.attachments.all() if a.kind == AttachmentKind.DOCUMENT],
            "can_edit": inspection.is_editable and request.user.has_perm("inspections.change_inspection", inspection),
            "counts": {o: sum(1 for r in results if r.outcome == o) for o in Outcome.values},
            "unanswered": sum(1 for r in results if not r.outcome),
            "hazards": _hazards_of(inspection) if inspection.status == InspectionStatus.SUBMITTED else [],
            "inspectors": list(inspection.inspectors.all()),
            "submit_form": SubmitForm(initial={"conclusion": inspection.conclusion, "place": inspection.place}),
            "document_form": DocumentForm(), "finding_form": FindingForm(),
        }


inspection_detail = InspectionDetailView.as_view()


class InspectionCreateView(ObjectEditView):
    """Start an inspection (``?enterprise=&kind=&template=`` fill the form), then walk through it."""

    model = Inspection
    form_class = InspectionForm
    template_name = "inspections/inspection_form.html"

    def check_permission(self, request: HttpRequest, obj: Any = None) -> None:
        super().check_permission(request, obj)
        if not allowed_kinds(request.user):
            raise PermissionDenied

    def get_form(self, request: HttpRequest, obj: Any) -> Any:
        initial: dict[str, Any] = {"date": clock.today()}
        initial.update({key: request.GET[key] for key in ("enterprise", "kind", "template") if request.GET.get(key)})
        return InspectionForm(request.POST if request.method == "POST" else None, user=request.user, initial=initial)

    def save(self, request: HttpRequest, form: Any, obj: Any) -> Inspection:
        d = form.cleaned_data
        return actions.start_inspection(
            request.user, enterprise=d["enterprise"], kind=d["kind"], date=d["date"], template=d["template"],
            inspectors=list(d["inspectors"]), place=d["place"], latitude=d["latitude"], longitude=d["longitude"],
            campaign=d["campaign"], record_number=d["record_number"])

    def success_message(self, saved: Any, created: bool) -> str:
        return _("Inspection started. Walk through the checklist item by item.")

    def get_success_url(self, saved: Any) -> str:
        return reverse("inspections:walk", args=[saved.pk])


inspection_create = InspectionCreateView.as_view()


@login_required
def self_inspect(request: HttpRequest) -> HttpResponse:
    """The enterprise's self-inspection of this month: open it, or start it from its sector's template."""
    _require(request, SELF_INSPECT)
    from anjian.enterprises.models import Enterprise

    enterprises = list(Enterprise.objects.visible_to(request.user).filter(
        pk__in=request.user.role_assignments.filter(enterprise__isnull=False).values("enterprise_id"))
        .prefetch_related("sectors"))
    today = clock.today()
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
    refused = error or (request.method == "POST" and form.errors)
    return render(request, "inspections/walk.html", context, status=400 if refused and not request.htmx else 200)


class InspectionStep(ObjectActionView):
    """One posted step on an inspection that may still change (403 otherwise)."""

    model = Inspection
    queryset = Inspection.objects.select_related("enterprise", "template", "plan")
    permission = "inspections.change_inspection"
    back_url_name = "inspections:detail"


class FindingView(InspectionStep):
    form_class = FindingForm
    success = gettext_lazy("Finding recorded.")

    def perform(self, request: HttpRequest, obj: Any, data: dict[str, Any], **kwargs: Any) -> Any:
        return actions.add_finding(request.user, obj, **data)


class DocumentView(InspectionStep):
    form_class = DocumentForm
    success = gettext_lazy("Document attached.")

    def perform(self, request: HttpRequest, obj: Any, data: dict[str, Any], **kwargs: Any) -> Any:
        return actions.add_attachment(request.user, obj, data["document"], kind=AttachmentKind.DOCUMENT)


class SubmitView(InspectionStep):
    """Submit: the place and coordinates may be corrected on the way; each failed item becomes a hazard."""

    form_class = SubmitForm

    def perform(self, request: HttpRequest, obj: Any, data: dict[str, Any], **kwargs: Any) -> Any:
        with transaction.atomic():
            # The action corrects the place on the way (and records it in the submission's event).
            self.hazards = actions.submit_inspection(request.user, obj, conclusion=data["conclusion"],
                                                     **{f: data.get(f) for f in actions.PLACE_FIELDS})
            ensure_in_scope(request.user, obj, "inspections.change_inspection")

    def success_message(self, request: HttpRequest, obj: Any, **kwargs: Any) -> str:
        return _("Inspection submitted; {n} hazard(s) reported from failed items.").format(n=len(self.hazards))


inspection_finding = FindingView.as_view()
inspection_document = DocumentView.as_view()
inspection_submit = SubmitView.as_view()


# Plans ----------------------------------------------------------------------------------

class PlanListView(ObjectListView):
    model = InspectionPlan
    queryset = (InspectionPlan.objects.select_related("area", "responsible_department", "template")
                .annotate(generated=Count("inspections", distinct=True)))
    filterset_class = InspectionPlanFilterSet
    template_name = "inspections/plan_list.html"
    rows_template = "inspections/_plan_row.html"
    columns = PLAN_COLUMNS
    empty_text = gettext_lazy("No plans yet.")
    paginate_by = PAGE_SIZE
    ordering = ("-start_date", "name", "id")


plan_list = PlanListView.as_view()


class PlanDetailView(ObjectDetailView):
    model = InspectionPlan
    queryset = InspectionPlan.objects.select_related("area", "responsible_department", "template")
    template_name = "inspections/plan_detail.html"
    context_object_name = "plan"

    def get_extra_context(self, request: HttpRequest, **context: Any) -> dict[str, Any]:
        plan = context["plan"]
        return {
            "inspections": (Inspection.objects.visible_to(request.user).filter(plan=plan).select_related("enterprise")
                            .order_by("-plan_period", "enterprise__name")[:200]),
            "enterprises": list(plan.enterprises.all()[:100]), "sectors": list(plan.sectors.all()),
            "inspectors": list(plan.inspectors.all()),
            "can_edit": request.user.has_perm("inspections.change_inspectionplan", plan)}


plan_detail = PlanDetailView.as_view()


class PlanEditView(ObjectEditView):
    """Create or edit a plan; "generate" also creates this period's planned inspections."""

    model = InspectionPlan
    form_class = PlanForm
    template_name = "inspections/plan_form.html"
    success_url_name = "inspections:plan_detail"
    outside_scope_message = gettext_lazy("This plan would be outside your data scope; choose an area, department "
                                         "or enterprises you supervise.")

    def get_form_kwargs(self, request: HttpRequest, obj: Any) -> dict[str, Any]:
        return {"instance": obj, "user": request.user, "initial": {"start_date": clock.today()}}

    def before_save(self, request: HttpRequest, unsaved: InspectionPlan) -> None:
        if unsaved.created_by_id is None:
            unsaved.created_by = request.user

    def success_message(self, saved: Any, created: bool) -> str:
        if self.request.POST.get("generate"):
            n = actions.generate_planned_inspections(plans=[saved])
            return _("{n} inspection(s) generated for the current period.").format(n=n)
        return _("The changes were saved.")

    def get_extra_context(self, request: HttpRequest, **context: Any) -> dict[str, Any]:
        return {"plan": self.object}


plan_edit = PlanEditView.as_view()


class PlanGenerateView(ObjectActionView):
    model = InspectionPlan
    permission = "inspections.change_inspectionplan"
    back_url_name = "inspections:plan_detail"

    def perform(self, request: HttpRequest, obj: Any, data: dict[str, Any], **kwargs: Any) -> Any:
        self.generated = actions.generate_planned_inspections(plans=[obj])

    def success_message(self, request: HttpRequest, obj: Any, **kwargs: Any) -> str:
        return _("{n} inspection(s) generated for the current period.").format(n=self.generated)


plan_generate = PlanGenerateView.as_view()


# Checklists -------------------------------------------------------------------------------

class ChecklistListView(ObjectListView):
    model = ChecklistTemplate
    queryset = ChecklistTemplate.objects.prefetch_related("sectors").annotate(
        item_count=Count("items", distinct=True),
        major_count=Count("items", filter=Q(items__major_criterion=True), distinct=True))
    filterset_class = ChecklistFilterSet
    template_name = "inspections/template_list.html"
    rows_template = "inspections/_checklist_row.html"
    columns = CHECKLIST_COLUMNS
    empty_text = gettext_lazy("No checklists.")
    actions = ("import", "export")
    paginate_by = PAGE_SIZE
    ordering = ("code", "-template_version")


template_list = ChecklistListView.as_view()


class ChecklistDetailView(ObjectDetailView):
    model = ChecklistTemplate
    queryset = ChecklistTemplate.objects.prefetch_related("sectors")
    template_name = "inspections/template_detail.html"
    context_object_name = "template"

    def get_extra_context(self, request: HttpRequest, **context: Any) -> dict[str, Any]:
        return {"items": ChecklistItem.objects.filter(template=context["template"]).order_by("order", "id"),
                "can_export": request.user.has_perm("inspections.export_checklisttemplate")}


template_detail = ChecklistDetailView.as_view()


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
        return clock.today().replace(day=1)


@login_required
def coverage_report(request: HttpRequest) -> HttpResponse:
    """This month's self-inspection coverage by town, department and sector, and who is missing."""
    _require(request, COVERAGE)
    from anjian.enterprises.models import Enterprise

    first = _month_param(request)
    month = month_period(first)
    enterprises = Enterprise.objects.visible_to(request.user)
    groups = breakdown(enterprises, month)
    total = coverage(enterprises, month, today=max(month.start, clock.today()))
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
        "following": following if following <= clock.today() else None,
    }
    if request.htmx and request.GET.get("page"):
        return render(request, "inspections/coverage.html#missing", context)
    return render(request, "inspections/coverage.html", context)
