"""Model fields for uploaded files: ``AttachmentField`` (documents) and ``PhotoField`` (pictures).

Stored by ``storage.PrivateStorage`` under a name the kit chooses (``<upload_to>/<random>.<ext>``,
the extension from the checked type, never the sender's); checked by ``checks.check_upload`` when
the file is saved, whichever path the upload took; ``instance.field.url`` is the scoped view
``/files/<app>.<model>/<pk>/<field>/`` and, for photos, ``.thumbnail_url`` its small version.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from typing import Any

from django.db import models
from django.db.models.fields.files import FieldFile, ImageFieldFile
from django.urls import reverse
from django.utils import timezone

from . import checks
from .storage import private_storage


def file_url(instance: models.Model, field_name: str, *, thumbnail: bool = False) -> str:
    """The scoped URL of the file in ``instance.<field_name>`` (any ``FileField``)."""
    meta = instance._meta
    return reverse("files:thumbnail" if thumbnail else "files:file",
                   args=[f"{meta.app_label}.{meta.model_name}", instance.pk, field_name])


class _ScopedURL:
    field: Any
    instance: Any
    name: str | None

    @property
    def url(self) -> str:
        self._require_file()  # type: ignore[attr-defined]
        return file_url(self.instance, self.field.name)

    @property
    def thumbnail_url(self) -> str:
        """The small JPEG of a picture (the view answers 404 for other files)."""
        self._require_file()  # type: ignore[attr-defined]
        return file_url(self.instance, self.field.name, thumbnail=True)

    @property
    def content_type(self) -> str:
        """The checked type, read from the stored name's extension (the kit chose it)."""
        ext = (self.name or "").rsplit(".", 1)[-1].lower()
        return checks.TYPES_BY_EXTENSION.get(ext, "application/octet-stream")

    def save(self, name: str, content: Any, save: bool = True) -> None:
        """Store ``content`` after checking it, under a name with the checked type's extension."""
        checked = checks.check_upload(content, self.field.accept)
        stem = (name or "file").rsplit("/", 1)[-1].rsplit(".", 1)[0] or "file"
        super().save(f"{stem}.{checked.extension}", content, save)  # type: ignore[misc]


class AttachmentFieldFile(_ScopedURL, FieldFile):
    pass


class PhotoFieldFile(_ScopedURL, ImageFieldFile):
    pass


class _Checked:
    """What both fields share: private storage, checked content (``FieldFile.save``, which an
    assigned file also goes through when the instance is saved), the kit's file names."""

    accept: tuple[str, ...]

    def _setup(self, kwargs: dict[str, Any], accept: Iterable[str]) -> dict[str, Any]:
        self.accept = tuple(accept)
        kwargs.setdefault("storage", private_storage)
        kwargs.setdefault("max_length", 300)
        return kwargs

    def generate_filename(self, instance: models.Model | None, filename: str) -> str:
        upload_to = self.upload_to  # type: ignore[attr-defined]
        folder = upload_to(instance, filename).rsplit("/", 1)[0] if callable(upload_to) else \
            timezone.now().strftime(str(upload_to)).rstrip("/")
        ext = filename.rsplit(".", 1)[-1].lower()[:5] if "." in filename else "bin"
        name = f"{folder}/{secrets.token_hex(12)}.{ext}" if folder else f"{secrets.token_hex(12)}.{ext}"
        return self.storage.generate_filename(name)  # type: ignore[attr-defined]
    # ``accept`` changes no column and is not deconstructed: widening it needs no migration.


class AttachmentField(_Checked, models.FileField):
    """A document, photo or piece of evidence; ``accept`` the checked types allowed."""

    attr_class = AttachmentFieldFile

    def __init__(self, *args: Any, accept: Iterable[str] = checks.DOCUMENTS, **kwargs: Any) -> None:
        super().__init__(*args, **self._setup(kwargs, accept))


class PhotoField(_Checked, models.ImageField):
    """A picture (JPEG, PNG, GIF or WebP by content) with a thumbnail."""

    attr_class = PhotoFieldFile

    def __init__(self, *args: Any, accept: Iterable[str] = checks.PHOTOS, **kwargs: Any) -> None:
        super().__init__(*args, **self._setup(kwargs, accept))
