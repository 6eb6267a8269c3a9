"""Pages of the hazard ledger: list, detail with its timeline and actions, the major-hazard
sections, supervision orders, statistics reports, the dashboard and the exports.

Views are thin: the generic views of ``anjian.utilities.views`` read through ``visible_to(user)``,
and every step writes through ``actions`` (``HazardStep``: one line per step).
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
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from anjian.core import clock
from anjian.enterprises.models import Enterprise
from anjian.indicators.registry import IndicatorScope, Period, registry
from anjian.territory.models import Area, AreaLevel, Sector
from anjian.utilities.scoping import area_prefix, get_visible_or_404
from anjian.utilities.views import (
    ObjectActionView,
    ObjectDetailView,
    ObjectEditView,
    ObjectListView,
    errors_in_words,
    form_errors_in_words,
    wants_partial,
)
from anjian.utilities.workflow import Refusal

from . import actions, exports, forms, orders, reports
from . import indicators as hz_indicators
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
    if partial and wants_partial(request):
        return render(request, f"{template}#{partial}", context)
    return render(request, template, context)


def _do(request: HttpRequest, back: str, work: Callable[[], Any], success: str) -> HttpResponse:
    """Run a domain action; a refusal becomes an error message in words on the page it came from."""
    try:
        work()
    except ValidationError as exc:
        messages.error(request, errors_in_words(exc))
    except Refusal as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, success)
    return redirect(back)


# --- the ledger --------------------------------------------------------------------------------

def _period_from(params: Any) -> Period:
    today = clock.today()
    try:
        year = int(params.get("year") or today.year)
        month = int(params.get("month") or 0)
        if month:
            return Period.month(year, month)
        return Period.year(year)
    except ValueError as exc:
        raise Http404(_("Bad period.")) from exc


def ledger(request: HttpRequest, params: QueryDict | None = None) -> tuple[QuerySet, HazardFilter, dict[str, Any] | None]:
    """The hazards the user may see, optionally the rows behind an indicator, filtered."""
    base: QuerySet = Hazard.objects.visible_to(request.user)
    drill = None
    params = (request.GET if params is None else params).copy()
    code = params.get("indicator")
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
    f = HazardFilter(params, queryset=base, request=request)
    if drill is not None:
        period = drill["period"]
        f.layout = {"main": f.layout["main"], "more": ("sector", "department")}
        f.extra_hidden = (("year", str(period.start.year)),) + (
            (("month", str(period.start.month)),) if period.start.month == period.end.month else ())
    qs = f.qs.select_related("enterprise").order_by("-found_on", "-id")
    return qs, f, drill


COLUMNS = [{"label": gettext_lazy("Number")}, {"label": gettext_lazy("Enterprise")}, {"label": gettext_lazy("Hazard")},
           {"label": gettext_lazy("Level")}, {"label": gettext_lazy("Status")}, {"label": gettext_lazy("Found")},
           {"label": gettext_lazy("Deadline")}]


class HazardListView(ObjectListView):
    """The ledger (隐患台账), or the rows behind an indicator (``?indicator=&year=&month=&which=``)."""

    model = Hazard
    filterset_class = HazardFilter
    template_name = "hazards/list.html"
    results_template = "hazards/_results.html"
    rows_template = "hazards/_row.html"
    columns = COLUMNS
    empty_text = gettext_lazy("No hazards match.")
    filter_label = gettext_lazy("Filter hazards")
    actions = ("add", "export")
    paginate_by = PAGE_SIZE
    ordering = ("-found_on", "-id")

    def get_filterset(self, request: HttpRequest, queryset: QuerySet, query: QueryDict) -> HazardFilter:
        self.rows, f, self.drill = ledger(request, query)
        return f

    def get_rows(self, request: HttpRequest, filterset: HazardFilter) -> QuerySet:
        return self.rows

    def get_extra_context(self, request: HttpRequest, **context: Any) -> dict[str, Any]:
        user, enterprise = request.user, context["filter"].form.cleaned_data.get("enterprise")
        return {
            "drill": self.drill, "today": clock.today(),
            "enterprise_name": Enterprise.objects.visible_to(user).filter(pk=enterprise).values_list(
                "name", flat=True).first() if enterprise else None,
        }


hazard_list = HazardListView.as_view()


@login_required
def hazard_export(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("hazards.export_hazard"):
        raise PermissionDenied
    qs, f, drill = ledger(request)
    if not f.is_valid():
        from anjian.core.exchange.exporting import refused_filters
        from anjian.core.exchange.kinds import filterset_errors

        return refused_filters(request, filterset_errors(f))
    if drill is not None:  # an indicator's rows: in the request
        return exports.ledger_response(qs, request, title=str(drill["name"]))
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


class HazardCreateView(ObjectEditView):
    """Report a hazard (``?enterprise=<id>`` chooses the enterprise)."""

    model = Hazard
    form_class = forms.HazardForm
    template_name = "hazards/form.html"
    success_url_name = "hazards:detail"

    def get_form(self, request: HttpRequest, obj: Any) -> Any:
        initial = {"enterprise": request.GET.get("enterprise")} if request.GET.get("enterprise") else {}
        data = (request.POST, request.FILES) if request.method == "POST" else (None, None)
        return forms.HazardForm(*data, user=request.user, initial=initial)

    def save(self, request: HttpRequest, form: Any, obj: Any) -> Hazard:
        data = dict(form.cleaned_data)
        return actions.report_hazard(
            actor=request.user, enterprise=data.pop("enterprise"), description=data.pop("description"),
            level=data.pop("level"), photos=data.pop("photos"), deadline=data.pop("deadline"),
            legal_basis=data.pop("legal_basis"), location=data.pop("location"),
            **{k: v for k, v in data.items() if v not in (None, "")})

    def success_message(self, saved: Hazard, created: bool) -> str:
        return _("Hazard #{pk} recorded.").format(pk=saved.pk)

    def get_extra_context(self, request: HttpRequest, **context: Any) -> dict[str, Any]:
        return {"title": _("Report a hazard"), "multipart": True}


hazard_create = HazardCreateView.as_view()


class HazardDetailView(ObjectDetailView):
    """The hazard, its timeline and what the user may do with it now."""

    model = Hazard
    queryset = Hazard.all_objects.select_related("enterprise", "enterprise__area", "reporter", "verified_by",
                                                 "inspection", "checklist_item")
    template_name = "hazards/detail.html"

    def check_permission(self, request: HttpRequest, obj: Any = None) -> None:
        # A withdrawn hazard is out of the scoped manager (so out of has_perm's object check) but stays
        # readable by whoever sees its enterprise: it came through get_visible_or_404 on all_objects.
        super().check_permission(request, None if obj is not None and obj.is_deleted else obj)

    def get_extra_context(self, request: HttpRequest, **context: Any) -> dict[str, Any]:
        hazard, user = context["hazard"], request.user
        ctx: dict[str, Any] = {
            "events": list(hazard.events.select_related("actor").prefetch_related("photos")),
            "today": clock.today(),
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
            ctx.update({
                "plan": plan, "plan_parts": [(p["name"], getattr(plan, p["field"], "") if plan else "")
                                             for p in forms.rules.plan_parts()],
                "double_reports": list(hazard.double_reports.select_related("department")),
                "listings": list(hazard.listings.all()),
                "suspensions": list(hazard.suspensions.prefetch_related("applications")),
                "can_plan": hazard.can_plan(user),
                "can_list": user.has_perm("hazards.list_hazard", hazard) and not hazard.is_deleted,
                "double_report_form": forms.DoubleReportForm(), "listing_form": forms.ListingForm(),
                "suspension_form": forms.SuspensionForm(), "resumption_form": forms.ResumptionForm(),
                "review_form": forms.ReviewForm(), "reinspection_form": forms.ReviewForm(prefix="re"),
            })
        return ctx


hazard_detail = HazardDetailView.as_view()


# --- actions on a hazard (and on its extensions, suspensions, orders) ------------------------------

class HazardStep(ObjectActionView):
    """One posted step: ``run(actor, obj, cleaned_data)`` does it through ``actions``; the step's
    guard decides who may (a refusal in words, or 403). ``hazard_of`` names the hazard whose page
    the user goes back to."""

    model = Hazard
    queryset = Hazard.all_objects.select_related("enterprise", "enterprise__area")
    permission = None  # the action's guard decides
    back_url_name = "hazards:detail"
    run: Callable[..., Any] = staticmethod(lambda actor, obj, data: None)
    hazard_of: Callable[[Any], int] = staticmethod(lambda obj: obj.pk)

    def perform(self, request: HttpRequest, obj: Any, data: dict[str, Any], **kwargs: Any) -> Any:
        return self.run(request.user, obj, data)

    def get_back_url(self, request: HttpRequest, obj: Any, **kwargs: Any) -> str:
        return reverse(self.back_url_name, args=[self.hazard_of(obj)])


def _transition(actor: Any, hazard: Hazard, action: str, d: dict[str, Any]) -> Any:
    if action == "submit_rectification":
        return actions.submit_rectification(actor=actor, hazard=hazard, evidence=d["evidence"], comment=d["comment"],
                                            photos=d["photos"], rectified_on=d["rectified_on"])
    if action in ("verify", "reject"):
        return actions.run_transition(action, actor=actor, hazard=hazard, comment=d["comment"],
                                      inspected_on=d["inspected_on"])
    if action == "cancel":
        actions.cancel_hazard(actor=actor, hazard=hazard, reason=d["comment"])
        if not Hazard.objects.filter(pk=hazard.pk).exists():  # withdrawn: back to the ledger
            return redirect("hazards:list")
        return None
    return actions.run_transition(action, actor=actor, hazard=hazard, comment=d["comment"])


class HazardTransitionView(HazardStep):
    """``POST /hazards/<pk>/transition/<action>/``: one step of the closed loop."""

    form_class = forms.TransitionForm

    def get_form(self, request: HttpRequest, obj: Any, **kwargs: Any) -> Any:
        if kwargs["action"] not in TRANSITIONS:
            raise Http404
        return forms.TransitionForm(request.POST, request.FILES, prefix=kwargs["action"])

    def perform(self, request: HttpRequest, obj: Any, data: dict[str, Any], **kwargs: Any) -> Any:
        return _transition(request.user, obj, kwargs["action"], data)

    def success_message(self, request: HttpRequest, obj: Any, **kwargs: Any) -> str:
        return _("Done: {action}.").format(action=TRANSITIONS[kwargs["action"]].label)


hazard_transition = HazardTransitionView.as_view()


class HazardPhotosView(HazardStep):
    """Add photos; a refused file shows the page again with the reason in words, and a 400."""

    form_class = forms.PhotoForm
    success = gettext_lazy("Photos added.")
    run = staticmethod(lambda actor, hazard, d: actions.add_photos(actor=actor, hazard=hazard, photos=d["photos"],
                                                                   kind=d["kind"]))

    def post(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        hazard = self.get_object(request, **kwargs)
        form = self.get_form(request, hazard)
        if form.is_valid():
            return super().post(request, **kwargs)
        messages.error(request, form_errors_in_words(form))
        detail = HazardDetailView()
        detail.setup(request, **kwargs)
        return detail.render(request, {"object": hazard, "hazard": hazard, **detail.get_extra_context(
            request, hazard=hazard)}, status=400)


hazard_photos = HazardPhotosView.as_view()


class HazardPlanView(ObjectEditView):
    """The remediation plan of a major hazard (16号令第十五条)."""

    model = Hazard
    form_class = forms.PlanForm
    template_name = "hazards/form.html"
    success_url_name = "hazards:detail"

    def check_permission(self, request: HttpRequest, obj: Any = None) -> None:
        if obj is None or not obj.can_plan(request.user):
            raise PermissionDenied

    def get_form_kwargs(self, request: HttpRequest, obj: Any) -> dict[str, Any]:
        return {"instance": obj.plan if hasattr(obj, "plan") else None}

    def save(self, request: HttpRequest, form: Any, obj: Any) -> Any:
        actions.save_remediation_plan(actor=request.user, hazard=obj, **form.cleaned_data)
        return obj

    def success_message(self, saved: Any, created: bool) -> str:
        return _("Remediation plan saved.")

    def get_extra_context(self, request: HttpRequest, **context: Any) -> dict[str, Any]:
        return {"title": _("Remediation plan (16号令第十五条)"), "hazard": self.object,
                "back": reverse("hazards:detail", args=[self.object.pk])}


hazard_plan = HazardPlanView.as_view()

hazard_double_report = HazardStep.as_view(
    form_class=forms.DoubleReportForm, success=gettext_lazy("Report recorded."),
    run=lambda actor, hazard, d: actions.record_double_report(actor=actor, hazard=hazard, **d))
hazard_listing = HazardStep.as_view(
    form_class=forms.ListingForm, success=gettext_lazy("Listed for supervision."),
    run=lambda actor, hazard, d: actions.list_for_supervision(actor=actor, hazard=hazard, **d))
hazard_extension = HazardStep.as_view(
    form_class=forms.ExtensionRequestForm, success=gettext_lazy("Extension requested."),
    run=lambda actor, hazard, d: actions.request_extension(actor=actor, hazard=hazard, **d))
hazard_suspension = HazardStep.as_view(
    form_class=forms.SuspensionForm, success=gettext_lazy("Suspension recorded."),
    run=lambda actor, hazard, d: actions.order_suspension(actor=actor, hazard=hazard, **d))
hazard_reinspection = HazardStep.as_view(
    form_class=forms.ReviewForm, form_prefix="re", success=gettext_lazy("Re-inspection recorded."),
    run=lambda actor, hazard, d: actions.record_reinspection(actor=actor, hazard=hazard, passed=d["passed"],
                                                             opinion=d["opinion"], inspected_on=d["on"]))
extension_decide = HazardStep.as_view(
    model=DeadlineExtension, queryset=DeadlineExtension.objects.all(), form_class=forms.DecisionForm,
    success=gettext_lazy("Decision recorded."), hazard_of=lambda ext: ext.hazard_id,
    run=lambda actor, ext, d: actions.decide_extension(actor=actor, extension=ext, **d))
suspension_resumption = HazardStep.as_view(
    model=Suspension, queryset=Suspension.objects.all(), form_class=forms.ResumptionForm,
    success=gettext_lazy("Application to resume submitted."), hazard_of=lambda s: s.hazard_id,
    run=lambda actor, s, d: actions.apply_resumption(actor=actor, suspension=s, **d))
resumption_review = HazardStep.as_view(
    model=ResumptionApplication, queryset=ResumptionApplication.objects.select_related("suspension"),
    form_class=forms.ReviewForm, success=gettext_lazy("Review recorded."),
    hazard_of=lambda app: app.suspension.hazard_id,
    run=lambda actor, app, d: actions.review_resumption(actor=actor, application=app, passed=d["passed"],
                                                        opinion=d["opinion"], reviewed_on=d["on"]))


# --- major hazards overview ---------------------------------------------------------------------

@login_required
def major_overview(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("hazards.view_hazard"):
        raise PermissionDenied
    today = clock.today()
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
    return _render(request, "hazards/orders.html", {"page": page, "filter": f, "today": clock.today(),
                                                    "statuses": OrderStatus.choices}, "results")


@login_required
def order_detail(request: HttpRequest, pk: int) -> HttpResponse:
    order = get_visible_or_404(SupervisionOrder.objects.select_related("hazard__enterprise", "area", "department",
                                                                       "answered_by", "escalated_from"),
                               request.user, pk=pk)
    user = request.user
    return render(request, "hazards/order_detail.html", {
        "order": order, "today": clock.today(),
        "can_answer": order.status != OrderStatus.CLOSED and user.has_perm("hazards.answer_supervisionorder", order),
        "can_close": order.status != OrderStatus.CLOSED and user.has_perm("hazards.close_supervisionorder", order),
        "answer_form": forms.OrderAnswerForm(), "close_form": forms.OrderCloseForm(),
    })


order_answer = HazardStep.as_view(
    model=SupervisionOrder, queryset=SupervisionOrder.objects.all(), back_url_name="hazards:order_detail",
    form_class=forms.OrderAnswerForm, success=gettext_lazy("Answer recorded."),
    run=lambda actor, order, d: orders.answer_order(actor=actor, order=order, answer=d["answer"]))
order_close = HazardStep.as_view(
    model=SupervisionOrder, queryset=SupervisionOrder.objects.all(), back_url_name="hazards:order_detail",
    form_class=forms.OrderCloseForm, success=gettext_lazy("Order closed."),
    run=lambda actor, order, d: orders.close_order(actor=actor, order=order, reason=d["reason"]))


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
        messages.error(request, form_errors_in_words(form))
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
    today = clock.today()
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

