"""Pagination and the JSON error handler, named in settings.REST_FRAMEWORK.

Kept apart from ``api.py`` because DRF imports these while it loads its views.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, pagination, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler


class Pagination(pagination.PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500

    def get_page_size(self, request: Any) -> int | None:
        """The asked ``page_size`` (capped at ``max_page_size``); anything but a positive whole
        number is a 400 in words, never silently the default."""
        raw = request.query_params.get(self.page_size_query_param)
        if raw in (None, ""):
            return self.page_size
        if not raw.isdigit() or int(raw) < 1:
            raise exceptions.ValidationError(
                {self.page_size_query_param: [_("A page size is a whole number from 1 to {n}.").format(
                    n=self.max_page_size)]})
        return min(int(raw), self.max_page_size)


class Conflict(exceptions.APIException):
    """409: a workflow rule refused the action (``utilities.workflow.Refusal``), in its words."""

    status_code = status.HTTP_409_CONFLICT
    default_detail = "Conflict."
    default_code = "conflict"


class RequestTooLarge(exceptions.APIException):
    """A body past DATA_UPLOAD_MAX_MEMORY_SIZE: JSON like every other error (Django's own is a page)."""

    status_code = 413
    default_detail = _("The request is too large.")
    default_code = "too_large"


def exception_handler(exc: Exception, ctx: dict[str, Any]) -> Response | None:
    """Every error is JSON: ``{"detail": ...}`` or field errors; never an HTML page.

    A workflow's ``Refusal`` is 409, Django's ``ValidationError`` 400, ``PermissionDenied`` 403.
    """
    from .workflow import Refusal  # (the kit defines models; DRF imports this module early)

    if isinstance(exc, Refusal):
        exc = Conflict(exc.message)
    elif isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages})
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, RequestDataTooBig):
        exc = RequestTooLarge()
    response = drf_exception_handler(exc, ctx)
    return response
