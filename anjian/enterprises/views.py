"""The enterprise registry pages: list (filters, sorting, paging), detail with history, create and edit.

The generic views of ``anjian.utilities.views`` read through ``Enterprise.objects.visible_to(user)``;
an enterprise outside the user's scope is a 404. Import and export live in ``views_io.py``.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from anjian.core.models import AuditEntry
from anjian.territory.models import Area, Department, Sector
from anjian.utilities.ordering import chinese_order
from anjian.utilities.scoping import ensure_in_scope, get_visible_or_404
from anjian.utilities.views import ObjectDetailView, ObjectEditView, ObjectListView

from .filters import EnterpriseFilterSet
from .forms import EnterpriseContactForm, EnterpriseForm, VersionedForm, form_class_for
from .models import Enterprise

PAGE_SIZE = 50
HISTORY_PAGE_SIZE = 20
HISTORY_HIDDEN = {"id", "is_demo"}
# Where a change came from (core.context.ChangeContext.source), in words.
SOURCES = {
    "api": gettext_lazy("through the API"), "job": gettext_lazy("background job"),
    "command": gettext_lazy("command line"), "system": gettext_lazy("system"),
}

DEFAULT_SORT = "name"
# Sortable columns of the list: (query value, header).
SORTABLE = {
    "name": gettext_lazy("Name"),
    "credit_code": gettext_lazy("Credit code"),
    "area": gettext_lazy("Town / community"),
    "employees": gettext_lazy("Employees"),
    "status": gettext_lazy("Status"),
}

OUTSIDE_SCOPE = gettext_lazy(
    "This change would put the enterprise outside your data scope (area or sectors), so it was not saved."
)


def sort_columns(query: QueryDict) -> list[dict[str, Any]]:
    """The table's columns: the sortable ones link to their sort order, the sectors do not sort."""
    sort = query.get("sort", "") or DEFAULT_SORT
    columns = {
        key: {"label": label, "sorted": sort.lstrip("-") == key, "descending": sort == f"-{key}",
              "next": f"-{key}" if sort == key else key}
        for key, label in SORTABLE.items()
    }
    columns["employees"]["css"] = "text-md-end"
    ordered = [columns["name"], columns["credit_code"], columns["area"], {"label": _("Sectors")}]
    return [*ordered, columns["employees"], columns["status"]]


# ---------------------------------------------------------------------------------------
# List
# ---------------------------------------------------------------------------------------
class EnterpriseListView(ObjectListView):
    model = Enterprise
    queryset = Enterprise.objects.select_related("area__parent").prefetch_related(
        Prefetch("sectors", queryset=Sector.objects.only("id", "name", "code")))
    filterset_class = EnterpriseFilterSet
    template_name = "enterprises/enterprise_list.html"
    results_template = "enterprises/_results.html"
    rows_template = "enterprises/_row.html"
    empty_text = gettext_lazy("No enterprise matches these filters.")
    filter_label = gettext_lazy("Filter enterprises")
    actions = ("add", "import", "export")
    paginate_by = PAGE_SIZE
    # Names in pinyin order (the filter's sort does the same); the primary key keeps the pages stable.
    ordering = (chinese_order(DEFAULT_SORT),)
    query_defaults = {"sort": DEFAULT_SORT}

    def get_extra_context(self, request: HttpRequest, **context: Any) -> dict[str, Any]:
        query = context["query"]
        return {"columns": sort_columns(query), "export_query": _without(query, "page", "sort").urlencode()}


enterprise_list = EnterpriseListView.as_view()


def _without(query: QueryDict, *keys: str) -> QueryDict:
    query = query.copy()
    for key in keys:
        query.pop(key, None)
    return query


# ---------------------------------------------------------------------------------------
# Detail and its change history
# ---------------------------------------------------------------------------------------
def _detail_queryset():  # type: ignore[no-untyped-def]
    return Enterprise.objects.select_related("area__parent").prefetch_related(
        Prefetch("sectors", queryset=Sector.objects.select_related("parent")), "departments"
    )


class EnterpriseDetailView(ObjectDetailView):
    """The record with its change history (htmx pages through the history alone)."""

    model = Enterprise
    queryset = _detail_queryset()
    template_name = "enterprises/enterprise_detail.html"
    partial = "history"

    def get_extra_context(self, request: HttpRequest, **context: Any) -> dict[str, Any]:
        enterprise = context["enterprise"]
        entries = AuditEntry.objects.filter(object_type=Enterprise._meta.label_lower, object_id=str(enterprise.pk))
        history = Paginator(entries, HISTORY_PAGE_SIZE).get_page(request.GET.get("page"))
        return {
            "history": history,
            "history_rows": describe_changes(list(history)),
            "can_edit": request.user.has_perm("enterprises.change_enterprise", enterprise),
        }


enterprise_detail = EnterpriseDetailView.as_view()


