"""Forms: an inspection's header, one item's result, a photo, submit, a plan, the filters."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from anjian.accounts.models import Role, User
from anjian.utilities.forms import bootstrap
from anjian.utilities.ordering import chinese

from .actions import inspector_count_error
from .models import (
    ChecklistTemplate,
    Frequency,
    Inspection,
    InspectionKind,
    InspectionPlan,
    Outcome,
)

INSPECTOR_ROLES = (Role.INSPECTOR, Role.DEPARTMENT, Role.TOWN, Role.DISTRICT_ADMIN)


def allowed_kinds(user: Any) -> list[tuple[str, str]]:
    """Enterprise users file self-inspections; government users every other kind."""
    kinds = []
    for value, label in InspectionKind.choices:
        if value == InspectionKind.SELF and user.has_role(Role.ENTERPRISE):
            kinds.append((value, label))
        elif value != InspectionKind.SELF and user.has_role(*INSPECTOR_ROLES):
            kinds.append((value, label))
    return kinds


def inspector_queryset() -> Any:
    return (User.objects.filter(is_active=True, role_assignments__role__in=INSPECTOR_ROLES)
            .distinct().order_by("full_name", "username"))


class InspectorChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return obj.full_name or obj.username


class InspectionForm(forms.ModelForm):
    inspectors = InspectorChoiceField(label=_("Inspectors"), queryset=User.objects.none(), required=False,
                                      widget=forms.SelectMultiple(attrs={"size": 6}),
                                      help_text=_("An enforcement inspection needs at least two inspectors."))

    class Meta:
        model = Inspection
        fields = ["enterprise", "kind", "date", "template", "inspectors", "campaign", "place", "latitude",
                  "longitude", "record_number"]
        widgets = {"date": forms.DateInput(attrs={"type": "date"}),
                   "latitude": forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
                   "longitude": forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"})}

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from anjian.enterprises.models import Enterprise

        self.user = user
        self.fields["enterprise"].queryset = Enterprise.objects.visible_to(user).order_by(chinese("name"), "pk")
        self.fields["kind"].choices = allowed_kinds(user)
        self.fields["template"].queryset = ChecklistTemplate.objects.filter(active=True).order_by("code", "-template_version")
        self.fields["inspectors"].queryset = inspector_queryset()
        bootstrap(self)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        kind = data.get("kind")
        if kind and kind != InspectionKind.SELF:
            error = inspector_count_error(kind, len(data.get("inspectors") or []))
            if error:
                self.add_error("inspectors", error)
        return data


class ResultForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Result"), choices=Outcome.choices, widget=forms.RadioSelect)
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    location = forms.CharField(label=_("Location"), required=False, max_length=300)
    photo = forms.FileField(label=_("Photo"), required=False, widget=forms.ClearableFileInput(
        attrs={"accept": "image/*", "capture": "environment"}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        bootstrap(self)


class FindingForm(forms.Form):
    content = forms.CharField(label=_("Finding"), widget=forms.Textarea(attrs={"rows": 2}))
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    location = forms.CharField(label=_("Location"), required=False, max_length=300)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        bootstrap(self)


class DocumentForm(forms.Form):
    document = forms.FileField(label=_("Document of the record (PDF or scan)"), widget=forms.ClearableFileInput(
        attrs={"accept": "application/pdf,image/*"}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        bootstrap(self)


class SubmitForm(forms.Form):
    conclusion = forms.CharField(label=_("Conclusion"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    place = forms.CharField(label=_("Place"), required=False, max_length=300)
    latitude = forms.DecimalField(label=_("Latitude"), required=False, min_value=-90, max_value=90,
                                  max_digits=9, decimal_places=6, widget=forms.HiddenInput)
    longitude = forms.DecimalField(label=_("Longitude"), required=False, min_value=-180, max_value=180,
                                   max_digits=9, decimal_places=6, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        bootstrap(self)


class PlanForm(forms.ModelForm):
    inspectors = InspectorChoiceField(label=_("Inspectors"), queryset=User.objects.none(), required=False,
                                      widget=forms.SelectMultiple(attrs={"size": 5}))

    class Meta:
        model = InspectionPlan
        fields = ["name", "kind", "frequency", "template", "responsible_department", "area", "enterprises",
                  "sectors", "key_only", "inspectors", "start_date", "end_date", "active"]
        widgets = {"start_date": forms.DateInput(attrs={"type": "date"}),
                   "end_date": forms.DateInput(attrs={"type": "date"}),
                   "enterprises": forms.SelectMultiple(attrs={"size": 6}),
                   "sectors": forms.SelectMultiple(attrs={"size": 6})}

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from anjian.enterprises.models import Enterprise
        from anjian.territory.models import Area, AreaLevel

        self.fields["kind"].choices = [c for c in InspectionKind.choices if c[0] != InspectionKind.SELF]
        self.fields["enterprises"].queryset = Enterprise.objects.visible_to(user).order_by(chinese("name"), "pk")
        self.fields["area"].queryset = Area.objects.filter(level__lte=AreaLevel.TOWN, level__gte=AreaLevel.COUNTY)
        self.fields["inspectors"].queryset = inspector_queryset()
        self.fields["template"].queryset = ChecklistTemplate.objects.filter(active=True)
        self.fields["frequency"].choices = Frequency.choices
        bootstrap(self)
