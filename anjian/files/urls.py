from django.urls import path

from . import views

app_name = "files"
urlpatterns = [
    path("<str:model>/<int:pk>/<str:field>/", views.serve, name="file"),
    path("<str:model>/<int:pk>/<str:field>/thumbnail/", views.serve, {"thumbnail": True}, name="thumbnail"),
]
