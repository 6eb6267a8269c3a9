from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse

SESSION_KEY = "anjian_last_activity"


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
        if request.user.is_authenticated and not getattr(view, "not_user_activity", False):
            request.session[SESSION_KEY] = time.time()
