from django.urls import path

from . import views

app_name = "targets"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("map.json", views.map_data, name="map"),
    path("rows/", views.rows, name="rows"),
    path("rows/export.xlsx", views.rows_export, name="rows_export"),
    path("targets/<int:pk>/", views.target_detail, name="target_detail"),
    path("plans/", views.plan_list, name="plan_list"),
    path("plans/add/", views.plan_edit, name="plan_add"),
    path("plans/import/", views.plan_import, name="plan_import"),
    path("plans/import/template.xlsx", views.plan_import_template, name="plan_import_template"),
    path("plans/<int:pk>/", views.plan_detail, name="plan_detail"),
    path("plans/<int:pk>/edit/", views.plan_edit, name="plan_edit"),
    path("plans/<int:plan_pk>/targets/add/", views.target_edit, name="target_add"),
    path("plans/<int:plan_pk>/targets/<int:pk>/edit/", views.target_edit, name="target_edit"),
    path("assessments/", views.assessment_list, name="assessment_list"),
    path("assessments/<int:pk>/", views.assessment_detail, name="assessment_detail"),
    path("assessments/<int:pk>/export.xlsx", views.assessment_export, name="assessment_export"),
    path("assessments/<int:pk>/items/<int:item_pk>/score/", views.assessment_score, name="assessment_score"),
]
