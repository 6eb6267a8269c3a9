"""Pages: the accident list, detail (reports timeline, investigation), create/edit with the
grade shown live, and the statistics base. Thin: forms check input, ``actions`` change rows."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Prefetch, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from anjian.territory.models import Area, AreaLevel, Sector
from anjian.utilities.scoping import area_prefix, ensure_in_scope, get_visible_or_404

from . import actions, forms
from .models import (
    BASE_FIGURES,
    Accident,
    AccidentEvent,
    AccidentTypeCode,
    Investigation,
    RectificationMeasure,
    StatisticsBase,
)
from .rules import Grade, grade_for

PAGE_SIZE = 50


def _filters(request: HttpRequest, qs: Any) -> tuple[Any, dict[str, str]]:
    """Apply the list filters (year, town, sector, grade, type, late) from the query string."""
    values = {k: request.GET.get(k, "").strip() for k in ("year", "town", "sector", "grade", "type", "late", "q")}
    if values["year"].isdigit():
        qs = qs.in_year(int(values["year"]))
    if values["town"].isdigit():
        qs = qs.filter(area__code__startswith=area_prefix(values["town"]))
    if values["sector"]:
        qs = qs.filter(sector__code=values["sector"])
    if values["grade"] in Grade.values:
        qs = qs.filter(grade=values["grade"])
    if values["type"].isdigit():
        qs = qs.filter(accident_type_id=int(values["type"]))
    if values["late"] == "1":
        qs = qs.filter(reported_late=True)
    if values["q"]:
        from django.db.models import Q

        qs = qs.filter(Q(place__icontains=values["q"]) | Q(enterprise__name__icontains=values["q"])
                       | Q(number__icontains=values["q"]))
    return qs, values


@login_required
@permission_required("accidents.view_accident", raise_exception=True)
def accident_list(request: HttpRequest) -> HttpResponse:
    qs = Accident.objects.visible_to(request.user)
    qs, values = _filters(request, qs)
    totals = qs.aggregate(n=Count("pk"), deaths=Sum("deaths"), serious=Sum("serious_injuries"),
                          loss=Sum("direct_loss"))
    rows = qs.select_related("area__parent", "enterprise", "sector", "accident_type", "investigation")
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page, "totals": totals, "filters": values,
        "towns": Area.objects.filter(level=AreaLevel.TOWN).order_by("code"),
        "sectors": Sector.objects.all(), "grades": Grade.choices,
        "types": AccidentTypeCode.objects.all(),
        "years": range(timezone.localdate().year, 2006, -1),
        "can_add": request.user.has_perm("accidents.add_accident"),
        "can_export": request.user.has_perm("accidents.export_accident"),
        "can_import": request.user.has_perm("accidents.import_accident"),
    }
    template = "accidents/accident_list.html#rows" if request.htmx else "accidents/accident_list.html"
    return render(request, template, context)


def _accident(request: HttpRequest, pk: int) -> Accident:
    qs = Accident.objects.select_related("area__parent", "enterprise", "sector", "accident_type")
    return get_visible_or_404(qs, request.user, pk=pk)  # type: ignore[return-value]


@login_required
def accident_detail(request: HttpRequest, pk: int) -> HttpResponse:
    accident = _accident(request, pk)
    user = request.user
    investigation = (Investigation.objects.filter(accident=accident)
                     .prefetch_related("accountabilities",
                                       Prefetch("measures", RectificationMeasure.objects.select_related("checked_by")))
                     .first())
    reports = list(accident.reports.select_related("reporter"))
    events = list(AccidentEvent.objects.filter(accident=accident).select_related("actor"))
    can_investigate = user.has_perm("accidents.manage_investigation", accident)
    context = {
        "accident": accident, "reports": reports, "events": events, "investigation": investigation,
        "rules": accident.reporting_rules,
        "can_change": user.has_perm("accidents.change_accident", accident),
        "can_report": user.has_perm("accidents.add_accidentreport", accident),
        "can_investigate": can_investigate,
        "report_form": forms.FollowUpReportForm(initial={
            "reported_at": timezone.localtime().replace(second=0, microsecond=0), "deaths": accident.deaths,
            "serious_injuries": accident.serious_injuries, "minor_injuries": accident.minor_injuries}),
    }
    if can_investigate:
        context.update(_investigation_forms(accident, investigation))
    return render(request, "accidents/accident_detail.html", context)


def _investigation_forms(accident: Accident, inv: Investigation | None) -> dict[str, Any]:
    today = timezone.localdate()
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


@login_required
@permission_required("accidents.add_accident", raise_exception=True)
def accident_create(request: HttpRequest) -> HttpResponse:
    form = forms.AccidentForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            accident = actions.record_accident(request.user, **form.action_fields())
        except (ValidationError, actions.ActionError, PermissionDenied) as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("Accident {number} recorded: {grade}.").format(
                number=accident.number, grade=accident.get_grade_display()))
            return redirect("accidents:detail", pk=accident.pk)
    return render(request, "accidents/accident_form.html", {"form": form, "accident": None,
                                                            "grade": _preview(form)})


@login_required
def accident_edit(request: HttpRequest, pk: int) -> HttpResponse:
    accident = _accident(request, pk)
    if not request.user.has_perm("accidents.change_accident", accident):
        raise PermissionDenied
    form = forms.AccidentForm(request.POST or None, instance=accident, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            actions.update_accident(request.user, accident.pk, **form.action_fields())
        except (ValidationError, actions.ActionError, PermissionDenied) as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("Accident saved."))
            return redirect("accidents:detail", pk=accident.pk)
    return render(request, "accidents/accident_form.html", {"form": form, "accident": accident,
                                                            "grade": _preview(form)})


def _form_error(form: Any, exc: Exception) -> None:
    if isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    elif isinstance(exc, ValidationError):
        form.add_error(None, exc.messages)
    elif isinstance(exc, PermissionDenied):
        form.add_error(None, _("This accident would be outside your data scope."))
    else:
        form.add_error(None, str(exc))


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

def _run(request: HttpRequest, accident: Accident, form: Any, call: Any, done: str) -> HttpResponse:
    """Validate ``form``, run the action ``call(cleaned_data)``, report in words, back to the detail page."""
    if not form.is_valid():
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            messages.error(request, f"{label}: {' '.join(errors)}" if label else " ".join(errors))
    else:
        try:
            call(form.cleaned_data)
        except actions.ActionError as exc:
            messages.error(request, str(exc))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, done)
    return redirect("accidents:detail", pk=accident.pk)


@login_required
@require_POST
def add_report(request: HttpRequest, pk: int) -> HttpResponse:
    accident = _accident(request, pk)
    form = forms.FollowUpReportForm(request.POST)
    return _run(request, accident, form, lambda d: actions.add_follow_up_report(
        request.user, accident, reported_at=d["reported_at"], deaths=d["deaths"],
        serious_injuries=d["serious_injuries"], minor_injuries=d["minor_injuries"], direct_loss=d["direct_loss"],
        text=d["text"]), _("Follow-up report recorded."))


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


@login_required
@require_POST
def investigation_step(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    accident = _accident(request, pk)
    if step not in INVESTIGATION_STEPS:
        from django.http import Http404

        raise Http404
    if not request.user.has_perm("accidents.manage_investigation", accident):
        raise PermissionDenied
    form_class, call, done = INVESTIGATION_STEPS[step]
    form = form_class(request.POST, request.FILES) if form_class else _NoForm()
    return _run(request, accident, form, lambda d: call(request.user, accident, d), str(done))


class _NoForm:
    errors: dict[str, Any] = {}
    cleaned_data: dict[str, Any] = {}
    fields: dict[str, Any] = {}

    def is_valid(self) -> bool:
        return True


@login_required
@require_POST
def check_measure(request: HttpRequest, pk: int, measure_pk: int) -> HttpResponse:
    accident = _accident(request, pk)
    if not request.user.has_perm("accidents.manage_investigation", accident):
        raise PermissionDenied
    measure = get_visible_or_404(RectificationMeasure.objects.all(), request.user, pk=measure_pk,
                                 investigation__accident=accident)
    form = forms.MeasureCheckForm(request.POST)
    return _run(request, accident, form, lambda d: actions.check_rectification_measure(
        request.user, measure, done=d["done"], checked_on=d["checked_on"], result=d["result"]),
        _("Check recorded."))


# --- statistics base -----------------------------------------------------------------------------------------

@login_required
@permission_required("accidents.view_statisticsbase", raise_exception=True)
def base_list(request: HttpRequest) -> HttpResponse:
    qs = StatisticsBase.objects.visible_to(request.user).select_related("area")
    year = request.GET.get("year", "").strip()
    if year.isdigit():
        qs = qs.filter(year=int(year))
    years = (StatisticsBase.objects.visible_to(request.user).order_by("-year")
             .values_list("year", flat=True).distinct())
    page = Paginator(qs.order_by("-year", "area_id"), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"page": page, "year": year, "years": list(years),
               "can_add": request.user.has_perm("accidents.add_statisticsbase"),
               "can_import": request.user.has_perm("accidents.import_statisticsbase")}
    template = "accidents/base_list.html#rows" if request.htmx else "accidents/base_list.html"
    return render(request, template, context)


@login_required
def base_detail(request: HttpRequest, pk: int) -> HttpResponse:
    base = get_visible_or_404(StatisticsBase.objects.select_related("area"), request.user, pk=pk)
    figures = [(base._meta.get_field(f).verbose_name, getattr(base, f), getattr(base, s))
               for f, s in BASE_FIGURES]
    return render(request, "accidents/base_detail.html", {
        "base": base, "figures": figures,
        "can_change": request.user.has_perm("accidents.change_statisticsbase", base)})


@login_required
def base_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    base = get_visible_or_404(StatisticsBase.objects.all(), request.user, pk=pk) if pk else None
    perm = "accidents.change_statisticsbase" if base else "accidents.add_statisticsbase"
    if not request.user.has_perm(perm):
        raise PermissionDenied
    form = forms.StatisticsBaseForm(request.POST or None, instance=base)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            obj = form.save(commit=False)
            if base is not None:
                obj.version += 1
            obj.save()
            ensure_in_scope(request.user, obj)
        messages.success(request, _("Statistics base saved."))
        return redirect("accidents:base_detail", pk=obj.pk)
    return render(request, "accidents/base_form.html", {"form": form, "base": base})

