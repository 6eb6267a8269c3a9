from .views import AccidentTypeViewSet, AccidentViewSet, StatisticsBaseViewSet

API_ROUTES = [
    ("accidents", AccidentViewSet, "accident"),
    ("statistics-bases", StatisticsBaseViewSet, "statistics-base"),
    ("accident-types", AccidentTypeViewSet, "accident-type"),
]