def describe_changes(entries: list[AuditEntry]) -> list[dict[str, Any]]:
    """The audit entries of an enterprise in words: field labels and old → new values."""
    fields = {f.attname: f for f in Enterprise._meta.concrete_fields}
    m2m = {f.name: f for f in Enterprise._meta.many_to_many}
    area_codes: set[str] = set()
    sector_ids: set[int] = set()
    department_ids: set[int] = set()
    for entry in entries:
        for name, change in (entry.changes or {}).items():
            if name == "area_id" and isinstance(change, list):
                area_codes.update(v for v in change if v)
            elif name in m2m and isinstance(change, dict):
                ids = {*change.get("added", []), *change.get("removed", [])}
                (sector_ids if name == "sectors" else department_ids).update(ids)
    names: dict[str, dict[Any, str]] = {
        "area_id": dict(Area.objects.filter(code__in=area_codes).values_list("code", "name")) if area_codes else {},
        "sectors": dict(Sector.objects.filter(pk__in=sector_ids).values_list("pk", "name")) if sector_ids else {},
        "departments": (
            {d.pk: str(d) for d in Department.objects.filter(pk__in=department_ids)} if department_ids else {}
        ),
    }

    def show(name: str, value: Any) -> str:
        if value is None or value == "":
            return "—"
        field = fields.get(name)
        if name in names:
            return names[name].get(value, str(value))
        if field is not None and field.choices:
            return str(dict(field.flatchoices).get(value, value))
        if isinstance(value, bool):
            return _("yes") if value else _("no")
        return str(value)

    rows = []
    for entry in entries:
        changes = []
        for name, change in (entry.changes or {}).items():
            if name in m2m and isinstance(change, dict):
                label = m2m[name].verbose_name
                lookup = names.get(name, {})
                if change.get("added"):
                    changes.append({"field": label, "added": [lookup.get(i, str(i)) for i in change["added"]]})
                if change.get("removed"):
                    changes.append({"field": label, "removed": [lookup.get(i, str(i)) for i in change["removed"]]})
                if change.get("cleared"):
                    changes.append({"field": label, "cleared": True})
            elif isinstance(change, list) and len(change) == 2 and name not in HISTORY_HIDDEN:
                old, new = change
                if entry.action == "create" and new in (None, "", False, 0):
                    continue  # a new record: list only what was filled in
                field = fields.get(name)
                changes.append({
                    "field": field.verbose_name if field is not None else name,
                    "old": show(name, old), "new": show(name, new),
                    "status": name == "status", "created": entry.action == "create",
                })
        via = SOURCES.get(entry.source, entry.source) if entry.username and entry.source != "web" else ""
        rows.append({"entry": entry, "who": entry.username or _("system"), "via": via, "changes": changes})
    return rows


# ---------------------------------------------------------------------------------------
# Create and edit
# ---------------------------------------------------------------------------------------
class EnterpriseEditView(ObjectEditView):
    """Add an enterprise, or edit one (the enterprise's own user: its contact details only).

    An edit locks the row and compares its version with the one the form was opened at: someone
    else's save in between is a 409 showing what they changed, with the user's input kept.
    """

    model = Enterprise
    template_name = "enterprises/enterprise_form.html"
    success_url_name = "enterprises:detail"
    outside_scope_message = OUTSIDE_SCOPE

    def get_form(self, request: HttpRequest, obj: Enterprise | None) -> VersionedForm:
        form_class = form_class_for(request.user) if obj is not None else EnterpriseForm
        return form_class(request.POST if request.method == "POST" else None, instance=obj, user=request.user)

    def success_message(self, saved: Enterprise, created: bool) -> str:
        if created:
            return _("Enterprise {name} was added to the registry.").format(name=saved.name)
        return _("The changes were saved.")

    def get_extra_context(self, request: HttpRequest, **context: Any) -> dict[str, Any]:
        return {"enterprise": context.get("enterprise", self.object),
                "contact_only": isinstance(context["form"], EnterpriseContactForm)}

    def post(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        if self.object is None:
            return super().post(request, **kwargs)
        user, pk = request.user, self.object.pk
        conflict = False
        try:
            with transaction.atomic():
                # Lock the row, then compare its version with the one the form was opened at.
                locked = get_visible_or_404(Enterprise.objects.select_for_update(), user, pk=pk)
                form = self.get_form(request, locked)
                if form.is_valid():
                    if form.is_stale():
                        conflict = True
                    else:
                        saved = form.save(commit=False)
                        saved.version = locked.version + 1
                        saved.save()
                        form.save_m2m()
                        ensure_in_scope(user, saved, self.get_permission())
                        messages.success(request, self.success_message(saved, False))
                        return redirect(self.get_success_url(saved))
        except PermissionDenied:
            form.add_error(None, OUTSIDE_SCOPE)
        if conflict:
            return _conflict(self, request, form, pk)
        return self.refused(request, form)


enterprise_create = EnterpriseEditView.as_view()
enterprise_edit = EnterpriseEditView.as_view()


def _conflict(view: EnterpriseEditView, request: HttpRequest, stale_form: VersionedForm, pk: int) -> HttpResponse:
    """Someone saved the record after this form was opened: show what they changed, keep the user's input."""
    current = _detail_queryset().get(pk=pk)
    last = (
        AuditEntry.objects.filter(object_type=Enterprise._meta.label_lower, object_id=str(pk))
        .exclude(action="create").first()
    )
    differences = []
    for name, field in stale_form.fields.items():
        if name == "version" or name not in stale_form.cleaned_data:
            continue
        mine = stale_form.cleaned_data[name]
        saved = getattr(current, name)
        if hasattr(saved, "all"):
            saved_list, mine_list = list(saved.all()), list(mine or [])
            if {o.pk for o in saved_list} != {o.pk for o in mine_list}:
                differences.append({"label": field.label, "saved": "、".join(str(o) for o in saved_list) or "—"})
        elif saved != mine:
            display = getattr(current, f"get_{name}_display", None)
            differences.append({"label": field.label, "saved": (display() if display else saved) or "—"})
    data = request.POST.copy()
    data["version"] = str(current.version)  # saving again now overwrites, knowingly
    form = type(stale_form)(data, instance=current, user=request.user)
    conflict = {"by": last.username if last else "", "at": last.timestamp if last else None,
                "differences": differences}
    view.object = current
    return view.render_form(request, form, status=409, conflict=conflict)
