from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from anjian.enterprises.models import Enterprise
from anjian.territory.models import Area, Sector

from ..models import (
    Accident,
    AccidentEvent,
    AccidentNature,
    AccidentReport,
    AccidentTypeCode,
    Accountability,
    Investigation,
    RectificationMeasure,
    StatisticsBase,
)


class AccidentTypeSerializer(serializers.ModelSerializer):
    class Meta:
        model = AccidentTypeCode
        fields = ["id", "scheme", "code", "name", "name_en", "sort_order", "effective_from", "effective_to", "source"]


def type_in_force(code: str, scheme: str | None, occurred_at: Any) -> AccidentTypeCode:
    """The type ``code`` of ``scheme``, or of the scheme in force on the day of the accident."""
    day = timezone.localtime(occurred_at).date()
    candidates = AccidentTypeCode.objects.filter(code=code)
    if scheme:
        candidates = candidates.filter(scheme=scheme)
    for t in candidates:
        if t.in_force_on(day) or scheme:
            return t
    raise serializers.ValidationError(
        {"type_code": _("No accident type {code} in the code table in force on {day}.").format(code=code, day=day)})


class AccidentSerializer(serializers.ModelSerializer):
    area_code = serializers.SlugRelatedField(source="area", slug_field="code", queryset=Area.objects.all())
    area_name = serializers.CharField(source="area.name", read_only=True)
    enterprise = serializers.PrimaryKeyRelatedField(queryset=Enterprise.objects.all(), required=False, allow_null=True)
    # Null for an accident without an enterprise (on a road, say).
    enterprise_name = serializers.CharField(source="enterprise.name", read_only=True, default=None, allow_null=True)
    sector = serializers.SlugRelatedField(slug_field="code", queryset=Sector.objects.all())
    type_code = serializers.CharField(write_only=True, required=False)
    type_scheme = serializers.CharField(write_only=True, required=False, allow_blank=True)
    type = serializers.SerializerMethodField()
    grade_display = serializers.CharField(source="get_grade_display", read_only=True)
    title = serializers.CharField(read_only=True)

    class Meta:
        model = Accident
        fields = [
            "id", "number", "title", "occurred_at", "place", "area_code", "area_name", "enterprise", "enterprise_name", "sector",
            "type", "type_code", "type_scheme", "deaths", "serious_injuries", "minor_injuries", "direct_loss",
            "special_equipment", "description", "causes", "reported_at", "reported_by", "reported_late", "grade",
            "grade_display", "grade_rule_set", "created", "last_updated", "version",
        ]
        read_only_fields = ["number", "grade", "grade_rule_set", "reported_late", "created", "last_updated", "version"]

    def get_type(self, obj: Accident) -> dict[str, str]:
        t = obj.accident_type
        return {"scheme": t.scheme, "code": t.code, "name": t.name}

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        code, scheme = attrs.pop("type_code", None), attrs.pop("type_scheme", None)
        occurred_at = attrs.get("occurred_at") or getattr(self.instance, "occurred_at", None)
        if code:
            attrs["accident_type"] = type_in_force(code, scheme, occurred_at)
        elif self.instance is None:
            raise serializers.ValidationError({"type_code": _("Give the accident type code.")})
        request = self.context.get("request")
        enterprise = attrs.get("enterprise")
        if enterprise is not None and request is not None and not Enterprise.objects.visible_to(
                request.user).filter(pk=enterprise.pk).exists():
            raise serializers.ValidationError({"enterprise": _("No such enterprise in your scope.")})
        if self.instance is not None:
            for name in ("deaths", "serious_injuries", "minor_injuries"):
                if name in attrs and attrs[name] != getattr(self.instance, name):
                    raise serializers.ValidationError(
                        {name: _("Deaths and injuries change through a follow-up report (续报), not by editing.")})
        return attrs


class AccidentReportSerializer(serializers.ModelSerializer):
    class Meta:
        model = AccidentReport
        fields = ["id", "kind", "reported_at", "deaths", "serious_injuries", "minor_injuries", "direct_loss", "text",
                  "within_window", "toll_changed"]
        read_only_fields = ["kind", "within_window", "toll_changed"]


class AccountabilitySerializer(serializers.ModelSerializer):
    class Meta:
        model = Accountability
        fields = ["id", "person", "position", "measure", "details", "fine_yuan"]


class RectificationMeasureSerializer(serializers.ModelSerializer):
    class Meta:
        model = RectificationMeasure
        fields = ["id", "measure", "responsible", "deadline", "done", "checked_on", "check_result"]


