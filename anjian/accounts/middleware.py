from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse

SESSION_KEY = "anjian_last_activity"


class IdleTimeoutMiddleware:
    """Logs a session out after ANJIAN_IDLE_TIMEOUT_MINUTES without a request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            now = time.time()
            last = request.session.get(SESSION_KEY)
            if last is not None and now - last > settings.ANJIAN_IDLE_TIMEOUT_MINUTES * 60:
                logout(request)
            else:
                request.session[SESSION_KEY] = now
        return self.get_response(request)
