from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.forms import (
    AuthenticationForm,
    BaseUserCreationForm,
    SetPasswordForm,
    UsernameField,
)
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from anjian.territory.models import Area, AreaLevel, Department

from .backends import is_locked_out
from .models import SYSTEM_ROLES, Role, RoleAssignment, User


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


# ---------------------------------------------------------------------------------------
# Account administration (sysadmin)
# ---------------------------------------------------------------------------------------
def bootstrap(form: forms.BaseForm) -> forms.BaseForm:
    """Give every widget of ``form`` its Bootstrap class."""
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.HiddenInput):
            continue
        if isinstance(widget, forms.CheckboxInput):
            css = "form-check-input"
        elif isinstance(widget, forms.Select):
            css = "form-select"
        else:
            css = "form-control"
        widget.attrs["class"] = (widget.attrs.get("class", "") + " " + css).strip()
    return form


class UserCreateForm(BaseUserCreationForm):
    """A new account: name and contact, and a first password under the password policy."""

    class Meta:
        model = User
        fields = ("username", "full_name", "phone", "email")
        field_classes = {"username": UsernameField}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["full_name"].required = True
        bootstrap(self)


class UserEditForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ("full_name", "phone", "email")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        bootstrap(self)


class PasswordResetForm(SetPasswordForm):
    """A new password set by the system administrator, under the password policy."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        bootstrap(self)


class EnterpriseByCodeField(forms.CharField):
    """An enterprise named by its unified social credit code (the administrator sees no registry)."""

    def clean(self, value: Any) -> Any:
        code = (super().clean(value) or "").strip().upper()
        if not code:
            return None
        from anjian.enterprises.models import Enterprise

        enterprise = Enterprise.objects.filter(credit_code=code).first()
        if enterprise is None:
            raise forms.ValidationError(
                _("No enterprise has the credit code {code}.").format(code=code), code="unknown_enterprise"
            )
        return enterprise


# Which scope unit each role takes; the others are cleared.
ROLE_UNITS = {
    Role.DISTRICT_ADMIN: {"area"}, Role.LEADER: {"area"}, Role.TOWN: {"area"},
    Role.DEPARTMENT: {"department"}, Role.INSPECTOR: {"area", "department"}, Role.ENTERPRISE: {"enterprise"},
    Role.SYSADMIN: set(), Role.SECADMIN: set(), Role.AUDITOR: set(),
}


class RoleAssignmentForm(forms.ModelForm):
    """A role for a user with the unit bounding its data scope, validated by ``RoleAssignment.clean``."""

    area = forms.ModelChoiceField(
        label=gettext_lazy("Area"), required=False, to_field_name="code",
        queryset=Area.objects.filter(level__in=(AreaLevel.COUNTY, AreaLevel.TOWN)).order_by("code"),
        help_text=gettext_lazy("For a town office or a town's inspector; the district for district roles (default)."),
    )
    department = forms.ModelChoiceField(
        label=gettext_lazy("Department"), required=False, queryset=Department.objects.all(),
        help_text=gettext_lazy("For a member department or a department's inspector."),
    )
    enterprise = EnterpriseByCodeField(
        label=gettext_lazy("Enterprise credit code"), required=False, max_length=18,
        help_text=gettext_lazy("For an enterprise's safety manager: the enterprise's unified social credit code."),
    )

    class Meta:
        model = RoleAssignment
        fields = ("role", "area", "department", "enterprise")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        bootstrap(self)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        role = data.get("role")
        if not role:
            return data
        for unit in ("area", "department", "enterprise"):
            if unit not in ROLE_UNITS.get(role, set()):
                data[unit] = None
        user = self.instance.user
        held = set(user.role_assignments.values_list("role", flat=True))
        # 三权分立: the three system roles belong to three different people who hold no business role.
        if role in SYSTEM_ROLES and held - {role}:
            raise forms.ValidationError(
                _("A system role (administrator, security administrator, auditor) cannot be combined with any "
                  "other role: remove the user's other roles first, or use another account."),
                code="separation_of_duties",
            )
        if role not in SYSTEM_ROLES and held & SYSTEM_ROLES:
            raise forms.ValidationError(
                _("This account holds a system role; a business role must go to another account."),
                code="separation_of_duties",
            )
        same = user.role_assignments.filter(
            role=role, area=data.get("area"), department=data.get("department"), enterprise=data.get("enterprise")
        )
        if same.exists():
            raise forms.ValidationError(_("The user already has this role."), code="duplicate_role")
        return data
