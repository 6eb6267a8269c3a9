from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "anjian.accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from . import tokens  # noqa: F401  (the signal that revokes API tokens on a password change)
