from django.urls import path

from . import views, views_io

app_name = "accidents"
urlpatterns = [
    path("", views.accident_list, name="list"),
    path("add/", views.accident_create, name="add"),
    path("grade-preview/", views.grade_preview, name="grade_preview"),
    path("<int:pk>/", views.accident_detail, name="detail"),
    path("<int:pk>/edit/", views.accident_edit, name="edit"),
    path("<int:pk>/reports/", views.add_report, name="add_report"),
    path("<int:pk>/investigation/<slug:step>/", views.investigation_step, name="investigation"),
    path("<int:pk>/measures/<int:measure_pk>/check/", views.check_measure, name="check_measure"),
    path("bases/", views.base_list, name="bases"),
    path("bases/add/", views.base_edit, name="base_add"),
    path("bases/<int:pk>/", views.base_detail, name="base_detail"),
    path("bases/<int:pk>/edit/", views.base_edit, name="base_edit"),
    # Excel (anjian.core.exchange): kind_name is "accidents" or "statistics-bases"
    path("export/<slug:kind_name>.xlsx", views_io.export_view, name="export"),
    path("import/<slug:kind_name>/", views_io.import_view, name="import"),
    path("import/<slug:kind_name>/template.xlsx", views_io.template_view, name="import_template"),
]
