from .views import EnterpriseViewSet

API_ROUTES = [("enterprises", EnterpriseViewSet, "enterprise")]
