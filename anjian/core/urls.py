from django.urls import path

from . import views

app_name = "core"
urlpatterns = [
    path("overview/", views.overview, name="overview"),
    path("audit/", views.audit_log, name="audit"),
    path("notifications/", views.notifications, name="notifications"),
    path("jobs/<uuid:uuid>/", views.job_status, name="job"),
    path("jobs/<uuid:uuid>/download/", views.export_download, name="export_download"),
]
