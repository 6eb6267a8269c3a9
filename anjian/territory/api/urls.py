from .views import AreaViewSet, DepartmentViewSet, SectorViewSet

API_ROUTES = [
    ("areas", AreaViewSet, "area"),
    ("departments", DepartmentViewSet, "department"),
    ("sectors", SectorViewSet, "sector"),
]
