"""Domain-level tests read the messages in English; pages and the API speak the UI's language
(Chinese by default), and their tests say so."""

import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _english_messages():
    with translation.override("en"):
        yield
