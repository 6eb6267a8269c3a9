"""Pages: the accident list, detail (reports timeline, investigation), create/edit with the
grade shown live, and the statistics base, on the generic views of ``anjian.utilities.views``.
Thin: forms check input, ``actions`` change rows."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch, Sum
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from anjian.core import clock
from anjian.utilities.scoping import get_visible_or_404
from anjian.utilities.views import (
    ObjectActionView,
    ObjectDetailView,
    ObjectEditView,
    ObjectListView,
)

from . import actions, forms
from .filters import AccidentFilterSet, StatisticsBaseFilterSet
from .models import (
    BASE_FIGURES,
    Accident,
    AccidentEvent,
    Investigation,
    RectificationMeasure,
    StatisticsBase,
)
from .rules import Grade, grade_for

PAGE_SIZE = 50

COLUMNS = [{"label": label} for label in (
    gettext_lazy("Time"), gettext_lazy("Accident"), gettext_lazy("Town"), gettext_lazy("Sector"), gettext_lazy("Type"),
    gettext_lazy("Deaths"), gettext_lazy("Serious injuries"), gettext_lazy("Grade"), gettext_lazy("Report"),
    gettext_lazy("Investigation"))]
BASE_COLUMNS = [{"label": label} for label in (
    gettext_lazy("Year"), gettext_lazy("Area"), gettext_lazy("GDP (亿元)"), gettext_lazy("工矿商贸 employees"),
    gettext_lazy("Special-equipment units"), gettext_lazy("Schools"), gettext_lazy("Villages / communities"),
    gettext_lazy("Above-scale enterprises"))]


class AccidentListView(ObjectListView):
    """The accidents in scope, filtered, with the totals of what the filter selects."""

    model = Accident
    filterset_class = AccidentFilterSet
    template_name = "accidents/accident_list.html"
    results_template = "accidents/_results.html"
    rows_template = "accidents/_row.html"
    columns = COLUMNS
    empty_text = gettext_lazy("No accidents match.")
    filter_label = gettext_lazy("Filter accidents")
    actions = ("add", "import", "export")
    paginate_by = PAGE_SIZE
    ordering = ("-occurred_at", "-id")

    def get_rows(self, request: HttpRequest, filterset: Any) -> Any:
        self.totals = filterset.qs.aggregate(n=Count("pk"), deaths=Sum("deaths"), serious=Sum("serious_injuries"),
                                             loss=Sum("direct_loss"))
        return self.order(filterset.qs.select_related("area__parent", "enterprise", "sector", "accident_type",
                                                      "investigation"))

    def get_extra_context(self, request: HttpRequest, **context: Any) -> dict[str, Any]:
        return {"totals": self.totals}


accident_list = AccidentListView.as_view()


def _accident(request: HttpRequest, pk: int) -> Accident:
    qs = Accident.objects.select_related("area__parent", "enterprise", "sector", "accident_type")
    return get_visible_or_404(qs, request.user, pk=pk)  # type: ignore[return-value]


class AccidentDetailView(ObjectDetailView):
    """The accident, its reports timeline and its investigation (with the forms of the next steps)."""

    model = Accident
    queryset = Accident.objects.select_related("area__parent", "enterprise", "sector", "accident_type")
    template_name = "accidents/accident_detail.html"

    def get_extra_context(self, request: HttpRequest, **context: Any) -> dict[str, Any]:
        accident, user = context["accident"], request.user
        investigation = (Investigation.objects.filter(accident=accident)
                         .prefetch_related("accountabilities",
                                           Prefetch("measures",
                                                    RectificationMeasure.objects.select_related("checked_by")))
                         .first())
        can_investigate = user.has_perm("accidents.manage_investigation", accident)
        ctx = {
            "reports": list(accident.reports.select_related("reporter")),
            "events": list(AccidentEvent.objects.filter(accident=accident).select_related("actor")),
            "investigation": investigation, "rules": accident.reporting_rules,
            "can_change": user.has_perm("accidents.change_accident", accident),
            "can_report": user.has_perm("accidents.add_accidentreport", accident),
            "can_investigate": can_investigate,
            "report_form": forms.FollowUpReportForm(initial={
                "reported_at": clock.now().replace(second=0, microsecond=0), "deaths": accident.deaths,
                "serious_injuries": accident.serious_injuries, "minor_injuries": accident.minor_injuries}),
        }
        if can_investigate:
            ctx.update(_investigation_forms(accident, investigation))
        return ctx


accident_detail = AccidentDetailView.as_view()


def _investigation_forms(accident: Accident, inv: Investigation | None) -> dict[str, Any]:
    today = clock.today()
    if inv is None:
        return {"start_form": forms.StartInvestigationForm(initial={"started_on": today})}
    out: dict[str, Any] = {}
    if inv.status == "ongoing":
        out["extend_form"] = forms.ExtendInvestigationForm()
        out["report_form_inv"] = forms.InvestigationReportForm(initial={"submitted_on": today})
    if inv.can_edit_findings():
        out["accountability_form"] = forms.AccountabilityForm()
        out["measure_form"] = forms.MeasureForm()
    if inv.can_approve():
        out["approve_form"] = forms.ApproveInvestigationForm(initial={"approved_on": today})
    if inv.can_check_measures():
        out["check_form"] = forms.MeasureCheckForm(initial={"checked_on": today, "done": True})
    return out


class AccidentEditView(ObjectEditView):
    """Record an accident or correct one; the grade is shown live as the figures are typed."""

    model = Accident
    queryset = Accident.objects.select_related("area__parent", "enterprise", "sector", "accident_type")
    form_class = forms.AccidentForm
    template_name = "accidents/accident_form.html"
    success_url_name = "accidents:detail"
    outside_scope_message = gettext_lazy("This accident would be outside your data scope.")

    def get_form_kwargs(self, request: HttpRequest, obj: Any) -> dict[str, Any]:
        return {"instance": obj, "user": request.user}

    def save(self, request: HttpRequest, form: Any, obj: Accident | None) -> Accident:
        if obj is None:
            return actions.record_accident(request.user, **form.action_fields())
        return actions.update_accident(request.user, obj.pk, **form.action_fields())

    def success_message(self, saved: Accident, created: bool) -> str:
        if created:
            return _("Accident {number} recorded: {grade}.").format(number=saved.number,
                                                                    grade=saved.get_grade_display())
        return _("Accident saved.")

    def get_success_url(self, saved: Any) -> str:
        return reverse("accidents:detail", args=[saved.pk if saved is not None else self.object.pk])

    def get_extra_context(self, request: HttpRequest, **context: Any) -> dict[str, Any]:
        return {"accident": self.object, "grade": _preview(context["form"])}


accident_create = AccidentEditView.as_view()
accident_edit = AccidentEditView.as_view()


def _preview(form: Any) -> dict[str, Any] | None:
    """The grade the figures in the form give (for the live preview)."""
    data = form.data if form.is_bound else None
    instance = form.instance if form.instance.pk else None

    def number(name: str, default: Any = 0) -> Any:
        from decimal import Decimal, InvalidOperation

        raw = data.get(name) if data is not None else None
        if raw in (None, "") and instance is not None:
            return getattr(instance, name)
        try:
            return Decimal(str(raw)) if name == "direct_loss" else int(raw)
        except (TypeError, ValueError, InvalidOperation):
            return default

    deaths, serious, loss = number("deaths"), number("serious_injuries"), number("direct_loss")
    grade = grade_for(deaths, serious, loss, (instance.occurred_at if instance else None))
    return {"grade": grade, "label": Grade(grade).label, "deaths": deaths, "serious": serious, "loss": loss}


@login_required
@require_POST
def grade_preview(request: HttpRequest) -> HttpResponse:
    """The live grade of the create/edit form (htmx)."""
    if not (request.user.has_perm("accidents.add_accident") or request.user.has_perm("accidents.change_accident")):
        raise PermissionDenied
    instance = None
    if request.GET.get("pk", "").isdigit():  # the edit form: its toll fields are disabled, so not posted
        instance = _accident(request, int(request.GET["pk"]))
    form = forms.AccidentForm(request.POST, instance=instance, user=request.user)
    return render(request, "accidents/accident_form.html#grade", {"grade": _preview(form)})


# --- reports and investigation -------------------------------------------------------------------------------

class AccidentStep(ObjectActionView):
    """One posted step on an accident: validate the form, run the action, say how it went, back to the
    accident's page. ``permission`` is checked on the accident (403); the rules refuse in words."""

    model = Accident
    back_url_name = "accidents:detail"


