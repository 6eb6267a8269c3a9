"""API tokens: one per user (DRF's ``Token``), valid ``ANJIAN_TOKEN_TTL_HOURS`` after it is issued,
revoked when the user's password changes, seen and revoked by its owner (the account's token page,
``/api/v1/auth/tokens/``).

A token is named to its owner by the first eight characters of its key (``prefix``): enough to tell
it apart, too little to use it.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.db.models.signals import post_save
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token

from anjian.core import audit
from anjian.core.models import AuditAction

PREFIX_LENGTH = 8


def token_lifetime() -> datetime.timedelta:
    return datetime.timedelta(hours=int(getattr(settings, "ANJIAN_TOKEN_TTL_HOURS", 7 * 24)))


def expires_at(token: Token) -> datetime.datetime:
    return token.created + token_lifetime()


def is_expired(token: Token) -> bool:
    return timezone.now() >= expires_at(token)


def prefix(token: Token) -> str:
    return token.key[:PREFIX_LENGTH]


def issue(user: Any) -> Token:
    """The user's valid token, a new one if it had none or its token had expired."""
    token = Token.objects.filter(user=user).first()
    if token is not None and is_expired(token):
        token.delete()
        token = None
    if token is None:
        token, _created = Token.objects.get_or_create(user=user)
    return token


def tokens_of(user: Any) -> list[Token]:
    return list(Token.objects.filter(user=user))


def revoke(user: Any, token_prefix: str) -> bool:
    """Delete the user's token named by ``token_prefix``; False if the user has no such token."""
    if len(token_prefix) != PREFIX_LENGTH:
        return False
    deleted, _rows = Token.objects.filter(user=user, key__startswith=token_prefix).delete()
    if deleted:
        audit.record(AuditAction.UPDATE, obj=user, message=_("API token {id} revoked by its owner.").format(
            id=token_prefix))
    return bool(deleted)


def describe(token: Token, current: Token | None = None) -> dict[str, Any]:
    return {"id": prefix(token), "created": token.created, "expires": expires_at(token),
            "expired": is_expired(token), "current": current is not None and current.pk == token.pk}


class ExpiringTokenAuthentication(TokenAuthentication):
    """DRF's token authentication, refusing (and deleting) a token older than its lifetime."""

    def authenticate_credentials(self, key: str) -> tuple[Any, Token]:
        user, token = super().authenticate_credentials(key)
        if is_expired(token):
            token.delete()
            raise exceptions.AuthenticationFailed(_(
                "This token has expired. Ask for a new one with POST /api/v1/auth/token/."))
        return user, token


@receiver(post_save, sender=settings.AUTH_USER_MODEL, dispatch_uid="anjian.accounts.revoke_tokens")
def revoke_tokens_on_password_change(sender: Any, instance: Any, created: bool, **kwargs: Any) -> None:
    """A new password (``set_password`` then ``save``: the user's change, an administrator's reset,
    ``changepassword``) revokes the user's API tokens. ``_password`` is what ``set_password`` keeps
    until the save; a hasher upgrade at login does not set it, so it revokes nothing."""
    if not created and getattr(instance, "_password", None) is not None:
        deleted, _rows = Token.objects.filter(user=instance).delete()
        if deleted:
            audit.record(AuditAction.UPDATE, obj=instance, message=_(
                "The password changed: the account's API tokens were revoked."))
