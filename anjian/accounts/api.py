"""Token login, the caller's own tokens, and ``/api/v1/me/`` (SPEC §8)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from anjian.core import clock

from . import tokens


class ObtainTokenView(ObtainAuthToken):
    """POST username and password; returns ``{"token": ...}``, the user's valid token (a new one when
    it had none or it had expired). Failed logins count towards lockout."""

    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.serializer_class(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        user = serializer.validated_data["user"]
        token = tokens.issue(user)
        return Response({"token": token.key})


class TokenInfoSerializer(serializers.Serializer):
    id = serializers.CharField(help_text="The key's first eight characters: names the token, cannot be used.")
    created = serializers.DateTimeField()
    expires = serializers.DateTimeField()
    expired = serializers.BooleanField()
    current = serializers.BooleanField(help_text="The token that authenticates this request.")


class TokenListView(APIView):
    """``GET /api/v1/auth/tokens/``: the caller's own API tokens (paginated like every collection)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses=inline_serializer("PaginatedTokenInfoList", {
        "count": serializers.IntegerField(), "next": serializers.CharField(allow_null=True),
        "previous": serializers.CharField(allow_null=True), "results": TokenInfoSerializer(many=True)}))
    def get(self, request: Request) -> Response:
        current = request.auth if isinstance(request.auth, tokens.Token) else None
        rows = [tokens.describe(t, current) for t in tokens.tokens_of(request.user)]
        return Response({"count": len(rows), "next": None, "previous": None,
                         "results": TokenInfoSerializer(rows, many=True).data})


class TokenRevokeView(APIView):
    """``DELETE /api/v1/auth/tokens/{id}/``: revoke one of the caller's own tokens (204; 404 otherwise)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses={204: None})
    def delete(self, request: Request, token_id: str) -> Response:
        if not tokens.revoke(request.user, token_id):
            return Response({"detail": _("You have no token {id}.").format(id=token_id)}, status=404)
        return Response(status=204)


class RoleSerializer(serializers.Serializer):
    role = serializers.CharField()
    area_code = serializers.CharField(allow_null=True)
    department = serializers.IntegerField(allow_null=True)
    enterprise = serializers.IntegerField(allow_null=True)


class MeView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses=inline_serializer("Me", {
        "username": serializers.CharField(), "full_name": serializers.CharField(),
        "roles": RoleSerializer(many=True),
        "today": serializers.DateField(help_text="The platform's date (anjian.core.clock)."),
    }))
    def get(self, request: Request) -> Response:
        roles = [
            {"role": a.role, "area_code": a.area_id, "department": a.department_id, "enterprise": a.enterprise_id}
            for a in request.user.role_assignments.order_by("id")
        ]
        return Response({"username": request.user.username, "full_name": request.user.full_name, "roles": roles,
                         "today": clock.today().isoformat()})
