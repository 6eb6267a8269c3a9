"""Forms of the enterprise registry: the full record, and the contact details an enterprise keeps itself."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from anjian.accounts.models import Role
from anjian.territory.models import Area, AreaLevel, Department, Sector

from .filters import SectorChoiceField, _under, area_roots
from .models import Enterprise

# What an enterprise's own safety manager may correct in its record.
CONTACT_FIELDS = ("safety_manager", "safety_manager_phone", "address", "employees")

# Roles that keep the registry itself (any field, any enterprise of their scope).
REGISTRY_ROLES = (Role.DISTRICT_ADMIN, Role.DEPARTMENT, Role.TOWN)


def edits_contact_fields_only(user: Any) -> bool:
    """An enterprise user (with no registry role besides) edits only the contact details of its record."""
    return user.has_role(Role.ENTERPRISE) and not user.has_role(*REGISTRY_ROLES)


def bootstrap(form: forms.BaseForm, small: bool = False) -> forms.BaseForm:
    """Give every widget of ``form`` its Bootstrap class."""
    size = " form-control-sm" if small else ""
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.HiddenInput):
            continue
        if isinstance(widget, forms.CheckboxInput | forms.CheckboxSelectMultiple):
            css = "form-check-input"
        elif isinstance(widget, forms.Select | forms.SelectMultiple):
            css = "form-select" + (" form-select-sm" if small else "")
        else:
            css = "form-control" + size
        widget.attrs["class"] = (widget.attrs.get("class", "") + " " + css).strip()
    return form


class SectorMultipleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Sector) -> str:
        return SectorChoiceField.label_from_instance(self, obj)  # type: ignore[arg-type]


class AreaChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Area) -> str:
        if obj.level == AreaLevel.COMMUNITY and obj.parent_id:
            return f"\u3000{obj.parent.name} › {obj.name}"
        return obj.name


class VersionedForm(forms.ModelForm):
    """Carries the row's ``version`` as it was when the form was opened (optimistic concurrency)."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
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
        fields = [
            "credit_code", "name", "address", "area", "sectors", "departments", "above_scale",
            "key_enterprise", "employees", "legal_representative", "safety_manager", "safety_manager_phone",
            "latitude", "longitude", "status", "standardisation_grade",
        ]
        widgets = {
            "credit_code": forms.TextInput(attrs={"autocapitalize": "characters", "spellcheck": "false",
                                                  "maxlength": 18, "placeholder": "91410199MA0000001B"}),
            "safety_manager_phone": forms.TextInput(attrs={"type": "tel", "inputmode": "tel"}),
            "employees": forms.NumberInput(attrs={"min": 0}),
        }

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        # Only towns and communities inside the user's territory can be chosen.
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

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_safety_manager_phone(self) -> str:
        return (self.cleaned_data.get("safety_manager_phone") or "").strip()


def form_class_for(user: Any) -> type[VersionedForm]:
    return EnterpriseContactForm if edits_contact_fields_only(user) else EnterpriseForm
