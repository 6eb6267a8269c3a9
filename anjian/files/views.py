"""``/files/<app>.<model>/<pk>/<field>/``: a stored file, to those who may see the object it belongs to.

The object is read through ``visible_to(user, "<app>.view_<model>")``, as every list and detail is:
outside the scope (or no such object, field or file) the answer is 404, so existence does not leak.
Anonymous: a redirect to the login page for a browser asking for a page, 401 otherwise (the API,
an ``<img>``). The session or an API token authenticates.

The file is streamed by Django (``FileResponse``) or, when ``ANJIAN_ACCEL_REDIRECT_PREFIX`` is set,
handed to nginx's internal location with ``X-Accel-Redirect`` (no Python process busy sending
bytes). The type is the checked one (from the stored name the kit chose), with
``X-Content-Type-Options: nosniff`` and a sandbox policy, so a browser never runs a file as a page.
"""

from __future__ import annotations

import posixpath
from typing import Any
from urllib.parse import quote

from django.apps import apps
from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.db import models
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from anjian.utilities.scoping import get_visible_or_404

from . import checks
from .thumbnails import ensure_thumbnail

INLINE_TYPES = {*checks.IMAGES, checks.PDF}


def _user(request: HttpRequest) -> Any:
    """The session's user, else the API token's; None if neither (401 on a bad token)."""
    if request.user.is_authenticated:
        return request.user
    if request.headers.get("Authorization"):
        from rest_framework.exceptions import AuthenticationFailed

        from anjian.accounts.tokens import ExpiringTokenAuthentication

        try:
            found = ExpiringTokenAuthentication().authenticate(request)  # type: ignore[arg-type]
        except AuthenticationFailed:
            return None
        if found is not None:
            return found[0]
    return None


def _anonymous(request: HttpRequest) -> HttpResponse:
    if "text/html" in request.headers.get("Accept", ""):
        return redirect_to_login(request.get_full_path())
    response = JsonResponse({"detail": _("Authentication credentials were not provided.")}, status=401)
    response["WWW-Authenticate"] = "Token"
    return response


def _owner_model(label: str, field_name: str) -> tuple[type[models.Model], models.FileField]:
    try:
        model = apps.get_model(label)
    except (LookupError, ValueError) as exc:
        raise Http404 from exc
    if not model._meta.app_config.name.startswith("anjian.") or not hasattr(model._default_manager, "visible_to"):
        raise Http404
    try:
        field = model._meta.get_field(field_name)
    except Exception as exc:  # FieldDoesNotExist
        raise Http404 from exc
    if not isinstance(field, models.FileField):
        raise Http404
    return model, field


@require_safe
def serve(request: HttpRequest, model: str, pk: int, field: str, thumbnail: bool = False) -> HttpResponse:
    user = _user(request)
    if user is None:
        return _anonymous(request)
    model_class, file_field = _owner_model(model, field)
    meta = model_class._meta
    owner = get_visible_or_404(model_class._default_manager.all(), user, pk=pk)
    if not user.has_perm(f"{meta.app_label}.view_{meta.model_name}"):
        raise Http404
    stored = getattr(owner, field)
    if not stored:
        raise Http404
    storage, name = stored.storage, stored.name
    content_type = checks.TYPES_BY_EXTENSION.get(name.rsplit(".", 1)[-1].lower(), "application/octet-stream")
    filename = getattr(owner, "original_name", "") or posixpath.basename(name)
    if thumbnail:
        if content_type not in checks.IMAGES:
            raise Http404
        name = ensure_thumbnail(storage, name) or ""
        content_type, filename = checks.JPEG, f"{posixpath.splitext(filename)[0]}-thumbnail.jpg"
    if not name or not storage.exists(name):
        raise Http404
    as_attachment = content_type not in INLINE_TYPES
    prefix = getattr(settings, "ANJIAN_ACCEL_REDIRECT_PREFIX", "")
    if prefix:
        response: HttpResponse = HttpResponse(content_type=content_type)
        response["X-Accel-Redirect"] = f"{prefix.rstrip('/')}/{quote(name)}"
        response["Content-Disposition"] = content_disposition_header(as_attachment, filename)
    else:
        response = FileResponse(storage.open(name, "rb"), content_type=content_type, as_attachment=as_attachment,
                                filename=filename)
    response["X-Content-Type-Options"] = "nosniff"
    # A sandbox keeps anything that slipped through from running as a page of this site (browsers'
    # PDF viewers refuse to run sandboxed, and the checker refuses PDFs with scripts).
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'self'" + (
        "" if content_type == checks.PDF else "; sandbox")
    response["Cache-Control"] = "private, max-age=3600"
    response["Vary"] = "Cookie, Authorization"
    return response
