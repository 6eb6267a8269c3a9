"""A strict Content-Security-Policy on every response (Django 5.2 has none of its own; 6.0 will).

Every asset is vendored (no CDN), so scripts, styles, images, fonts and requests come from this
origin only; an inline ``<script>`` runs only with the request's nonce (``{{ request.csp_nonce }}``,
or ``csp_nonce`` in a template's context), so markup an attacker slips into a page runs nothing.
Inline ``style="…"`` attributes are allowed (``style-src-attr``): ECharts and the progress bars set
them, and a style attribute runs no code. The API's documentation pages (Swagger UI, ReDoc:
third-party templates with inline scripts and styles) get a policy that allows those inline.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

HEADER = "Content-Security-Policy"
DOCS_PATHS = ("/api/v1/docs/", "/api/v1/redoc/")


def policy(nonce: str) -> str:
    return "; ".join([
        "default-src 'self'",
        f"script-src 'self' 'nonce-{nonce}'",
        f"style-src 'self' 'nonce-{nonce}'",
        "style-src-attr 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ])


def docs_policy() -> str:
    return "; ".join([
        "default-src 'self'",
        "script-src 'self' 'unsafe-inline'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "font-src 'self' data:",
        "worker-src 'self' blob:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ])


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        nonce = secrets.token_urlsafe(18)
        request.csp_nonce = nonce  # type: ignore[attr-defined]
        response = self.get_response(request)
        if HEADER not in response:
            response[HEADER] = docs_policy() if request.path.startswith(DOCS_PATHS) else policy(nonce)
        return response
