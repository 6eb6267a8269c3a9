"""The enterprise registry pages: list (filters, sorting, paging), detail with history, create and edit.

Every read goes through ``Enterprise.objects.visible_to(user)``; an enterprise outside the
user's scope is a 404. Import and export live in ``views_io.py``.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from anjian.core.models import AuditEntry
from anjian.territory.models import Area, Department, Sector
from anjian.utilities.ordering import chinese_order
from anjian.utilities.scoping import ensure_in_scope, get_visible_or_404

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


def _htmx_partial(request: HttpRequest) -> bool:
    return bool(request.htmx) and not request.htmx.history_restore_request


def _clean_query(request: HttpRequest) -> QueryDict:
    """The query string without empty parameters: the address the list is pushed to."""
    query = QueryDict(mutable=True)
    for key, values in request.GET.lists():
        kept = [v for v in values if v.strip()]
        if key == "sort" and kept == [DEFAULT_SORT]:
            continue
        if kept:
            query.setlist(key, kept)
    return query


# ---------------------------------------------------------------------------------------
# List
# ---------------------------------------------------------------------------------------
@login_required
@permission_required("enterprises.view_enterprise", raise_exception=True)
def enterprise_list(request: HttpRequest) -> HttpResponse:
    enterprises = (
        Enterprise.objects.visible_to(request.user)
        .select_related("area__parent")
        .prefetch_related(Prefetch("sectors", queryset=Sector.objects.only("id", "name", "code")))
    )
    query = _clean_query(request)
    filterset = EnterpriseFilterSet(query, queryset=enterprises, request=request)
    rows = filterset.qs
    # Names in pinyin order (the filter's sort does the same); the primary key keeps the pages stable.
    rows = rows.order_by(*(rows.query.order_by or (chinese_order(DEFAULT_SORT),)), "pk")
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    sort = query.get("sort", "") or DEFAULT_SORT
    columns = {
        key: {"label": label, "sorted": sort.lstrip("-") == key, "descending": sort == f"-{key}",
              "next": f"-{key}" if sort == key else key}
        for key, label in SORTABLE.items()
    }
    user = request.user
    context = {
        "filter": filterset,
        "page": page,
        "query": query,
        "columns": columns,
        "can_add": user.has_perm("enterprises.add_enterprise"),
        "can_import": user.has_perm("enterprises.import_enterprise"),
        "can_export": user.has_perm("enterprises.export_enterprise"),
        "export_query": _without(query, "page", "sort").urlencode(),
    }
    if _htmx_partial(request):
        response = render(request, "enterprises/enterprise_list.html#results", context)
        response["HX-Push-Url"] = request.path + (f"?{query.urlencode()}" if query else "")
    else:
        response = render(request, "enterprises/enterprise_list.html", context)
    patch_vary_headers(response, ("HX-Request",))
    return response


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


@login_required
def enterprise_detail(request: HttpRequest, pk: int) -> HttpResponse:
    enterprise = get_visible_or_404(_detail_queryset(), request.user, pk=pk)
    entries = AuditEntry.objects.filter(object_type=Enterprise._meta.label_lower, object_id=str(enterprise.pk))
    history = Paginator(entries, HISTORY_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "enterprise": enterprise,
        "history": history,
        "history_rows": describe_changes(list(history)),
        "can_edit": request.user.has_perm("enterprises.change_enterprise", enterprise),
    }
    if _htmx_partial(request):
        return render(request, "enterprises/enterprise_detail.html#history", context)
    return render(request, "enterprises/enterprise_detail.html", context)


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
@login_required
@permission_required("enterprises.add_enterprise", raise_exception=True)
def enterprise_create(request: HttpRequest) -> HttpResponse:
    form = EnterpriseForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                enterprise = form.save()
                ensure_in_scope(request.user, enterprise)
        except PermissionDenied:
            form.add_error(None, OUTSIDE_SCOPE)
        else:
            messages.success(request, _("Enterprise {name} was added to the registry.").format(name=enterprise.name))
            return redirect("enterprises:detail", pk=enterprise.pk)
    return _form_page(request, form, None)


@login_required
def enterprise_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    enterprise = get_visible_or_404(Enterprise.objects.all(), user, pk=pk)
    if not user.has_perm("enterprises.change_enterprise", enterprise):
        raise PermissionDenied
    form_class = form_class_for(user)
    if request.method != "POST":
        return _form_page(request, form_class(instance=enterprise, user=user), enterprise)

    conflict = None
    try:
        with transaction.atomic():
            # Lock the row, then compare its version with the one the form was opened at.
            locked = get_visible_or_404(Enterprise.objects.select_for_update(), user, pk=pk)
            form = form_class(request.POST, instance=locked, user=user)
            if form.is_valid():
                if form.is_stale():
                    conflict = True
                else:
                    saved = form.save(commit=False)
                    saved.version = locked.version + 1
                    saved.save()
                    form.save_m2m()
                    ensure_in_scope(user, saved)
                    messages.success(request, _("The changes were saved."))
                    return redirect("enterprises:detail", pk=saved.pk)
    except PermissionDenied:
        form.add_error(None, OUTSIDE_SCOPE)
    if conflict:
        return _conflict(request, form, pk)
    return _form_page(request, form, enterprise)


def _form_page(request: HttpRequest, form: VersionedForm, enterprise: Enterprise | None, status: int = 200,
               **extra: Any) -> HttpResponse:
    context = {"form": form, "enterprise": enterprise, "contact_only": isinstance(form, EnterpriseContactForm),
               **extra}
    return render(request, "enterprises/enterprise_form.html", context, status=status)


def _conflict(request: HttpRequest, stale_form: VersionedForm, pk: int) -> HttpResponse:
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
    return _form_page(request, form, current, status=409, conflict=conflict)
