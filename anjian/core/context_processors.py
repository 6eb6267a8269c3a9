from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse

from .navigation import menu_items


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"menu": []}
    menu = []
    for item in menu_items():
        if not user.has_perm(item.perm):
            continue
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:
            continue
        menu.append({"label": item.label, "url": url, "group": item.group,
                     "active": request.path.startswith(url) and url != "/"})
    unread = user.notifications.filter(read_at__isnull=True).count()
    return {"menu": menu, "unread_notifications": unread}
