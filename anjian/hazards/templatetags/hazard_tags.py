"""Small presentation helpers of the hazard pages."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html

register = template.Library()

STATUS_CLASS = {"reported": "secondary", "rectifying": "warning", "rectified": "info", "verified": "success",
                "cancelled": "dark"}
ORDER_CLASS = {"open": "danger", "answered": "warning", "closed": "secondary"}


@register.simple_tag
def status_badge(hazard: Any) -> str:
    return format_html('<span class="badge text-bg-{}" data-status="{}">{}</span>',
                       STATUS_CLASS.get(hazard.status, "secondary"), hazard.status, hazard.get_status_display())


@register.simple_tag
def level_badge(hazard: Any) -> str:
    css = "danger" if hazard.level == "major" else "light border"
    return format_html('<span class="badge text-bg-{}">{}</span>', css, hazard.get_level_display())


@register.simple_tag
def order_badge(order: Any) -> str:
    return format_html('<span class="badge text-bg-{}">{}</span>', ORDER_CLASS.get(order.status, "secondary"),
                       order.get_status_display())


@register.filter
def overdue_on(hazard: Any, today: Any) -> bool:
    return hazard.is_overdue(today)


@register.filter
def pct(value: Any) -> str:
    return "—" if value is None else f"{value:.1f}%"
