from . import views as v

API_ROUTES = [
    ("hazards", v.HazardViewSet, "hazard"),
    ("supervision-orders", v.SupervisionOrderViewSet, "supervision-order"),
    ("hazard-reports", v.HazardReportViewSet, "hazard-report"),
    ("hazard-events", v.HazardEventViewSet, "hazard-event"),
    ("hazard-photos", v.HazardPhotoViewSet, "hazard-photo"),
    ("hazard-reinspections", v.ReinspectionViewSet, "hazard-reinspection"),
    ("remediation-plans", v.RemediationPlanViewSet, "remediation-plan"),
    ("double-reports", v.DoubleReportViewSet, "double-report"),
    ("supervision-listings", v.SupervisionListingViewSet, "supervision-listing"),
    ("deadline-extensions", v.DeadlineExtensionViewSet, "deadline-extension"),
    ("suspensions", v.SuspensionViewSet, "suspension"),
    ("resumption-applications", v.ResumptionApplicationViewSet, "resumption-application"),
]
