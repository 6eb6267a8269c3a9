from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from anjian.enterprises.models import Enterprise
from anjian.territory.models import Area, AreaLevel, Sector
from anjian.utilities.bounds import PEOPLE, text_kwargs
from anjian.utilities.ordering import chinese
from anjian.utilities.scoping import scope_for

from .models import (
    Accident,
    AccidentNature,
    AccidentTypeCode,
    Accountability,
    MeasureKind,
    RectificationMeasure,
    StatisticsBase,
)

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format=DATETIME_FORMAT, **kwargs)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


def _bootstrap(form: forms.Form) -> None:
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxInput):
            widget.attrs.setdefault("class", "form-check-input")
        elif isinstance(widget, forms.Select):
            widget.attrs.setdefault("class", "form-select")
        else:
            widget.attrs.setdefault("class", "form-control")


def areas_for(user: Any) -> Any:
    """Towns and communities the user may record an accident in."""
    qs = Area.objects.filter(level__in=[AreaLevel.TOWN, AreaLevel.COMMUNITY]).select_related("parent")
    scope = scope_for(user, "accidents.add_accident")  # the roles that may record one
    if scope.department_ids:
        return qs  # a department records accidents of its sectors anywhere in the district
    from django.db.models import Q

    q = Q(pk__in=[])
    for prefix in scope.area_prefixes:
        q |= Q(code__startswith=prefix)
    return qs.filter(q)


class AreaChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Area) -> str:
        if obj.level == AreaLevel.COMMUNITY and obj.parent_id:
            return f"{obj.parent.name} / {obj.name}"
        return obj.name


class TypeChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: AccidentTypeCode) -> str:
        return f"{obj.scheme} {obj.code} {obj.label}"


