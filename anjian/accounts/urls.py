from django.contrib.auth import views as auth_views
from django.urls import path

from . import token_views, views

app_name = "accounts"
urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", auth_views.PasswordChangeView.as_view(
        template_name="accounts/password_change.html", success_url="/"), name="password_change"),
    path("tokens/", token_views.token_list, name="tokens"),
    path("tokens/<str:token_id>/revoke/", token_views.token_revoke, name="token_revoke"),
    # Account administration (sysadmin) and the security policy (secadmin)
    path("users/", views.user_list, name="users"),
    path("users/add/", views.user_add, name="user_add"),
    path("users/<int:pk>/", views.user_detail, name="user"),
    path("users/<int:pk>/edit/", views.user_edit, name="user_edit"),
    path("users/<int:pk>/roles/", views.role_add, name="role_add"),
    path("users/<int:pk>/roles/<int:role_pk>/remove/", views.role_remove, name="role_remove"),
    path("users/<int:pk>/active/", views.user_set_active, name="user_set_active"),
    path("users/<int:pk>/password/", views.password_reset, name="password_reset"),
    path("security/", views.security_policy, name="security"),
]