class FollowUpReportView(AccidentStep):
    permission = "accidents.view_accident"  # add_follow_up_report checks the role's own permission
    form_class = forms.FollowUpReportForm
    success = gettext_lazy("Follow-up report recorded.")

    def perform(self, request: HttpRequest, obj: Any, data: dict[str, Any], **kwargs: Any) -> Any:
        return actions.add_follow_up_report(
            request.user, obj, reported_at=data["reported_at"], deaths=data["deaths"],
            serious_injuries=data["serious_injuries"], minor_injuries=data["minor_injuries"],
            direct_loss=data["direct_loss"], text=data["text"])


add_report = FollowUpReportView.as_view()


INVESTIGATION_STEPS = {
    "start": (forms.StartInvestigationForm, lambda u, a, d: actions.start_investigation(u, a, **d),
              gettext_lazy("Investigation started.")),
    "extend": (forms.ExtendInvestigationForm, lambda u, a, d: actions.extend_investigation(u, a, **d),
               gettext_lazy("Investigation extended.")),
    "report": (forms.InvestigationReportForm, lambda u, a, d: actions.submit_investigation_report(u, a, **d),
               gettext_lazy("Investigation report submitted.")),
    "approve": (forms.ApproveInvestigationForm, lambda u, a, d: actions.approve_investigation(u, a, **d),
                gettext_lazy("Investigation report approved.")),
    "accountability": (forms.AccountabilityForm, lambda u, a, d: actions.add_accountability(u, a, **d),
                       gettext_lazy("Accountability recorded.")),
    "measure": (forms.MeasureForm, lambda u, a, d: actions.add_rectification_measure(u, a, **d),
                gettext_lazy("Rectification measure recorded.")),
    "close": (None, lambda u, a, d: actions.close_investigation(u, a), gettext_lazy("Investigation closed.")),
}


