from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from anjian.indicators.registry import registry

from .models import AssessmentScore, Plan, Target


class PlanForm(forms.ModelForm):
    class Meta:
        model = Plan
        fields = ["year", "title", "document_number", "document_date", "source_text"]
        widgets = {"document_date": forms.DateInput(attrs={"type": "date"}),
                   "source_text": forms.Textarea(attrs={"rows": 8})}


class TargetForm(forms.ModelForm):
    class Meta:
        model = Target
        fields = ["key", "order", "section", "label", "wording", "indicator_code", "comparator", "threshold", "unit",
                  "area_code", "department", "feeds", "note"]
        widgets = {"wording": forms.Textarea(attrs={"rows": 2}), "feeds": forms.Textarea(attrs={"rows": 2}),
                   "note": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args: Any, plan: Plan, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.plan = plan
        self.instance.plan = plan
        codes = sorted(registry())
        self.fields["indicator_code"].widget = forms.TextInput(attrs={"list": "indicator-codes"})
        self.fields["indicator_code"].help_text = _(
            "A registered indicator, or the code of one not registered yet (it shows “no data yet”).")
        self.indicator_codes = [(c, registry()[c].name) for c in codes]

    def clean_area_code(self) -> str:
        code = self.cleaned_data.get("area_code", "")
        if code and (len(code) != 12 or not code.isdigit()):
            raise forms.ValidationError(_("An area code has 12 digits."))
        return code

    def clean_key(self) -> str:
        key = self.cleaned_data["key"]
        clash = Target.objects.filter(plan=self.plan, key=key).exclude(pk=self.instance.pk)
        if clash.exists():
            raise forms.ValidationError(_("This plan already has a target with this key."))
        return key


class ScoreForm(forms.ModelForm):
    class Meta:
        model = AssessmentScore
        fields = ["score", "vetoed", "note"]
        widgets = {"note": forms.TextInput()}

    def __init__(self, *args: Any, item: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.item = item
        self.instance.item = item
        if item.kind == "veto":
            del self.fields["score"]
        else:
            del self.fields["vetoed"]
            self.fields["score"].widget.attrs.update(min=0, max=item.max_score, step="0.5")

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        score = data.get("score")
        if score is not None and not 0 <= score <= self.item.max_score:
            self.add_error("score", _("The score must be between 0 and {max}.").format(max=self.item.max_score))
        if (score is not None or data.get("vetoed")) and not (data.get("note") or "").strip():
            self.add_error("note", _("Say why: a score or a veto given by hand needs a note."))
        return data


class PlanImportForm(forms.Form):
    file = forms.FileField(label=_("Workbook (.xlsx)"))
