from __future__ import annotations

from typing import Any

from rest_framework import serializers

from ..models import AssessmentScheme, Plan, Target


def number(value: Any) -> float | None:
    return float(value) if value is not None else None


class TargetSerializer(serializers.ModelSerializer):
    """A target with its value and status computed live in the reader's scope."""

    indicator = serializers.CharField(source="indicator_code")
    threshold = serializers.SerializerMethodField()
    year = serializers.IntegerField(source="plan.year")
    plan = serializers.PrimaryKeyRelatedField(read_only=True)
    value = serializers.SerializerMethodField()
    status = serializers.SerializerMethodField()
    projection = serializers.SerializerMethodField()
    projection_method = serializers.SerializerMethodField()
    computable = serializers.SerializerMethodField()

    class Meta:
        model = Target
        fields = ["id", "plan", "year", "key", "section", "label", "wording", "indicator", "comparator", "threshold",
                  "unit", "area_code", "department", "value", "status", "projection", "projection_method",
                  "computable", "feeds", "note"]

    def _ev(self, obj: Target) -> Any:
        cache = self.context.setdefault("evaluations", {})
        if obj.pk not in cache:
            from anjian.indicators.registry import IndicatorScope

            from ..evaluation import evaluate

            cache[obj.pk] = evaluate(obj, IndicatorScope(user=self.context["request"].user),
                                     self.context.get("as_of"))
        return cache[obj.pk]

    def get_threshold(self, obj: Target) -> float:
        return float(obj.threshold)

    def get_value(self, obj: Target) -> float | None:
        return number(self._ev(obj).value)

    def get_status(self, obj: Target) -> str:
        return str(self._ev(obj).status)

    def get_projection(self, obj: Target) -> float | None:
        return number(self._ev(obj).projection.value)

    def get_projection_method(self, obj: Target) -> str:
        return self._ev(obj).projection.method

    def get_computable(self, obj: Target) -> bool:
        return self._ev(obj).indicator is not None


class PlanTargetSerializer(serializers.ModelSerializer):
    indicator = serializers.CharField(source="indicator_code")
    threshold = serializers.SerializerMethodField()

    class Meta:
        model = Target
        fields = ["id", "key", "section", "label", "wording", "indicator", "comparator", "threshold", "unit",
                  "area_code", "department", "feeds", "note"]

    def get_threshold(self, obj: Target) -> float:
        return float(obj.threshold)


class PlanSerializer(serializers.ModelSerializer):
    targets = PlanTargetSerializer(many=True, read_only=True)

    class Meta:
        model = Plan
        fields = ["id", "year", "title", "document_number", "document_date", "area_code", "source", "targets"]


def _item(i: Any) -> dict[str, Any]:
    return {"id": i.pk, "key": i.key, "name": i.name, "kind": i.kind, "max_score": float(i.max_score),
            "indicator": i.indicator_code or None, "comparator": i.comparator or None,
            "threshold": number(i.threshold), "scoring_rule": i.scoring_rule or None,
            "applies_to": i.applies_to or None}


class AssessmentSchemeListSerializer(serializers.ModelSerializer):
    """A scheme and its items; the units' scores and ranks are on the scheme itself (``url``):
    computing them reads the indicators of the scheme's year, per scheme."""

    items = serializers.SerializerMethodField()
    url = serializers.HyperlinkedIdentityField(view_name="assessment-detail")

    class Meta:
        model = AssessmentScheme
        fields = ["id", "url", "year", "title", "area_code", "description", "items"]

    def get_items(self, obj: AssessmentScheme) -> list[dict[str, Any]]:
        return [_item(i) for i in obj.items.all()]


class AssessmentSchemeSerializer(serializers.ModelSerializer):
    items = serializers.SerializerMethodField()
    units = serializers.SerializerMethodField()

    class Meta:
        model = AssessmentScheme
        fields = ["id", "year", "title", "area_code", "description", "items", "units"]

    def _result(self, obj: AssessmentScheme) -> Any:
        cache = self.context.setdefault("assessments", {})
        if obj.pk not in cache:
            from ..assessment import assess

            cache[obj.pk] = assess(obj, self.context["request"].user, self.context.get("as_of"))
        return cache[obj.pk]

    def get_items(self, obj: AssessmentScheme) -> list[dict[str, Any]]:
        return [_item(i) for i in self._result(obj).items]

    def get_units(self, obj: AssessmentScheme) -> list[dict[str, Any]]:
        out = []
        for u in self._result(obj).units:
            out.append({
                "kind": u.unit.kind, "name": u.unit.name, "area_code": u.unit.area_code,
                "department": u.unit.department_id, "rank": u.rank, "total": float(u.total), "vetoed": u.vetoed,
                "scores": [{"item": s.item.pk, "score": number(s.score), "value": number(s.value),
                            "vetoed": s.vetoed, "not_applicable": s.not_applicable, "pending": s.pending,
                            "note": s.note} for s in u.items],
            })
        return out


# --- the OpenAPI description of the indicator registry (views.IndicatorViewSet builds plain dicts) ---------

class IndicatorSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    unit = serializers.CharField(allow_blank=True)
    better = serializers.ChoiceField(choices=["higher", "lower"])
    description = serializers.CharField(allow_blank=True)
    feeds = serializers.CharField(allow_blank=True)


class PeriodSerializer(serializers.Serializer):
    start = serializers.DateField()
    end = serializers.DateField()


class IndicatorValueSerializer(serializers.Serializer):
    """``?code=…&year=…``: the indicator's value in that scope."""

    code = serializers.CharField()
    name = serializers.CharField()
    unit = serializers.CharField(allow_blank=True)
    better = serializers.ChoiceField(choices=["higher", "lower"])
    year = serializers.IntegerField()
    month = serializers.IntegerField(allow_null=True)
    area_code = serializers.CharField(allow_null=True)
    department = serializers.IntegerField(allow_null=True)
    sector = serializers.IntegerField(allow_null=True)
    period = PeriodSerializer()
    value = serializers.FloatField(allow_null=True)
    numerator = serializers.FloatField(allow_null=True)
    denominator = serializers.FloatField(allow_null=True)
    note = serializers.CharField(allow_blank=True)
    rows_url = serializers.CharField(allow_null=True)


class PaginatedIndicatorSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    next = serializers.CharField(allow_null=True)
    previous = serializers.CharField(allow_null=True)
    results = IndicatorSerializer(many=True)


class DrilldownRowSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    model = serializers.CharField()
    label = serializers.CharField()
    url = serializers.CharField(allow_null=True)


class PaginatedDrilldownRowSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    next = serializers.CharField(allow_null=True)
    previous = serializers.CharField(allow_null=True)
    results = DrilldownRowSerializer(many=True)
