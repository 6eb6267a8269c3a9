from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse

SESSION_KEY = "anjian_last_activity"
# The last-activity stamp is rewritten at most this often: each rewrite is a session write, and on
# SQLite a write waits while a background job holds the write lock (docs/architecture.md, Concurrency).
STAMP_EVERY_SECONDS = 60


def not_user_activity(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Mark a view a page polls by itself (a job's progress): its requests do not count as the
    user's activity, so they neither keep an idle session alive nor write the session."""
    view.not_user_activity = True  # type: ignore[attr-defined]
    return view


class IdleTimeoutMiddleware:
    """Logs a session out after ANJIAN_IDLE_TIMEOUT_MINUTES without a request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            last = request.session.get(SESSION_KEY)
            if last is not None and time.time() - last > settings.ANJIAN_IDLE_TIMEOUT_MINUTES * 60:
                logout(request)
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view: Callable[..., Any], args: Any, kwargs: Any) -> None:
        if not request.user.is_authenticated or getattr(view, "not_user_activity", False):
            return
        now = time.time()
        last = request.session.get(SESSION_KEY)
        if last is None or now - last >= STAMP_EVERY_SECONDS:
            request.session[SESSION_KEY] = now
