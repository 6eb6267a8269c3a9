"""Forms of the hazard pages. They validate input; the actions do the work."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from anjian.core import clock
from anjian.enterprises.models import Enterprise
from anjian.territory.models import Area, AreaLevel, Department
from anjian.utilities.bounds import text_kwargs
from anjian.utilities.forms import bootstrap
from anjian.utilities.ordering import chinese

from . import rules
from .models import (
    DoubleReportKind,
    HazardLevel,
    ListingLevel,
    PhotoKind,
    RemediationPlan,
    SuspensionExtent,
)
from .uploads import validate_photo


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kw: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kw)


class MultiplePhotoInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Several photos at once, each checked by content and size (``uploads.validate_photo``)."""

    widget = MultiplePhotoInput(attrs={"accept": "image/*", "multiple": True})

    def __init__(self, **kw: Any) -> None:
        kw.setdefault("required", False)
        super().__init__(**kw)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        errors = []
        for f in files:
            try:
                validate_photo(f)
            except forms.ValidationError as exc:
                errors.extend(exc.messages)
        if errors:
            raise forms.ValidationError(errors)
        if self.required and not files:
            raise forms.ValidationError(self.error_messages["required"], code="required")
        return list(files)


class StyledForm(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        bootstrap(self)


class HazardForm(StyledForm):
    enterprise = forms.ModelChoiceField(label=_("Enterprise"), queryset=Enterprise.objects.none())
    description = forms.CharField(label=_("Hazard description"), widget=forms.Textarea, **text_kwargs())
    location = forms.CharField(label=_("Location"), required=False, max_length=200)
    level = forms.ChoiceField(label=_("Level"), choices=HazardLevel.choices, initial=HazardLevel.GENERAL,
                              help_text=_("一般: small harm, fixed at once; 重大: needs (partial) suspension and time, "
                                          "or cannot be fixed by the enterprise itself (16号令第三条)."))
    category = forms.ChoiceField(label=_("Category"), required=False)
    legal_basis = forms.CharField(label=_("Legal basis"), required=False, widget=forms.Textarea(attrs={"rows": 2}),
                                  **text_kwargs())
    found_on = forms.DateField(label=_("Found on"), widget=DateInput(), initial=clock.today)
    deadline = forms.DateField(label=_("Rectification deadline"), required=False, widget=DateInput())
    responsible_person = forms.CharField(label=_("Person responsible"), required=False, max_length=50)
    measures = forms.CharField(label=_("Rectification measures"), required=False, widget=forms.Textarea,
                               **text_kwargs())
    funds = forms.DecimalField(label=_("Funds (yuan)"), required=False, min_value=0, max_digits=14, decimal_places=2)
    photos = PhotosField(label=_("Photos before rectification"))

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["enterprise"].queryset = Enterprise.objects.visible_to(user).exclude(status="closed").only(
            "pk", "name").order_by(chinese("name"), "pk")
        self.fields["category"].choices = [("", "—"), *rules.category_choices()]


class TransitionForm(StyledForm):
    comment = forms.CharField(label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 2}),
                              **text_kwargs())
    evidence = forms.CharField(label=_("What was done (evidence)"), required=False,
                               widget=forms.Textarea(attrs={"rows": 3}), **text_kwargs())
    rectified_on = forms.DateField(label=_("Rectified on"), required=False, widget=DateInput())
    inspected_on = forms.DateField(label=_("Re-inspected on"), required=False, widget=DateInput())
    photos = PhotosField(label=_("Photos after rectification"))


class PhotoForm(StyledForm):
    kind = forms.ChoiceField(label=_("Before or after rectification"), choices=PhotoKind.choices)
    photos = PhotosField(label=_("Photos"), required=True)


class PlanForm(forms.ModelForm):
    class Meta:
        model = RemediationPlan
        fields = ["objectives", "methods", "funds_and_materials", "funds", "organisation", "time_and_requirements",
                  "target_date", "safety_and_emergency", "principal"]
        widgets = {"target_date": DateInput()}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        bootstrap(self)


