from django.urls import path

from . import views, views_io

app_name = "enterprises"
urlpatterns = [
    path("", views.enterprise_list, name="list"),
    path("add/", views.enterprise_create, name="add"),
    path("<int:pk>/", views.enterprise_detail, name="detail"),
    path("<int:pk>/edit/", views.enterprise_edit, name="edit"),
    # Excel import / export (views_io.py)
    path("import/", views_io.import_view, name="import"),
    path("import/template.xlsx", views_io.import_template, name="import_template"),
    path("export.xlsx", views_io.export_view, name="export"),
]
