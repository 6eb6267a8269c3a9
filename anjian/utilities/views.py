"""Generic page views: list, detail, edit and action, in the spirit of NetBox's generic views.

A module's page is a subclass naming its model, template and (for a list) FilterSet::

    class HazardListView(ObjectListView):
        model = Hazard
        filterset_class = HazardFilter
        template_name = "hazards/list.html"

Every view reads through ``Model.objects.visible_to(user)`` (``get_queryset``) and
``get_visible_or_404`` (outside the scope: 404, so existence does not leak), checks the
permission with ``user.has_perm(perm, obj)`` on the very object (403), and renders the whole
page or, for an htmx request, the template's partial (``template#partial``) with
``HX-Push-Url`` (lists: the address of what is shown) and ``Vary: HX-Request`` (a cache never
answers a full-page request with a partial). An action catches the workflow's ``Refusal`` (and a
``ValidationError``) and shows its message on the page it came from.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Page, Paginator
from django.db import models, transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django_htmx.http import push_url

from .scoping import ensure_in_scope, get_visible_or_404
from .workflow import Refusal

OUTSIDE_SCOPE = gettext_lazy("This change would put the record outside your data scope, so it was not saved.")


def wants_partial(request: HttpRequest) -> bool:
    """An htmx request swapping part of the page (not a boosted link, not a history restore)."""
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.boosted and not htmx.history_restore_request


def clean_query(request: HttpRequest, defaults: dict[str, str] | None = None) -> QueryDict:
    """The query string without empty parameters (and without defaults): the address pushed."""
    defaults = defaults or {}
    query = QueryDict(mutable=True)
    for key, values in request.GET.lists():
        kept = [v for v in values if v.strip()]
        if key in defaults and kept == [defaults[key]]:
            continue
        if kept:
            query.setlist(key, kept)
    return query


def errors_in_words(exc: ValidationError) -> str:
    return " ".join(exc.messages)


def form_errors_in_words(form: Any) -> str:
    """A form's errors as one sentence per field, each with its label."""
    parts = []
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        parts.append(f"{label}: {' '.join(errors)}" if label else " ".join(errors))
    return " ".join(parts)


class ObjectView(LoginRequiredMixin, View):
    """What the generic views share: the model, the scoped queryset, the permission, rendering."""

    model: ClassVar[type[models.Model]]
    queryset: QuerySet | None = None
    template_name: str = ""
    partial: str | None = None
    # The permission checked (with the object, where there is one); None: the action checks it.
    permission: str | None = ""
    permission_action = "view"
    # Exceptions shown as a message rather than raised (a module's own refusals until they are Refusal).
    refusals: tuple[type[Exception], ...] = (Refusal,)

    def get_permission(self) -> str | None:
        if self.permission is None or self.permission:
            return self.permission
        meta = self.model._meta
        return f"{meta.app_label}.{self.permission_action}_{meta.model_name}"

    def check_permission(self, request: HttpRequest, obj: Any = None) -> None:
        perm = self.get_permission()
        if perm and not request.user.has_perm(perm, obj):
            raise PermissionDenied

    def get_base_queryset(self, request: HttpRequest) -> QuerySet:
        """Every row of the model (the scope is applied by the caller)."""
        return (self.queryset if self.queryset is not None else self.model._default_manager).all()

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        """The rows the user may see."""
        return self.get_base_queryset(request).visible_to(request.user)

    def get_object(self, request: HttpRequest, **kwargs: Any) -> Any:
        """The object the URL names, if the user may see it; else 404."""
        return get_visible_or_404(self.get_base_queryset(request), request.user, pk=kwargs["pk"])

    def get_extra_context(self, request: HttpRequest, **context: Any) -> dict[str, Any]:
        return {}

    def get_partial_template(self) -> str | None:
        """What an htmx request gets: the template's partial (``template#partial``)."""
        return f"{self.template_name}#{self.partial}" if self.partial else None

    def render(self, request: HttpRequest, context: dict[str, Any], status: int = 200) -> HttpResponse:
        template = self.template_name
        if wants_partial(request):
            template = self.get_partial_template() or template
        response = render(request, template, context, status=status)
        patch_vary_headers(response, ("HX-Request",))
        return response


