"""URL root. Each app's ``urls.py`` is mounted at ``/<app label>/`` and each app's
``api/urls.py`` (a ``router``-style list ``API_ROUTES``) under ``/api/v1/``."""

from django.urls import include, path
from django.views.i18n import JavaScriptCatalog
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from anjian.accounts import api as accounts_api
from anjian.core import views as core_views
from anjian.utilities.discovery import app_modules

router = DefaultRouter()
app_urls = []
for _label, api_module in app_modules("api.urls"):
    for prefix, viewset, basename in api_module.API_ROUTES:
        router.register(prefix, viewset, basename=basename)
for label, module in app_modules("urls"):
    if label != "core":
        app_urls.append(path(f"{label}/", include(module.__name__)))

urlpatterns = [
    path("", core_views.home, name="home"),
    path("core/", include("anjian.core.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("api/v1/auth/token/", accounts_api.ObtainTokenView.as_view(), name="api-token"),
    path("api/v1/auth/tokens/", accounts_api.TokenListView.as_view(), name="api-tokens"),
    path("api/v1/auth/tokens/<str:token_id>/", accounts_api.TokenRevokeView.as_view(), name="api-token-revoke"),
    path("api/v1/me/", accounts_api.MeView.as_view(), name="api-me"),
    path("api/v1/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/v1/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/v1/redoc/", SpectacularRedocView.as_view(url_name="api-schema"), name="api-redoc"),
    path("api/v1/", include(router.urls)),
    *app_urls,
]
# No MEDIA_URL, not even with DEBUG: uploaded files are served by /files/ (anjian.files, mounted with
# the apps above), which checks the scope of the object each belongs to.

handler404 = "anjian.core.views.not_found"
handler403 = "anjian.core.views.forbidden"
handler500 = "anjian.core.views.server_error"
