from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext as _

from .backends import is_locked_out


class LoginForm(AuthenticationForm):
    def clean(self) -> dict:
        username = self.cleaned_data.get("username")
        if username and is_locked_out(username):
            # Record the attempt like any other failure, then say why.
            from django.contrib.auth.signals import user_login_failed

            user_login_failed.send(sender=__name__, credentials={"username": username}, request=self.request)
            raise forms.ValidationError(
                _("Too many failed logins: this account is locked for {minutes} minutes.").format(
                    minutes=settings.ANJIAN_LOCKOUT_WINDOW_MINUTES
                ),
                code="locked_out",
            )
        return super().clean()
