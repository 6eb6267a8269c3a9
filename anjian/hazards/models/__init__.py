"""Hidden hazards (隐患) and their remediation, after 16号令 (see docs/hazards.md).

The models live in one module per part of the domain; everything is re-exported
here, so ``from anjian.hazards.models import Hazard`` keeps working:

- ``hazard``: the hazard, its levels, statuses, transition table and guards;
- ``events``: its timeline (``HazardEvent``) and the labels of the steps;
- ``photos``: photos before and after rectification;
- ``major``: what a major hazard adds (re-inspection, remediation plan, double
  report, supervision listing, deadline extension, suspension and resumption);
- ``orders``: supervision orders (督办) for overdue hazards;
- ``reports``: the enterprise's quarterly and annual statistics reports.
"""

from .events import EVENT_LABELS, HazardEvent
from .hazard import (
    ACTIVE_STATUSES,
    DONE_STATUSES,
    OPEN_STATUSES,
    TRANSITIONS,
    Hazard,
    HazardLevel,
    HazardQuerySet,
    HazardSource,
    HazardStatus,
    LiveHazardManager,
    Transition,
    category_choices,
    not_withdrawn,
)
from .major import (
    DeadlineExtension,
    DecisionStatus,
    DoubleReport,
    DoubleReportKind,
    ListingLevel,
    Reinspection,
    RemediationPlan,
    ResumptionApplication,
    ResumptionApplicationQuerySet,
    SupervisionListing,
    Suspension,
    SuspensionExtent,
)
from .orders import OrderLevel, OrderStatus, SupervisionOrder, SupervisionOrderQuerySet
from .photos import HazardPhoto, PhotoKind, photo_path
from .reports import HazardReport, ReportStatus

__all__ = [
    "ACTIVE_STATUSES", "DONE_STATUSES", "EVENT_LABELS", "OPEN_STATUSES", "TRANSITIONS", "DeadlineExtension",
    "DecisionStatus", "DoubleReport", "DoubleReportKind", "Hazard", "HazardEvent", "HazardLevel", "HazardPhoto",
    "HazardQuerySet", "HazardReport", "HazardSource", "HazardStatus", "ListingLevel", "LiveHazardManager",
    "OrderLevel", "OrderStatus", "PhotoKind", "Reinspection", "RemediationPlan", "ReportStatus",
    "ResumptionApplication", "ResumptionApplicationQuerySet", "SupervisionListing", "SupervisionOrder",
    "SupervisionOrderQuerySet", "Suspension", "SuspensionExtent", "Transition", "category_choices", "not_withdrawn",
    "photo_path",
]
