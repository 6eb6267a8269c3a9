"""Photos of a hazard, before and after rectification."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from anjian.files.fields import PhotoField
from anjian.utilities.models import BaseModel
from anjian.utilities.scoping import ScopeRule

from .events import HazardEvent
from .hazard import Hazard


class PhotoKind(models.TextChoices):
    BEFORE = "before", _("before rectification")
    AFTER = "after", _("after rectification")


def photo_path(instance: HazardPhoto, filename: str) -> str:
    today = timezone.localdate()
    ext = (filename.rsplit(".", 1)[-1] if "." in filename else "jpg").lower()[:5]
    return f"hazards/{today:%Y/%m}/{instance.hazard_id}-{instance.kind}-{timezone.now():%H%M%S%f}.{ext}"


class HazardPhoto(BaseModel):
    hazard = models.ForeignKey(Hazard, verbose_name=_("hazard"), on_delete=models.CASCADE, related_name="photos")
    kind = models.CharField(_("kind"), max_length=10, choices=PhotoKind.choices, default=PhotoKind.BEFORE)
    image = PhotoField(_("photo"), upload_to=photo_path, max_length=200)
    caption = models.CharField(_("caption"), max_length=200, blank=True)
    event = models.ForeignKey(HazardEvent, verbose_name=_("event"), null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="photos")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")

    scope = ScopeRule(enterprise="hazard__enterprise")

    class Meta:
        ordering = ["kind", "created", "id"]
        verbose_name = _("hazard photo")
        verbose_name_plural = _("hazard photos")

    def __str__(self) -> str:
        return f"{self.hazard_id} {self.get_kind_display()}"
