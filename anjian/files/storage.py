"""Where uploaded files live: ``MEDIA_ROOT``, never served as it is.

``MEDIA_URL`` is not mounted (not even with ``DEBUG``) and nginx has no public location for the
directory; a file is reached only through ``/files/...`` (``views.serve``), which checks the scope
of the object it belongs to, or through nginx's *internal* location that view hands over to with
``X-Accel-Redirect``."""

from __future__ import annotations

from typing import Any

from django.core.files.storage import FileSystemStorage, storages


class PrivateStorage(FileSystemStorage):
    """``FileSystemStorage`` under ``MEDIA_ROOT`` without public URLs."""

    def url(self, name: str | None) -> str:
        raise AttributeError(
            "Private files have no public URL; use the field's url (the scoped /files/ view).")


def private_storage() -> Any:
    """The storage of every attachment field (the ``private`` alias of ``STORAGES``)."""
    return storages["private"]
