from django.urls import path

from . import views

app_name = "inspections"
urlpatterns = [
    path("", views.inspection_list, name="list"),
    path("add/", views.inspection_create, name="add"),
    path("self/", views.self_inspect, name="self_inspect"),
    path("coverage/", views.coverage_report, name="coverage"),
    path("<int:pk>/", views.inspection_detail, name="detail"),
    path("<int:pk>/walk/", views.inspection_walk, name="walk"),
    path("<int:pk>/finding/", views.inspection_finding, name="finding"),
    path("<int:pk>/document/", views.inspection_document, name="document"),
    path("<int:pk>/submit/", views.inspection_submit, name="submit"),
    path("plans/", views.plan_list, name="plan_list"),
    path("plans/add/", views.plan_edit, name="plan_add"),
    path("plans/<int:pk>/", views.plan_detail, name="plan_detail"),
    path("plans/<int:pk>/edit/", views.plan_edit, name="plan_edit"),
    path("plans/<int:pk>/generate/", views.plan_generate, name="plan_generate"),
    path("checklists/", views.template_list, name="template_list"),
    path("checklists/<int:pk>/", views.template_detail, name="template_detail"),
    path("checklists/export.xlsx", views.template_export, name="template_export"),
    path("checklists/import/", views.template_import, name="template_import"),
    path("checklists/import/template.xlsx", views.template_import_template, name="template_import_template"),
]
