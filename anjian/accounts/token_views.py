"""The account's API tokens page: the user sees their own tokens and revokes them."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from . import tokens


@login_required
@require_http_methods(["GET", "HEAD"])
def token_list(request: HttpRequest) -> HttpResponse:
    rows = [tokens.describe(t) for t in tokens.tokens_of(request.user)]
    return render(request, "accounts/token_list.html", {
        "tokens": rows, "lifetime_hours": int(tokens.token_lifetime().total_seconds() // 3600)})


@login_required
@require_POST
def token_revoke(request: HttpRequest, token_id: str) -> HttpResponse:
    if tokens.revoke(request.user, token_id):
        messages.success(request, _("Token {id}… was revoked; programs using it must ask for a new one.").format(
            id=token_id))
    else:
        messages.error(request, _("You have no token {id}.").format(id=token_id))
    return redirect("accounts:tokens")