class InvestigationStepView(AccidentStep):
    """``POST /accidents/<pk>/investigation/<step>/``: one step of the investigation."""

    permission = "accidents.manage_investigation"

    def get_form(self, request: HttpRequest, obj: Any, **kwargs: Any) -> Any:
        if kwargs["step"] not in INVESTIGATION_STEPS:
            raise Http404
        form_class = INVESTIGATION_STEPS[kwargs["step"]][0]
        return form_class(request.POST, request.FILES) if form_class else None

    def perform(self, request: HttpRequest, obj: Any, data: dict[str, Any], **kwargs: Any) -> Any:
        return INVESTIGATION_STEPS[kwargs["step"]][1](request.user, obj, data)

    def success_message(self, request: HttpRequest, obj: Any, **kwargs: Any) -> str:
        return str(INVESTIGATION_STEPS[kwargs["step"]][2])


investigation_step = InvestigationStepView.as_view()


class MeasureCheckView(AccidentStep):
    """The follow-up check of one rectification measure of the accident's investigation."""

    permission = "accidents.manage_investigation"
    form_class = forms.MeasureCheckForm
    success = gettext_lazy("Check recorded.")

    def perform(self, request: HttpRequest, obj: Any, data: dict[str, Any], **kwargs: Any) -> Any:
        measure = get_visible_or_404(RectificationMeasure.objects.all(), request.user, pk=kwargs["measure_pk"],
                                     investigation__accident=obj)
        return actions.check_rectification_measure(request.user, measure, done=data["done"],
                                                   checked_on=data["checked_on"], result=data["result"])


check_measure = MeasureCheckView.as_view()


# --- statistics base -----------------------------------------------------------------------------------------

class StatisticsBaseListView(ObjectListView):
    model = StatisticsBase
    queryset = StatisticsBase.objects.select_related("area")
    filterset_class = StatisticsBaseFilterSet
    template_name = "accidents/base_list.html"
    rows_template = "accidents/_base_row.html"
    columns = BASE_COLUMNS
    empty_text = gettext_lazy("No statistics base yet: the death rates show no data until one is entered.")
    actions = ("add", "import")
    paginate_by = PAGE_SIZE
    ordering = ("-year", "area_id")

    def get_extra_context(self, request: HttpRequest, **context: Any) -> dict[str, Any]:
        return {"year": context["query"].get("year", "")}


base_list = StatisticsBaseListView.as_view()


class StatisticsBaseDetailView(ObjectDetailView):
    model = StatisticsBase
    queryset = StatisticsBase.objects.select_related("area")
    template_name = "accidents/base_detail.html"
    context_object_name = "base"

    def get_extra_context(self, request: HttpRequest, **context: Any) -> dict[str, Any]:
        base = context["base"]
        return {"figures": [(base._meta.get_field(f).verbose_name, getattr(base, f), getattr(base, s))
                            for f, s in BASE_FIGURES],
                "can_change": request.user.has_perm("accidents.change_statisticsbase", base)}


base_detail = StatisticsBaseDetailView.as_view()


class StatisticsBaseEditView(ObjectEditView):
    model = StatisticsBase
    form_class = forms.StatisticsBaseForm
    template_name = "accidents/base_form.html"
    success_url_name = "accidents:base_detail"

    def before_save(self, request: HttpRequest, unsaved: StatisticsBase) -> None:
        if self.object is not None:
            unsaved.version += 1

    def success_message(self, saved: Any, created: bool) -> str:
        return _("Statistics base saved.")

    def get_extra_context(self, request: HttpRequest, **context: Any) -> dict[str, Any]:
        return {"base": self.object}


base_edit = StatisticsBaseEditView.as_view()