class ObjectListView(ObjectView):
    """A filtered, sorted, paged list; htmx gets the results partial and the address to push.

    ``filterset_class`` is the model's FilterSet (the one its API collection uses too);
    ``ordering`` the default order (the primary key is always last, so pages are stable).
    """

    filterset_class: ClassVar[type] | None = None
    paginate_by = 50
    ordering: tuple[Any, ...] = ()
    template_name = "generic/object_list.html"
    # The results (swapped by htmx): a template of the list's own, or the shared table of rows_template.
    results_template = "includes/results.html"
    rows_template = ""  # one <tr> per row, the object as "row"
    columns: ClassVar[list[dict[str, Any]]] = []  # {"label", "css"} per column of the table
    empty_text: Any = gettext_lazy("Nothing matches.")
    filter_label: Any = gettext_lazy("Filter")  # the filter form's name for screen readers
    # What the page offers beside the list: "can_<action>" is has_perm("<app>.<action>_<model>").
    actions: tuple[str, ...] = ("add",)
    results_id = ""  # the id of the element the partial replaces (default "<model>-results")
    filter_id = ""  # the id of the filter form (default "<model>-filter")
    query_defaults: dict[str, str] = {}

    def get_partial_template(self) -> str | None:
        return self.results_template

    def get_filterset(self, request: HttpRequest, queryset: QuerySet, query: QueryDict) -> Any:
        assert self.filterset_class is not None
        return self.filterset_class(query, queryset=queryset, request=request)

    def order(self, rows: QuerySet) -> QuerySet:
        ordering = rows.query.order_by or self.ordering
        return rows.order_by(*ordering, "pk") if ordering else rows.order_by("pk")

    def get_rows(self, request: HttpRequest, filterset: Any) -> QuerySet:
        return self.order(filterset.qs)

    def paginate(self, request: HttpRequest, rows: Any) -> Page:
        return Paginator(rows, self.paginate_by).get_page(request.GET.get("page"))

    def get(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        self.check_permission(request)
        query = clean_query(request, self.query_defaults)
        filterset = self.get_filterset(request, self.get_queryset(request), query)
        page = self.paginate(request, self.get_rows(request, filterset))
        without_page = query.copy()
        without_page.pop("page", None)
        context = {
            "filter": filterset, "page": page, "query": query, "query_string": without_page.urlencode(),
            "list_url": request.path,
            "results_id": self.results_id or f"{self.model._meta.model_name}-results",
            "filter_id": self.filter_id or f"{self.model._meta.model_name}-filter",
            "results_template": self.results_template, "rows_template": self.rows_template,
            "columns": self.columns, "empty": self.empty_text, "filter_label": self.filter_label,
        }
        meta = self.model._meta
        context.update({f"can_{action}": request.user.has_perm(f"{meta.app_label}.{action}_{meta.model_name}")
                        for action in self.actions})
        context.update(self.get_extra_context(request, **context))
        # A bad filter value is said on the form; the whole page answers 400 (a hand-made address),
        # the htmx partial 200 so that htmx swaps the form's errors in.
        invalid = filterset.is_bound and not filterset.is_valid()
        response = self.render(request, context, status=400 if invalid and not wants_partial(request) else 200)
        if wants_partial(request):
            push_url(response, request.path + (f"?{query.urlencode()}" if query else ""))
        return response


class ObjectDetailView(ObjectView):
    """One object in the user's scope (404 outside it) that the user may view (403 otherwise).

    The template reads it as ``object`` and under ``context_object_name`` (default: the model's
    name, ``hazard``)."""

    context_object_name = ""

    def get(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        obj = self.get_object(request, **kwargs)
        self.check_permission(request, obj)
        context = {"object": obj, self.context_object_name or self.model._meta.model_name: obj}
        context.update(self.get_extra_context(request, **context))
        return self.render(request, context)


class ObjectEditView(ObjectView):
    """Create (no ``pk`` in the URL) or edit an object through a form.

    The save runs in one transaction and is re-checked against the user's scope
    (``ensure_in_scope``): a change that would move the row out of it rolls back and the form
    says so. A refusal or a ``ValidationError`` of the save becomes a form error. A refused form
    is shown again with status 400 (200 for an htmx partial, which htmx would not swap otherwise).
    """

    form_class: ClassVar[type] | None = None
    success_url_name = ""  # e.g. "hazards:detail", reversed with the saved object's pk
    outside_scope_message: Any = OUTSIDE_SCOPE

    def get_permission(self) -> str | None:
        if self.permission is None or self.permission:
            return self.permission
        meta = self.model._meta
        return f"{meta.app_label}.{'change' if self.object is not None else 'add'}_{meta.model_name}"

    def get_form_kwargs(self, request: HttpRequest, obj: Any) -> dict[str, Any]:
        return {"instance": obj}

    def get_form(self, request: HttpRequest, obj: Any) -> Any:
        assert self.form_class is not None
        data = (request.POST, request.FILES) if request.method == "POST" else (None, None)
        return self.form_class(*data, **self.get_form_kwargs(request, obj))

    def before_save(self, request: HttpRequest, unsaved: Any) -> None:
        """Set what the form does not (the author, the next version) on the unsaved object."""

    def save(self, request: HttpRequest, form: Any, obj: Any) -> Any:
        """Save the model form (and its many-to-many fields), then re-check the scope."""
        saved = form.save(commit=False)
        self.before_save(request, saved)
        saved.save()
        form.save_m2m()
        ensure_in_scope(request.user, saved, self.get_permission())  # held by a role granting the write
        return saved

    def success_message(self, saved: Any, created: bool) -> str:
        return _("The changes were saved.")

    def get_success_url(self, saved: Any) -> str:
        return reverse(self.success_url_name, args=[saved.pk])

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.object = self.get_object(request, **kwargs) if kwargs.get("pk") is not None else None
        self.check_permission(request, self.object)
        return super().dispatch(request, *args, **kwargs)

    def get(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        return self.render_form(request, self.get_form(request, self.object))

    def post(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        form = self.get_form(request, self.object)
        if form.is_valid():
            try:
                with transaction.atomic():
                    saved = self.save(request, form, self.object)
            except PermissionDenied:
                form.add_error(None, self.outside_scope_message)
            except ValidationError as exc:
                add_validation_error(form, exc)
            except self.refusals as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, self.success_message(saved, self.object is None))
                return redirect(self.get_success_url(saved))
        return self.refused(request, form)

    def refused(self, request: HttpRequest, form: Any) -> HttpResponse:
        """A refused form (bad input, a refused upload, the save's refusal) again with its errors: 400.

        The edit pages post whole pages; an htmx partial gets 200, since htmx 2 swaps no 4xx
        response (its default ``responseHandling``) and the errors would not be shown."""
        return self.render_form(request, form, status=200 if wants_partial(request) else 400)

    def render_form(self, request: HttpRequest, form: Any, status: int = 200, **extra: Any) -> HttpResponse:
        context = {"form": form, "object": self.object, **extra}
        context.update(self.get_extra_context(request, **context))
        return self.render(request, context, status=status)


def add_validation_error(form: Any, exc: ValidationError) -> None:
    """Put a model's ``ValidationError`` on the form's fields (or above them)."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


class ObjectActionView(ObjectView):
    """A POSTed action on one object: validate the form, run ``perform``, say how it went.

    Outside the scope 404, without the permission 403; a ``Refusal`` of the workflow (or a
    ``ValidationError``) becomes an error message in its own words on the page the user came
    from, a success a success message; then back to the object's page.
    """

    http_method_names = ["post"]
    form_class: ClassVar[type] | None = None
    form_prefix: str | None = None
    back_url_name = ""  # e.g. "hazards:detail", reversed with the object's pk
    success: Any = gettext_lazy("Done.")

    def get_form(self, request: HttpRequest, obj: Any, **kwargs: Any) -> Any:
        if self.form_class is None:
            return None
        return self.form_class(request.POST, request.FILES, prefix=self.form_prefix)

    def perform(self, request: HttpRequest, obj: Any, data: dict[str, Any], **kwargs: Any) -> Any:
        raise NotImplementedError

    def get_back_url(self, request: HttpRequest, obj: Any, **kwargs: Any) -> str:
        return reverse(self.back_url_name, args=[obj.pk])

    def success_message(self, request: HttpRequest, obj: Any, **kwargs: Any) -> str:
        return str(self.success)

    def post(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        obj = self.get_object(request, **kwargs)
        self.check_permission(request, obj)
        back = self.get_back_url(request, obj, **kwargs)
        form = self.get_form(request, obj, **kwargs)
        if form is not None and not form.is_valid():
            messages.error(request, form_errors_in_words(form))
            return redirect(back)
        try:
            result = self.perform(request, obj, form.cleaned_data if form is not None else {}, **kwargs)
        except ValidationError as exc:
            messages.error(request, errors_in_words(exc))
        except self.refusals as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, self.success_message(request, obj, **kwargs))
            if isinstance(result, HttpResponse):
                return result
        return redirect(back)
