"""Notifications: the in-app inbox, plus e-mail and the SMS adapter, sent on commit."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils.module_loading import import_string

from .models import Notification

log = logging.getLogger(__name__)


class ConsoleSMSBackend:
    """Development SMS adapter: writes the message to the log."""

    def send(self, phone: str, text: str) -> None:
        log.warning("SMS to %s: %s", phone, text)


def sms_backend() -> Any:
    return import_string(getattr(settings, "ANJIAN_SMS_BACKEND", "anjian.core.notify.ConsoleSMSBackend"))()


def notify(recipients: Iterable[Any], title: str, body: str = "", url: str = "", kind: str = "",
           *, email: bool = False, sms: bool = False) -> None:
    """Queue a notification to each recipient; it is written when the transaction commits."""
    users = [u for u in {u.pk: u for u in recipients if u is not None}.values()]

    def send() -> None:
        Notification.objects.bulk_create(
            Notification(recipient=u, title=title[:200], body=body, url=url, kind=kind) for u in users
        )
        for u in users:
            if email and u.email:
                send_mail(title, f"{body}\n{url}".strip(), settings.DEFAULT_FROM_EMAIL, [u.email], fail_silently=True)
            if sms and getattr(u, "phone", ""):
                sms_backend().send(u.phone, title)

    transaction.on_commit(send)
