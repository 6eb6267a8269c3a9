"""Token login and ``/api/v1/me/`` (SPEC §8)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from anjian.core import clock


class ObtainTokenView(ObtainAuthToken):
    """POST username and password; returns ``{"token": ...}``. Failed logins count towards lockout."""

    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.serializer_class(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        user = serializer.validated_data["user"]
        from rest_framework.authtoken.models import Token

        token, _ = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})


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
