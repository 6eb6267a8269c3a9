from .views import AssessmentViewSet, IndicatorViewSet, PlanViewSet, TargetViewSet

API_ROUTES = [
    ("indicators", IndicatorViewSet, "indicator"),
    ("targets", TargetViewSet, "target"),
    ("plans", PlanViewSet, "plan"),
    ("assessments", AssessmentViewSet, "assessment"),
]
