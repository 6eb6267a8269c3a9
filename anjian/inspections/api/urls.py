from .views import ChecklistTemplateViewSet, InspectionPlanViewSet, InspectionViewSet

API_ROUTES = [
    ("checklist-templates", ChecklistTemplateViewSet, "checklist-template"),
    ("inspections", InspectionViewSet, "inspection"),
    ("inspection-plans", InspectionPlanViewSet, "inspection-plan"),
]
