"""Choices of the targets app: comparators, statuses, assessment item kinds and rules."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Comparator(models.TextChoices):
    LT = "lt", _("below (<)")
    LE = "le", _("at most (≤)")
    GT = "gt", _("above (>)")
    GE = "ge", _("at least (≥)")
    EQ = "eq", _("equal to (=)")


COMPARATOR_SYMBOLS = {"lt": "<", "le": "≤", "gt": ">", "ge": "≥", "eq": "="}


class Status(models.TextChoices):
    MET = "met", _("met")
    AT_RISK = "at_risk", _("at risk")
    MISSED = "missed", _("missed")
    NO_DATA = "no_data", _("no data yet")


# Bootstrap colour of each status on the dashboard.
STATUS_COLOURS = {"met": "success", "at_risk": "warning", "missed": "danger", "no_data": "secondary"}


class ItemKind(models.TextChoices):
    COMPUTED = "computed", _("computed from an indicator")
    MANUAL = "manual", _("scored by hand")
    VETO = "veto", _("veto (一票否决)")


class ScoringRule(models.TextChoices):
    MET_FULL = "met_full", _("full marks if the target is met, none otherwise")
    PROPORTIONAL = "proportional", _("full marks if met, proportional to the distance otherwise")


class UnitKind(models.TextChoices):
    TOWN = "town", _("town / sub-district")
    DEPARTMENT = "department", _("target-management unit (department)")
