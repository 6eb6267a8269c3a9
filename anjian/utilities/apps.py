from django.apps import AppConfig


class UtilitiesConfig(AppConfig):
    """Shared machinery with no concrete models: scoping, base models, API and test helpers."""

    name = "anjian.utilities"
