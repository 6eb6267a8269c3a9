"""Forms of the enterprise registry: the full record, and the contact details an enterprise keeps itself."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from anjian.accounts.models import Role
from anjian.territory.models import Area, AreaLevel, Department, Sector
from anjian.utilities.forms import bootstrap

from .filters import SectorChoiceField, _under, area_roots
from .models import CONTACT_FIELDS, REGISTRY_FIELDS, Enterprise

# Roles that keep the registry itself (any field, any enterprise of their scope).
REGISTRY_ROLES = (Role.DISTRICT_ADMIN, Role.DEPARTMENT, Role.TOWN)


def writable_names(user: Any, enterprise: Enterprise | None = None) -> frozenset[str]:
    """The fields ``user`` may write in ``enterprise`` (a new one when None): ``Enterprise.writable``,
    the one definition the API serializer reads too."""
    perm = "enterprises.change_enterprise" if enterprise is not None and enterprise.pk else "enterprises.add_enterprise"
    return Enterprise.writable.for_user(user, perm, enterprise)


def edits_contact_fields_only(user: Any, enterprise: Enterprise | None = None) -> bool:
    """The user's roles that hold ``enterprise`` let it edit no more than the contact details
    (an enterprise user, or one whose other roles do not reach this enterprise)."""
    if enterprise is None:
        return user.has_role(Role.ENTERPRISE) and not user.has_role(*REGISTRY_ROLES)
    return writable_names(user, enterprise) <= set(CONTACT_FIELDS)


class SectorMultipleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Sector) -> str:
        return SectorChoiceField.label_from_instance(self, obj)  # type: ignore[arg-type]


class AreaChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Area) -> str:
        if obj.level == AreaLevel.COMMUNITY and obj.parent_id:
            return f"\u3000{obj.parent.name} › {obj.name}"
        return obj.name


class VersionedForm(forms.ModelForm):
    """Carries the row's ``version`` as it was when the form was opened (optimistic concurrency).

    With a ``user``, keeps only the fields that user may write (``Enterprise.writable``)."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        if user is not None:
            allowed = writable_names(user, self.instance)
            for name in [n for n in self.fields if n != "version" and n not in allowed]:
                del self.fields[name]
        bootstrap(self)
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version
            self.fields["version"].required = True

    def is_stale(self) -> bool:
        """True when the row changed after the form was opened (the instance is the locked row)."""
        opened = self.cleaned_data.get("version")
        return bool(self.instance.pk) and opened is not None and opened != self.instance.version


class EnterpriseForm(VersionedForm):
    area = AreaChoiceField(label=_("Town / community"), queryset=Area.objects.none(), to_field_name="code",
                           help_text=_("The town or community the enterprise is registered in."))
    sectors = SectorMultipleChoiceField(label=_("Sectors"), queryset=Sector.objects.select_related("parent"),
                                        widget=forms.CheckboxSelectMultiple)
    departments = forms.ModelMultipleChoiceField(label=_("Supervising departments"), required=False,
                                                 queryset=Department.objects.all(),
                                                 widget=forms.CheckboxSelectMultiple)

    class Meta:
        model = Enterprise
        fields = list(REGISTRY_FIELDS)
        widgets = {
            "credit_code": forms.TextInput(attrs={"autocapitalize": "characters", "spellcheck": "false",
                                                  "maxlength": 18, "placeholder": "91410199MA0000001B"}),
            "safety_manager_phone": forms.TextInput(attrs={"type": "tel", "inputmode": "tel"}),
            "employees": forms.NumberInput(attrs={"min": 0}),
            "established_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)
        # Only towns and communities inside the user's territory can be chosen.
        if "area" in self.fields:
            self.fields["area"].queryset = _under(
                Area.objects.filter(level__in=(AreaLevel.TOWN, AreaLevel.COMMUNITY)), area_roots(user)
            ).select_related("parent").order_by("code")

    def clean_credit_code(self) -> str:
        return (self.cleaned_data.get("credit_code") or "").strip().upper()

    def clean_safety_manager_phone(self) -> str:
        return (self.cleaned_data.get("safety_manager_phone") or "").strip()

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if (data.get("latitude") is None) != (data.get("longitude") is None):
            raise forms.ValidationError(_("Give both the latitude and the longitude, or neither."))
        return data


class EnterpriseContactForm(VersionedForm):
    """The enterprise's own contact details: the only fields its safety manager may change."""

    class Meta:
        model = Enterprise
        fields = list(CONTACT_FIELDS)
        widgets = {
            "safety_manager_phone": forms.TextInput(attrs={"type": "tel", "inputmode": "tel"}),
            "employees": forms.NumberInput(attrs={"min": 0}),
        }

    def clean_safety_manager_phone(self) -> str:
        return (self.cleaned_data.get("safety_manager_phone") or "").strip()


def form_class_for(user: Any, enterprise: Enterprise | None = None) -> type[VersionedForm]:
    """The whole record for the roles that keep the registry, the contact details otherwise; either
    way only the fields ``Enterprise.writable`` gives the roles of ``user`` that hold ``enterprise``."""
    return EnterpriseContactForm if edits_contact_fields_only(user, enterprise) else EnterpriseForm
