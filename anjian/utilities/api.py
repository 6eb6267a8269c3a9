"""API machinery shared by every app: pagination, JSON errors, the scoped viewset."""

from __future__ import annotations

from typing import Any

from rest_framework import permissions, viewsets

from anjian.core import context


class RolePermission(permissions.BasePermission):
    """Maps HTTP methods to the model's permissions, decided by the role table and data scope."""

    actions = {
        "GET": "view", "HEAD": "view", "OPTIONS": "view",
        "POST": "add", "PUT": "change", "PATCH": "change", "DELETE": "delete",
    }

    def _perm(self, view: Any, method: str) -> str:
        model = view.get_queryset().model
        action = getattr(view, "permission_action_map", {}).get(getattr(view, "action", ""), None)
        action = action or self.actions.get(method, "view")
        return f"{model._meta.app_label}.{action}_{model._meta.model_name}"

    def has_permission(self, request: Any, view: Any) -> bool:
        if not (request.user and request.user.is_authenticated):
            return False
        return request.user.has_perm(self._perm(view, request.method))

    def has_object_permission(self, request: Any, view: Any, obj: Any) -> bool:
        # The object came through visible_to(): some role of the user sees it. Any other action
        # must be granted by one role whose own scope holds the object (SPEC §0): the enterprise
        # manager who is also a leader reads the district but changes only its own enterprise.
        perm = self._perm(view, request.method)
        if request.method in permissions.SAFE_METHODS and perm.split(".", 1)[1].startswith("view_"):
            return request.user.has_perm(perm)  # every business role reads what it sees
        return request.user.has_perm(perm, obj)


class ScopedModelViewSet(viewsets.ModelViewSet):
    """One viewset per model; reads through ``visible_to(user)``, writes are re-checked.

    A subclass names ``queryset`` and ``serializer_class`` (and filters); nothing else.
    Objects outside the user's scope are 404, writes that would leave the scope 403.
    """

    permission_classes = [RolePermission]
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def initial(self, request: Any, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        ctx = context.current.get()
        if ctx is not None and request.user.is_authenticated:
            ctx.user_id, ctx.username = request.user.pk, request.user.username

    def get_queryset(self):  # type: ignore[no-untyped-def]
        return super().get_queryset().visible_to(self.request.user)

    def required_perm(self) -> str:
        """The permission this request needs (``enterprises.add_enterprise`` for a POST, ...)."""
        return RolePermission()._perm(self, self.request.method)

    def perform_create(self, serializer: Any) -> None:
        from django.db import transaction

        from .scoping import ensure_in_scope

        with transaction.atomic():
            obj = serializer.save()
            # The new row must lie in the scope of a role that grants adding it.
            ensure_in_scope(self.request.user, obj, self.required_perm())

    def perform_update(self, serializer: Any) -> None:
        from django.db import transaction

        from .scoping import ensure_in_scope

        with transaction.atomic():
            obj = serializer.save()
            ensure_in_scope(self.request.user, obj, self.required_perm())


class ScopedReadOnlyViewSet(ScopedModelViewSet):
    http_method_names = ["get", "head", "options"]