class AccidentForm(forms.ModelForm):
    enterprise_code = forms.CharField(
        label=_("Enterprise (credit code)"), required=False, max_length=18,
        help_text=_("The unified social credit code; leave empty for an accident without an enterprise."),
    )

    class Meta:
        model = Accident
        fields = [
            "occurred_at", "place", "area", "sector", "accident_type", "deaths", "serious_injuries", "minor_injuries",
            "direct_loss", "special_equipment", "description", "causes", "reported_at", "reported_by",
        ]
        widgets = {
            "occurred_at": DateTimeLocalInput(), "reported_at": DateTimeLocalInput(),
            "description": forms.Textarea(attrs={"rows": 4}), "causes": forms.Textarea(attrs={"rows": 3}),
        }
        field_classes = {"area": AreaChoiceField, "accident_type": TypeChoiceField}

    field_order = ["occurred_at", "place", "area", "enterprise_code", "sector", "accident_type"]

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["area"].queryset = areas_for(user)
        self.fields["sector"].queryset = Sector.objects.all()
        self.fields["accident_type"].queryset = AccidentTypeCode.objects.all()
        for name in ("occurred_at", "reported_at"):
            self.fields[name].input_formats = [DATETIME_FORMAT, "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]
        if self.instance.pk:
            if self.instance.enterprise_id:
                self.initial["enterprise_code"] = self.instance.enterprise.credit_code
            for name in ("deaths", "serious_injuries", "minor_injuries"):
                self.fields[name].disabled = True
                self.fields[name].help_text = _("Changes through a follow-up report (续报).")
        _bootstrap(self)
        self.fields["enterprise_code"].widget.attrs["list"] = "enterprise-codes"

    def enterprise_choices(self) -> list[tuple[str, str]]:
        """Up to 300 enterprises in the user's scope for the input's suggestion list."""
        return list(Enterprise.objects.visible_to(self.user).order_by(chinese("name"), "pk").values_list("credit_code", "name")[:300])

    def clean_enterprise_code(self) -> Enterprise | None:
        code = (self.cleaned_data.get("enterprise_code") or "").strip().upper()
        if not code:
            return None
        enterprise = Enterprise.objects.visible_to(self.user).filter(credit_code=code).first()
        if enterprise is None:
            raise forms.ValidationError(_("No enterprise with the credit code {code} in your scope.").format(code=code))
        return enterprise

    def _post_clean(self) -> None:
        self.instance.enterprise = self.cleaned_data.get("enterprise_code")
        super()._post_clean()

    def action_fields(self) -> dict[str, Any]:
        """The cleaned values as keyword arguments of ``actions.record_accident`` / ``update_accident``."""
        data = {name: self.cleaned_data[name] for name in self.Meta.fields if not self.fields[name].disabled}
        data["enterprise"] = self.cleaned_data.get("enterprise_code")
        return data


class FollowUpReportForm(forms.Form):
    reported_at = forms.DateTimeField(label=_("time of the report"), widget=DateTimeLocalInput(),
                                      input_formats=[DATETIME_FORMAT, "%Y-%m-%d %H:%M"])
    deaths = forms.IntegerField(label=_("deaths (incl. missing)"), **PEOPLE.field_kwargs())
    serious_injuries = forms.IntegerField(label=_("serious injuries (incl. acute poisoning)"), **PEOPLE.field_kwargs())
    minor_injuries = forms.IntegerField(label=_("minor injuries"), **PEOPLE.field_kwargs())
    direct_loss = forms.DecimalField(label=_("direct economic loss (yuan)"), min_value=0, max_digits=16,
                                     decimal_places=2, required=False,
                                     help_text=_("Leave empty to keep the current estimate."))
    text = forms.CharField(label=_("text of the report"), widget=forms.Textarea(attrs={"rows": 3}), required=False,
                           **text_kwargs())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _bootstrap(self)


class StartInvestigationForm(forms.Form):
    leader = forms.CharField(label=_("team leader"), max_length=50)
    members = forms.CharField(label=_("team members"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    organised_by = forms.CharField(label=_("organised by"), max_length=100, required=False)
    started_on = forms.DateField(label=_("start date"), widget=DateInput())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _bootstrap(self)


class ExtendInvestigationForm(forms.Form):
    days = forms.IntegerField(label=_("extension (days)"), min_value=1, max_value=60)
    reason = forms.CharField(label=_("reason for the extension"), widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _bootstrap(self)


class InvestigationReportForm(forms.Form):
    submitted_on = forms.DateField(label=_("report submitted"), widget=DateInput())
    direct_cause = forms.CharField(label=_("direct cause"), widget=forms.Textarea(attrs={"rows": 2}))
    indirect_cause = forms.CharField(label=_("indirect causes"), widget=forms.Textarea(attrs={"rows": 2}),
                                     required=False)
    nature = forms.ChoiceField(label=_("nature"), choices=AccidentNature.choices)
    summary = forms.CharField(label=_("summary of the report"), widget=forms.Textarea(attrs={"rows": 3}),
                              required=False)
    report_file = forms.FileField(label=_("investigation report"), required=False,
                                  help_text=_("PDF or Word document."))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _bootstrap(self)

    def clean_report_file(self) -> Any:
        from anjian.files import checks

        f = self.cleaned_data.get("report_file")
        if not f:
            return None
        # By content (PDF, .docx or .doc), size, no page or script inside: the platform's one checker.
        checks.check_upload(f, checks.REPORTS)
        return f


class ApproveInvestigationForm(forms.Form):
    approved_on = forms.DateField(label=_("approved (批复) on"), widget=DateInput())
    reference = forms.CharField(label=_("approval document"), max_length=100, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _bootstrap(self)


class AccountabilityForm(forms.ModelForm):
    class Meta:
        model = Accountability
        fields = ["person", "position", "measure", "details", "fine_yuan"]
        widgets = {"details": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["measure"].choices = MeasureKind.choices
        _bootstrap(self)


class MeasureForm(forms.ModelForm):
    class Meta:
        model = RectificationMeasure
        fields = ["measure", "responsible", "deadline"]
        widgets = {"measure": forms.Textarea(attrs={"rows": 2}), "deadline": DateInput()}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _bootstrap(self)


class MeasureCheckForm(forms.Form):
    done = forms.BooleanField(label=_("carried out"), required=False)
    checked_on = forms.DateField(label=_("checked on"), widget=DateInput())
    result = forms.CharField(label=_("result of the check"), widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _bootstrap(self)


class StatisticsBaseForm(forms.ModelForm):
    class Meta:
        model = StatisticsBase
        fields = [
            "year", "area", "gdp", "gdp_source", "industrial_employees", "industrial_employees_source",
            "special_equipment_units", "special_equipment_units_source", "schools", "schools_source",
            "villages_communities", "villages_communities_source", "above_scale_enterprises",
            "above_scale_enterprises_source", "note",
        ]
        widgets = {"note": forms.Textarea(attrs={"rows": 2})}
        field_classes = {"area": AreaChoiceField}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = Area.objects.filter(
            level__in=[AreaLevel.COUNTY, AreaLevel.TOWN, AreaLevel.COMMUNITY]).select_related("parent")
        _bootstrap(self)


class UploadForm(forms.Form):
    file = forms.FileField(label=_("Excel file (.xlsx)"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _bootstrap(self)
