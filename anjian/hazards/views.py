"""Pages of the hazard ledger: list, detail with its timeline and actions, the major-hazard
sections, supervision orders, statistics reports, the dashboard and the exports.

Views are thin: they read through ``visible_to(user)`` and write through ``actions``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from anjian.enterprises.models import Enterprise
from anjian.territory.models import Area, AreaLevel, Sector
from anjian.utilities.indicators import IndicatorScope, Period, registry
from anjian.utilities.scoping import area_prefix, get_visible_or_404

from . import actions, exports, forms, orders, reports
from . import indicators as hz_indicators
from .exceptions import HazardError
from .filtersets import HazardFilter, SupervisionOrderFilter
from .models import (
    TRANSITIONS,
    DeadlineExtension,
    Hazard,
    HazardReport,
    HazardStatus,
    OrderStatus,
    ResumptionApplication,
    SupervisionOrder,
    Suspension,
)

PAGE_SIZE = 30


def _render(request: HttpRequest, template: str, context: dict[str, Any], partial: str | None = None) -> HttpResponse:
    if partial and getattr(request, "htmx", False) and not request.htmx.boosted:
        return render(request, f"{template}#{partial}", context)
    return render(request, template, context)


def _errors(exc: ValidationError) -> str:
    if hasattr(exc, "error_dict"):
        return " ".join(str(m) for msgs in exc.message_dict.values() for m in msgs)
    return " ".join(exc.messages)


def _form_errors(form: Any) -> str:
    return " ".join(f"{form.fields[k].label if k in form.fields else ''} {' '.join(v)}".strip()
                    for k, v in form.errors.items())


def _do(request: HttpRequest, back: str, work: Callable[[], Any], success: str) -> HttpResponse:
    """Run a domain action; a refusal becomes an error message in words on the page it came from."""
    try:
        work()
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    except HazardError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, success)
    return redirect(back)


def _hazard(request: HttpRequest, pk: int) -> Hazard:
    return get_visible_or_404(Hazard.all_objects.select_related("enterprise", "enterprise__area"), request.user,
                              pk=pk)


# --- the ledger --------------------------------------------------------------------------------

def _period_from(params: Any) -> Period:
    today = timezone.localdate()
    try:
        year = int(params.get("year") or today.year)
        month = int(params.get("month") or 0)
        if month:
            return Period.month(year, month)
        return Period.year(year)
    except ValueError as exc:
        raise Http404(_("Bad period.")) from exc


def ledger(request: HttpRequest) -> tuple[QuerySet, HazardFilter, dict[str, Any] | None]:
    """The hazards the user may see, optionally the rows behind an indicator, filtered."""
    base: QuerySet = Hazard.objects.visible_to(request.user)
    drill = None
    code = request.GET.get("indicator")
    params = request.GET.copy()
    if code:
        if code not in hz_indicators.CODES:
            raise Http404(_("Unknown indicator."))
        period = _period_from(request.GET)
        result = registry()[code].compute(IndicatorScope(user=request.user), period)
        which = request.GET.get("which", "rows")
        base = result.denominator_rows if which == "denominator" and result.denominator_rows is not None else result.rows
        drill = {"code": code, "name": registry()[code].name, "period": period, "which": which}
        for key in ("year", "month"):  # the period belongs to the indicator, not to the filter
            params.pop(key, None)
    f = HazardFilter(params, queryset=base)
    qs = f.qs.select_related("enterprise").order_by("-found_on", "-id")
    return qs, f, drill


@login_required
def hazard_list(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("hazards.view_hazard"):
        raise PermissionDenied
    qs, f, drill = ledger(request)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    ctx = {
        "page": page, "filter": f, "drill": drill, "today": timezone.localdate(), "query": query.urlencode(),
        "choices": forms.filter_choices(), "selected_status": request.GET.getlist("status"),
        "can_add": request.user.has_perm("hazards.add_hazard"),
        "can_export": request.user.has_perm("hazards.export_hazard"),
        "enterprise_name": Enterprise.objects.visible_to(request.user).filter(
            pk=request.GET["enterprise"]).values_list("name", flat=True).first()
        if (request.GET.get("enterprise") or "").isdigit() else None,
    }
    return _render(request, "hazards/list.html", ctx, "results")


@login_required
def hazard_export(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("hazards.export_hazard"):
        raise PermissionDenied
    qs, f, drill = ledger(request)
    if drill is not None or not f.is_valid():  # an indicator's rows, or ignored filters: in the request
        return exports.ledger_response(qs, request, title=str(drill["name"]) if drill else "")
    # The plain ledger is the registry's export (HazardKind.export_queryset: the same HazardFilter over
    # visible_to(user)); up to ANJIAN_EXPORT_INLINE_MAX_ROWS rows the file itself, more as a job,
    # audited in the ledger export's words.
    from anjian.core.exchange import export_or_job, get_kind

    kind = get_kind("hazards")
    name = str(kind.label)
    return export_or_job(
        request, kind, {key: request.GET.getlist(key) for key in request.GET if key != "page"}, queryset=qs,
        inline=lambda: exports.ledger_response(qs, request), audit_entry={
            "object_repr": name, "filters": {k: v for k, v in request.GET.items() if v},
            "message": _("Exported {n} hazards to Excel ({name}).").replace("{name}", name)})


@login_required
def hazard_create(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("hazards.add_hazard"):
        raise PermissionDenied
    initial = {"enterprise": request.GET.get("enterprise")} if request.GET.get("enterprise") else {}
    form = forms.HazardForm(request.POST or None, request.FILES or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            hazard = actions.report_hazard(
                actor=request.user, enterprise=data.pop("enterprise"), description=data.pop("description"),
                level=data.pop("level"), photos=data.pop("photos"), deadline=data.pop("deadline"),
                legal_basis=data.pop("legal_basis"), location=data.pop("location"),
                **{k: v for k, v in data.items() if v not in (None, "")})
        except ValidationError as exc:
            for field, errs in (exc.message_dict.items() if hasattr(exc, "error_dict") else [(None, exc.messages)]):
                form.add_error(field if field in form.fields else None, errs)
        else:
            messages.success(request, _("Hazard #{pk} recorded.").format(pk=hazard.pk))
            return redirect("hazards:detail", pk=hazard.pk)
    return render(request, "hazards/form.html", {"form": form, "title": _("Report a hazard"), "multipart": True})


@login_required
def hazard_detail(request: HttpRequest, pk: int) -> HttpResponse:
    hazard = get_visible_or_404(
        Hazard.all_objects.select_related("enterprise", "enterprise__area", "reporter", "verified_by",
                                          "inspection", "checklist_item"), request.user, pk=pk)
    user = request.user
    events = list(hazard.events.select_related("actor").prefetch_related("photos"))
    ctx: dict[str, Any] = {
        "hazard": hazard, "events": events, "today": timezone.localdate(),
        "photos": list(hazard.photos.all()),
        "transitions": [(t, forms.TransitionForm(prefix=t.action)) for t in hazard.available_transitions(user)],
        "verify_blockers": hazard.verify_blockers() if hazard.status == HazardStatus.RECTIFIED else [],
        "reinspections": list(hazard.reinspections.select_related("recorded_by")),
        "extensions": list(hazard.extensions.select_related("requested_by", "decided_by")),
        "orders": list(hazard.supervision_orders.select_related("area", "department")),
        "can_rectify": user.has_perm("hazards.rectify_hazard", hazard) and not hazard.is_deleted,
        "can_supervise": hazard.can_supervise(user),
        "can_add_photos": not hazard.is_deleted and hazard.status in (
            HazardStatus.REPORTED, HazardStatus.RECTIFYING, HazardStatus.RECTIFIED) and (
            user.has_perm("hazards.add_hazard", hazard) or user.has_perm("hazards.rectify_hazard", hazard)),
        "photo_form": forms.PhotoForm(initial={"kind": "after" if user.has_role("enterprise") else "before"}),
        "extension_form": forms.ExtensionRequestForm(),
        "decision_form": forms.DecisionForm(),
        "can_request_extension": (user.has_perm("hazards.rectify_hazard", hazard) and not hazard.is_deleted and
                                  hazard.status in (HazardStatus.REPORTED, HazardStatus.RECTIFYING)),
    }
    if hazard.is_major:
        plan = hazard.plan if hasattr(hazard, "plan") else None
        suspensions = list(hazard.suspensions.prefetch_related("applications"))
        ctx.update({
            "plan": plan, "plan_parts": [(p["name"], getattr(plan, p["field"], "") if plan else "")
                                         for p in forms.rules.plan_parts()],
            "double_reports": list(hazard.double_reports.select_related("department")),
            "listings": list(hazard.listings.all()),
            "suspensions": suspensions,
            "can_plan": hazard.can_plan(user),
            "can_list": user.has_perm("hazards.list_hazard", hazard) and not hazard.is_deleted,
            "double_report_form": forms.DoubleReportForm(), "listing_form": forms.ListingForm(),
            "suspension_form": forms.SuspensionForm(), "resumption_form": forms.ResumptionForm(),
            "review_form": forms.ReviewForm(), "reinspection_form": forms.ReviewForm(prefix="re"),
        })
    return render(request, "hazards/detail.html", ctx)


@login_required
@require_POST
def hazard_transition(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    hazard = _hazard(request, pk)
    back = reverse("hazards:detail", args=[pk])
    if action not in TRANSITIONS:
        raise Http404
    form = forms.TransitionForm(request.POST, request.FILES, prefix=action)
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return redirect(back)
    d = form.cleaned_data

    def work() -> None:
        if action == "submit_rectification":
            actions.submit_rectification(actor=request.user, hazard=hazard, evidence=d["evidence"],
                                         comment=d["comment"], photos=d["photos"], rectified_on=d["rectified_on"])
        elif action in ("verify", "reject"):
            actions.run_transition(action, actor=request.user, hazard=hazard, comment=d["comment"],
                                   inspected_on=d["inspected_on"])
        elif action == "cancel":
            actions.cancel_hazard(actor=request.user, hazard=hazard, reason=d["comment"])
        else:
            actions.run_transition(action, actor=request.user, hazard=hazard, comment=d["comment"])

    response = _do(request, back, work, _("Done: {action}.").format(action=TRANSITIONS[action].label))
    if action == "cancel" and not Hazard.objects.filter(pk=pk).exists():
        return redirect("hazards:list")
    return response


@login_required
@require_POST
def hazard_photos(request: HttpRequest, pk: int) -> HttpResponse:
    hazard = _hazard(request, pk)
    form = forms.PhotoForm(request.POST, request.FILES)
    back = reverse("hazards:detail", args=[pk])
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return redirect(back)
    return _do(request, back, lambda: actions.add_photos(actor=request.user, hazard=hazard,
                                                         photos=form.cleaned_data["photos"],
                                                         kind=form.cleaned_data["kind"]), _("Photos added."))


def _posted(request: HttpRequest, form_class: type, back: str, work: Callable[[dict], Any], success: str,
            **kw: Any) -> HttpResponse:
    form = form_class(request.POST, **kw)
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return redirect(back)
    return _do(request, back, lambda: work(form.cleaned_data), success)


@login_required
def hazard_plan(request: HttpRequest, pk: int) -> HttpResponse:
    hazard = _hazard(request, pk)
    if not hazard.can_plan(request.user):
        raise PermissionDenied
    plan = hazard.plan if hasattr(hazard, "plan") else None
    form = forms.PlanForm(request.POST or None, instance=plan)
    if request.method == "POST" and form.is_valid():
        try:
            actions.save_remediation_plan(actor=request.user, hazard=hazard, **form.cleaned_data)
        except (ValidationError, HazardError) as exc:
            messages.error(request, _errors(exc) if isinstance(exc, ValidationError) else str(exc))
        else:
            messages.success(request, _("Remediation plan saved."))
            return redirect("hazards:detail", pk=pk)
    return render(request, "hazards/form.html", {
        "form": form, "title": _("Remediation plan (16号令第十五条)"), "hazard": hazard,
        "back": reverse("hazards:detail", args=[pk])})


@login_required
@require_POST
def hazard_double_report(request: HttpRequest, pk: int) -> HttpResponse:
    hazard = _hazard(request, pk)
    return _posted(request, forms.DoubleReportForm, reverse("hazards:detail", args=[pk]),
                   lambda d: actions.record_double_report(actor=request.user, hazard=hazard, **d),
                   _("Report recorded."))


@login_required
@require_POST
def hazard_listing(request: HttpRequest, pk: int) -> HttpResponse:
    hazard = _hazard(request, pk)
    return _posted(request, forms.ListingForm, reverse("hazards:detail", args=[pk]),
                   lambda d: actions.list_for_supervision(actor=request.user, hazard=hazard, **d),
                   _("Listed for supervision."))


@login_required
@require_POST
def hazard_extension(request: HttpRequest, pk: int) -> HttpResponse:
    hazard = _hazard(request, pk)
    return _posted(request, forms.ExtensionRequestForm, reverse("hazards:detail", args=[pk]),
                   lambda d: actions.request_extension(actor=request.user, hazard=hazard, **d),
                   _("Extension requested."))


@login_required
@require_POST
def extension_decide(request: HttpRequest, pk: int) -> HttpResponse:
    ext = get_visible_or_404(DeadlineExtension.objects.all(), request.user, pk=pk)
    return _posted(request, forms.DecisionForm, reverse("hazards:detail", args=[ext.hazard_id]),
                   lambda d: actions.decide_extension(actor=request.user, extension=ext, **d),
                   _("Decision recorded."))


@login_required
@require_POST
def hazard_suspension(request: HttpRequest, pk: int) -> HttpResponse:
    hazard = _hazard(request, pk)
    return _posted(request, forms.SuspensionForm, reverse("hazards:detail", args=[pk]),
                   lambda d: actions.order_suspension(actor=request.user, hazard=hazard, **d),
                   _("Suspension recorded."))


@login_required
@require_POST
def suspension_resumption(request: HttpRequest, pk: int) -> HttpResponse:
    s = get_visible_or_404(Suspension.objects.all(), request.user, pk=pk)
    return _posted(request, forms.ResumptionForm, reverse("hazards:detail", args=[s.hazard_id]),
                   lambda d: actions.apply_resumption(actor=request.user, suspension=s, **d),
                   _("Application to resume submitted."))


@login_required
@require_POST
def resumption_review(request: HttpRequest, pk: int) -> HttpResponse:
    app = get_visible_or_404(ResumptionApplication.objects.select_related("suspension"), request.user, pk=pk)
    return _posted(request, forms.ReviewForm, reverse("hazards:detail", args=[app.suspension.hazard_id]),
                   lambda d: actions.review_resumption(actor=request.user, application=app, passed=d["passed"],
                                                       opinion=d["opinion"], reviewed_on=d["on"]),
                   _("Review recorded."))


@login_required
@require_POST
def hazard_reinspection(request: HttpRequest, pk: int) -> HttpResponse:
    hazard = _hazard(request, pk)
    return _posted(request, forms.ReviewForm, reverse("hazards:detail", args=[pk]),
                   lambda d: actions.record_reinspection(actor=request.user, hazard=hazard, passed=d["passed"],
                                                         opinion=d["opinion"], inspected_on=d["on"]),
                   _("Re-inspection recorded."), prefix="re")


# --- major hazards overview ---------------------------------------------------------------------

@login_required
def major_overview(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("hazards.view_hazard"):
        raise PermissionDenied
    today = timezone.localdate()
    hazards = (Hazard.objects.visible_to(request.user).open_major().select_related("enterprise")
               .annotate(n_listings=Count("listings", distinct=True),
                         has_plan=Count("plan", distinct=True),
                         n_reports=Count("double_reports__kind", distinct=True),
                         n_suspended=Count("suspensions", filter=Q(suspensions__lifted_on__isnull=True),
                                           distinct=True))
               .order_by("deadline", "pk"))
    page = Paginator(hazards, PAGE_SIZE).get_page(request.GET.get("page"))
    reviews = (ResumptionApplication.objects.visible_to(request.user).filter(reviewed_on__isnull=True)
               .select_related("suspension__hazard__enterprise").order_by("review_due", "pk")[:100])
    return render(request, "hazards/major.html", {"page": page, "reviews": reviews, "today": today})


# --- supervision orders -------------------------------------------------------------------------

@login_required
def order_list(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("hazards.view_supervisionorder"):
        raise PermissionDenied
    base = SupervisionOrder.objects.visible_to(request.user)
    f = SupervisionOrderFilter(request.GET, queryset=base)
    qs = f.qs.select_related("hazard__enterprise", "area", "department").order_by("-issued_at", "-id")
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return _render(request, "hazards/orders.html", {"page": page, "filter": f, "today": timezone.localdate(),
                                                    "statuses": OrderStatus.choices}, "results")


@login_required
def order_detail(request: HttpRequest, pk: int) -> HttpResponse:
    order = get_visible_or_404(SupervisionOrder.objects.select_related("hazard__enterprise", "area", "department",
                                                                       "answered_by", "escalated_from"),
                               request.user, pk=pk)
    user = request.user
    return render(request, "hazards/order_detail.html", {
        "order": order, "today": timezone.localdate(),
        "can_answer": order.status != OrderStatus.CLOSED and user.has_perm("hazards.answer_supervisionorder", order),
        "can_close": order.status != OrderStatus.CLOSED and user.has_perm("hazards.close_supervisionorder", order),
        "answer_form": forms.OrderAnswerForm(), "close_form": forms.OrderCloseForm(),
    })


@login_required
@require_POST
def order_answer(request: HttpRequest, pk: int) -> HttpResponse:
    order = get_visible_or_404(SupervisionOrder.objects.all(), request.user, pk=pk)
    return _posted(request, forms.OrderAnswerForm, reverse("hazards:order_detail", args=[pk]),
                   lambda d: orders.answer_order(actor=request.user, order=order, answer=d["answer"]),
                   _("Answer recorded."))


@login_required
@require_POST
def order_close(request: HttpRequest, pk: int) -> HttpResponse:
    order = get_visible_or_404(SupervisionOrder.objects.all(), request.user, pk=pk)
    return _posted(request, forms.OrderCloseForm, reverse("hazards:order_detail", args=[pk]),
                   lambda d: orders.close_order(actor=request.user, order=order, reason=d["reason"]),
                   _("Order closed."))


# --- statistics reports -------------------------------------------------------------------------

@login_required
def report_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not user.has_perm("hazards.view_hazardreport"):
        raise PermissionDenied
    periods = reports.filing_periods(count=6)
    try:
        year, quarter = (int(x) for x in request.GET.get("period", "").split("-"))
    except ValueError:
        year, quarter = periods[0]
    submitted = (HazardReport.objects.visible_to(user).select_related("enterprise")
                 .filter(status="submitted").order_by("-year", "-quarter", "enterprise__name"))
    ctx: dict[str, Any] = {"periods": [(f"{y}-{q}", forms.period_label(y, q)) for y, q in periods],
                           "period": f"{year}-{quarter}", "period_label": forms.period_label(year, quarter),
                           "recent": submitted[:50]}
    if user.has_perm("hazards.submit_hazardreport"):
        ctx["submit_form"] = forms.ReportSubmitForm(user=user, periods=periods)
    else:
        ents = Enterprise.objects.visible_to(user).exclude(status="closed").only("pk", "name", "area")
        town = request.GET.get("town") or ""
        if town:
            ents = ents.filter(area__code__startswith=area_prefix(town))
        state = request.GET.get("state") or ""
        rows = reports.filing_status(ents.order_by("name", "pk"), year, quarter)
        counts = {s: sum(1 for r in rows if r.state == s) for s in ("on_time", "late", "missing", "not_due")}
        if state:
            rows = [r for r in rows if r.state == state]
        ctx.update({"filing": Paginator(rows, 50).get_page(request.GET.get("page")), "counts": counts,
                    "deadline": forms.rules.report_deadline(year, quarter or None), "state": state, "town": town,
                    "towns": Area.objects.filter(level=AreaLevel.TOWN).values_list("code", "name")})
    return _render(request, "hazards/reports.html", ctx, "results")


@login_required
@require_POST
def report_submit(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("hazards.submit_hazardreport"):
        raise PermissionDenied
    form = forms.ReportSubmitForm(request.POST, user=request.user, periods=reports.filing_periods(count=6))
    back = reverse("hazards:reports")
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return redirect(back)
    d = form.cleaned_data
    year, quarter = d["period"]
    return _do(request, back, lambda: reports.submit_report(
        actor=request.user, enterprise=d["enterprise"], year=year, quarter=quarter, principal=d["principal"],
        notes=d["notes"]), _("Report submitted."))


@login_required
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    report = get_visible_or_404(HazardReport.objects.select_related("enterprise", "submitted_by"), request.user, pk=pk)
    return render(request, "hazards/report_detail.html", {"report": report})


# --- dashboard ---------------------------------------------------------------------------------

def _list_url(**params: Any) -> str:
    return reverse("hazards:list") + "?" + urlencode({k: v for k, v in params.items() if v not in (None, "")})


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not user.has_perm("hazards.view_hazard"):
        raise PermissionDenied
    form = forms.DashboardForm(request.GET or None)
    today = timezone.localdate()
    year, town = today.year, ""
    if form.is_valid():
        year = form.cleaned_data["year"] or today.year
        town = form.cleaned_data["town"] or ""
    period = Period.year(year)
    scope = IndicatorScope(user=user, area_code=town or None)
    codes = list(hz_indicators.CODES)
    kpis = hz_indicators.compute_many(codes, scope, period)
    reg = registry()
    cards = []
    for code in codes:
        r = kpis[code]
        cards.append({
            "code": code, "name": reg[code].name, "unit": reg[code].unit, "result": r,
            "url": _list_url(indicator=code, year=year, town=town),
            "denominator_url": _list_url(indicator=code, year=year, town=town, which="denominator")
            if r.denominator is not None else "",
            "export_url": reverse("hazards:indicator_export", args=[code]) + "?" + urlencode(
                {k: v for k, v in {"year": year, "town": town}.items() if v}),
        })
    prefix = area_prefix(town) if town else None
    towns = list(Area.objects.filter(level=AreaLevel.TOWN).order_by("code").values_list("code", "name"))
    if prefix:
        towns = [(c, n) for c, n in towns if c.startswith(prefix)]
    by_town = hz_indicators.breakdown_many(
        ["hazards.found", "hazards.rectification_rate", "hazards.major_open", "hazards.major_overdue"],
        scope, period, "town", [c for c, _n in towns]) or {}
    months = list(range(1, 13))
    by_month = hz_indicators.breakdown_many(["hazards.found", "hazards.rectification_rate"], scope, period,
                                            "month", months) or {}
    sectors = list(Sector.objects.order_by("sort_order", "code").values_list("pk", "code", "name"))
    by_sector = hz_indicators.breakdown_many(["hazards.found", "hazards.rectification_rate"], scope, period,
                                             "sector", [pk for pk, _c, _n in sectors]) or {}

    def num(r: Any) -> float | None:
        return float(r.value) if r is not None and r.value is not None else None

    charts = {
        "months": [{"label": str(m), "found": by_month["hazards.found"][m].numerator,
                    "rectified": by_month["hazards.rectification_rate"][m].numerator,
                    "rate": num(by_month["hazards.rectification_rate"][m]),
                    "url": _list_url(indicator="hazards.found", year=year, month=m, town=town)} for m in months],
        "towns": [{"label": name, "found": by_town["hazards.found"][code].numerator,
                   "rate": num(by_town["hazards.rectification_rate"][code]),
                   "major_open": by_town["hazards.major_open"][code].numerator,
                   "major_overdue": by_town["hazards.major_overdue"][code].numerator,
                   "url": _list_url(indicator="hazards.found", year=year, town=code),
                   "major_url": _list_url(indicator="hazards.major_open", year=year, town=code),
                   "overdue_url": _list_url(indicator="hazards.major_overdue", year=year, town=code)}
                  for code, name in towns],
        "sectors": [{"label": name, "found": by_sector["hazards.found"][pk].numerator,
                     "rate": num(by_sector["hazards.rectification_rate"][pk]),
                     "url": _list_url(indicator="hazards.found", year=year, town=town, sector=code)}
                    for pk, code, name in sectors if by_sector["hazards.found"][pk].numerator],
    }
    return render(request, "hazards/dashboard.html", {
        "form": form, "year": year, "town": town, "cards": cards, "charts": charts, "today": today,
        "town_rows": charts["towns"], "overdue_url": _list_url(overdue="true", town=town),
        "orders_url": reverse("hazards:orders") + "?status=open",
    })


@login_required
def indicator_export(request: HttpRequest, code: str) -> HttpResponse:
    """The rows behind one hazard indicator as .xlsx (``?year=&month=&town=&which=``)."""
    if code not in hz_indicators.CODES:
        raise Http404
    if not request.user.has_perm("hazards.export_hazard"):
        raise PermissionDenied
    period = _period_from(request.GET)
    town = request.GET.get("town") or request.GET.get("area_code") or None
    result = registry()[code].compute(IndicatorScope(user=request.user, area_code=town), period)
    which = request.GET.get("which", "rows")
    rows = result.denominator_rows if which == "denominator" and result.denominator_rows is not None else result.rows
    title = f"{registry()[code].name} {period.start:%Y-%m-%d}—{period.end:%Y-%m-%d}"
    return exports.ledger_response(rows.select_related("enterprise").order_by("-found_on", "-id"), request,
                                   title=title, indicator=code, result=result)

