from django.urls import path

from . import views

app_name = "hazards"
urlpatterns = [
    path("", views.hazard_list, name="list"),
    path("new/", views.hazard_create, name="add"),
    path("export.xlsx", views.hazard_export, name="export"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("major/", views.major_overview, name="major"),
    path("indicators/<str:code>/rows.xlsx", views.indicator_export, name="indicator_export"),
    path("<int:pk>/", views.hazard_detail, name="detail"),
    path("<int:pk>/transition/<str:action>/", views.hazard_transition, name="transition"),
    path("<int:pk>/photos/", views.hazard_photos, name="photos"),
    path("<int:pk>/plan/", views.hazard_plan, name="plan"),
    path("<int:pk>/double-report/", views.hazard_double_report, name="double_report"),
    path("<int:pk>/listing/", views.hazard_listing, name="listing"),
    path("<int:pk>/extension/", views.hazard_extension, name="extension"),
    path("<int:pk>/suspension/", views.hazard_suspension, name="suspension"),
    path("<int:pk>/reinspection/", views.hazard_reinspection, name="reinspection"),
    path("extensions/<int:pk>/decide/", views.extension_decide, name="extension_decide"),
    path("suspensions/<int:pk>/resumption/", views.suspension_resumption, name="resumption"),
    path("resumptions/<int:pk>/review/", views.resumption_review, name="resumption_review"),
    path("orders/", views.order_list, name="orders"),
    path("orders/<int:pk>/", views.order_detail, name="order_detail"),
    path("orders/<int:pk>/answer/", views.order_answer, name="order_answer"),
    path("orders/<int:pk>/close/", views.order_close, name="order_close"),
    path("reports/", views.report_list, name="reports"),
    path("reports/submit/", views.report_submit, name="report_submit"),
    path("reports/<int:pk>/", views.report_detail, name="report_detail"),
]