class InvestigationSerializer(serializers.ModelSerializer):
    accountabilities = AccountabilitySerializer(many=True, read_only=True)
    measures = RectificationMeasureSerializer(many=True, read_only=True)
    is_overdue = serializers.BooleanField(read_only=True)

    class Meta:
        model = Investigation
        fields = ["id", "status", "organised_by", "leader", "members", "started_on", "due_on", "extension_days",
                  "extension_reason", "is_overdue", "report_submitted_on", "report_summary", "direct_cause",
                  "indirect_cause", "nature", "approved_on", "approval_reference", "closed_on", "accountabilities",
                  "measures"]


class AccidentEventSerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor.username", read_only=True, default=None, allow_null=True)
    kind = serializers.CharField(source="action", read_only=True)  # the API's name of the event's action

    class Meta:
        model = AccidentEvent
        fields = ["id", "kind", "at", "actor", "comment", "data"]


class AccidentDetailSerializer(AccidentSerializer):
    reports = AccidentReportSerializer(many=True, read_only=True)
    investigation = serializers.SerializerMethodField()
    events = AccidentEventSerializer(many=True, read_only=True)

    class Meta(AccidentSerializer.Meta):
        fields = [*AccidentSerializer.Meta.fields, "reports", "investigation", "events"]

    @extend_schema_field(InvestigationSerializer(allow_null=True))
    def get_investigation(self, obj: Accident) -> dict | None:
        inv = Investigation.objects.filter(accident=obj).prefetch_related("accountabilities", "measures").first()
        return InvestigationSerializer(inv).data if inv else None


# --- input of the investigation steps (each mirrors the form of the web page; the action checks the rules) ---

class InvestigationStartSerializer(serializers.ModelSerializer):
    class Meta:
        model = Investigation
        fields = ["leader", "members", "organised_by", "started_on"]


class InvestigationExtensionSerializer(serializers.Serializer):
    days = serializers.IntegerField(label=gettext_lazy("extension (days)"), min_value=1, max_value=60)
    reason = serializers.CharField(label=gettext_lazy("reason for the extension"))


class InvestigationReportSerializer(serializers.Serializer):
    submitted_on = serializers.DateField(label=gettext_lazy("report submitted"))
    direct_cause = serializers.CharField(label=gettext_lazy("direct cause"))
    indirect_cause = serializers.CharField(label=gettext_lazy("indirect causes"), required=False, allow_blank=True,
                                           default="")
    nature = serializers.ChoiceField(label=gettext_lazy("nature"), choices=AccidentNature.choices)
    summary = serializers.CharField(label=gettext_lazy("summary of the report"), required=False, allow_blank=True,
                                    default="")
    report_file = serializers.FileField(label=gettext_lazy("investigation report"), required=False, allow_null=True,
                                        default=None, help_text=gettext_lazy("PDF or Word document."))

    def validate_report_file(self, value: Any) -> Any:
        """The size and content checks of the web form (PDF, .docx or .doc by content)."""
        from ..forms import InvestigationReportForm

        if not value:
            return None
        form = InvestigationReportForm()
        form.cleaned_data = {"report_file": value}
        try:
            return form.clean_report_file()
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages) from exc


class InvestigationApprovalSerializer(serializers.Serializer):
    approved_on = serializers.DateField(label=gettext_lazy("approved (批复) on"))
    reference = serializers.CharField(label=gettext_lazy("approval document"), max_length=100, required=False,
                                      allow_blank=True, default="")


class InvestigationCloseSerializer(serializers.Serializer):
    closed_on = serializers.DateField(label=gettext_lazy("closed on"), required=False, allow_null=True, default=None,
                                      help_text=gettext_lazy("Today if not given."))


class RectificationMeasureCreateSerializer(serializers.ModelSerializer):
    class Meta:
        model = RectificationMeasure
        fields = ["measure", "responsible", "deadline"]


class MeasureCheckSerializer(serializers.Serializer):
    done = serializers.BooleanField(label=gettext_lazy("carried out"), required=False, default=False)
    checked_on = serializers.DateField(label=gettext_lazy("checked on"))
    result = serializers.CharField(label=gettext_lazy("result of the check"))


class StatisticsBaseSerializer(serializers.ModelSerializer):
    area_code = serializers.SlugRelatedField(source="area", slug_field="code", queryset=Area.objects.all())
    area_name = serializers.CharField(source="area.name", read_only=True)

    class Meta:
        model = StatisticsBase
        fields = [
            "id", "year", "area_code", "area_name", "gdp", "gdp_source", "industrial_employees",
            "industrial_employees_source", "special_equipment_units", "special_equipment_units_source", "schools",
            "schools_source", "villages_communities", "villages_communities_source", "above_scale_enterprises",
            "above_scale_enterprises_source", "note", "created", "last_updated", "version",
        ]
        read_only_fields = ["created", "last_updated", "version"]