class DoubleReportForm(StyledForm):
    kind = forms.ChoiceField(label=_("Reported"), choices=DoubleReportKind.choices)
    reported_on = forms.DateField(label=_("Reported on"), widget=DateInput(), initial=clock.today)
    department = forms.ModelChoiceField(label=_("Department"), queryset=Department.objects.all(), required=False)
    recipient = forms.CharField(label=_("Recipient"), required=False, max_length=100)
    summary = forms.CharField(label=_("Summary"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ListingForm(StyledForm):
    level = forms.ChoiceField(label=_("Level"), choices=ListingLevel.choices)
    issuing_body = forms.CharField(label=_("Issuing body"), max_length=100)
    document_number = forms.CharField(label=_("Document number"), max_length=60)
    listed_on = forms.DateField(label=_("Listed on"), widget=DateInput(), initial=clock.today)


class ExtensionRequestForm(StyledForm):
    new_deadline = forms.DateField(label=_("New deadline"), widget=DateInput())
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))


class DecisionForm(StyledForm):
    approve = forms.TypedChoiceField(label=_("Decision"), coerce=lambda v: v == "1",
                                     choices=[("1", _("approve")), ("0", _("refuse"))])
    comment = forms.CharField(label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class SuspensionForm(StyledForm):
    extent = forms.ChoiceField(label=_("Extent"), choices=SuspensionExtent.choices)
    issuing_body = forms.CharField(label=_("Ordered by"), max_length=100)
    document_number = forms.CharField(label=_("Document number"), required=False, max_length=60)
    ordered_on = forms.DateField(label=_("Ordered on"), widget=DateInput(), initial=clock.today)


class ResumptionForm(StyledForm):
    content = forms.CharField(label=_("Remediation done"), widget=forms.Textarea)
    assessment = forms.CharField(label=_("Assessment of the remediation (评估)"), required=False,
                                 widget=forms.Textarea(attrs={"rows": 2}))
    assessor = forms.CharField(label=_("Assessed by"), required=False, max_length=100)
    applied_on = forms.DateField(label=_("Applied on"), widget=DateInput(), initial=clock.today)


class ReviewForm(StyledForm):
    passed = forms.TypedChoiceField(label=_("Result"), coerce=lambda v: v == "1",
                                    choices=[("1", _("passed")), ("0", _("not passed"))])
    opinion = forms.CharField(label=_("Opinion"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    on = forms.DateField(label=_("Date"), widget=DateInput(), initial=clock.today)


class OrderAnswerForm(StyledForm):
    answer = forms.CharField(label=_("Answer"), widget=forms.Textarea(attrs={"rows": 3}))


class OrderCloseForm(StyledForm):
    reason = forms.CharField(label=_("Reason"), max_length=200)


class ReportSubmitForm(StyledForm):
    enterprise = forms.ModelChoiceField(label=_("Enterprise"), queryset=Enterprise.objects.none())
    period = forms.ChoiceField(label=_("Report period"))
    principal = forms.CharField(label=_("Signed by the principal (主要负责人)"), max_length=50)
    notes = forms.CharField(label=_("Analysis"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, user: Any = None, periods: list[tuple[int, int]] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["enterprise"].queryset = Enterprise.objects.visible_to(user).only("pk", "name").order_by(
            chinese("name"), "pk")
        self.fields["period"].choices = [(f"{y}-{q}", period_label(y, q)) for y, q in periods]

    def clean_period(self) -> tuple[int, int]:
        y, q = self.cleaned_data["period"].split("-")
        return int(y), int(q)


def period_label(year: int, quarter: int) -> str:
    if quarter:
        return str(_("{year} Q{quarter}")).format(year=year, quarter=quarter)
    return str(_("{year} annual")).format(year=year)


class DashboardForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100, required=False)
    town = forms.ChoiceField(label=_("Town"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["town"].choices = [("", _("whole district")), *Area.objects.filter(
            level=AreaLevel.TOWN).values_list("code", "name")]
        bootstrap(self)
