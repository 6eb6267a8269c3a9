from datetime import timedelta

from django.utils import timezone

from anjian.utilities.testing.scope import ScopeCase

from .. import models as m


def hazard(world, enterprise, **kw):
    kw.setdefault("description", f"{enterprise.name} 隐患")
    return m.Hazard.objects.create(enterprise=enterprise, found_on=timezone.localdate() - timedelta(days=5), **kw)


def major(world, enterprise):
    return hazard(world, enterprise, level=m.HazardLevel.MAJOR, status=m.HazardStatus.RECTIFYING)


def order(world, enterprise):
    h = hazard(world, enterprise, deadline=timezone.localdate() - timedelta(days=1))
    return m.SupervisionOrder.objects.create(hazard=h, level=m.OrderLevel.TOWN, recipient_key=f"town:{h.pk}",
                                             deadline=h.deadline, due=timezone.localdate())


def suspension(world, enterprise):
    return m.Suspension.objects.create(hazard=major(world, enterprise), issuing_body="区安委办",
                                       ordered_on=timezone.localdate())


def image(world, enterprise):
    from django.core.files.base import ContentFile

    from .factories import image_file

    p = m.HazardPhoto(hazard=hazard(world, enterprise), kind="before")
    p.image.save("x.jpg", ContentFile(image_file().read()), save=False)
    p.save()
    return p


SCOPE_CASES = [
    ScopeCase(m.Hazard, "hazards", "hazards:list", make=hazard, detail_page="hazards:detail",
              writable={"description": "changed"}),
    ScopeCase(m.SupervisionOrder, "supervision-orders", "hazards:orders", make=order,
              detail_page="hazards:order_detail", writable={"status": "closed"}),
    ScopeCase(m.HazardReport, "hazard-reports", "hazards:reports",
              make=lambda w, e: m.HazardReport.objects.create(enterprise=e, year=2017, quarter=1, status="submitted",
                                                             submitted_at=timezone.now()),
              detail_page="hazards:report_detail", writable={"principal": "x"}),
    ScopeCase(m.HazardEvent, "hazard-events", None,
              make=lambda w, e: m.HazardEvent.objects.create(hazard=hazard(w, e), action="report")),
    ScopeCase(m.HazardPhoto, "hazard-photos", None, make=image),
    ScopeCase(m.Reinspection, "hazard-reinspections", None,
              make=lambda w, e: m.Reinspection.objects.create(hazard=hazard(w, e), passed=True)),
    ScopeCase(m.RemediationPlan, "remediation-plans", None,
              make=lambda w, e: m.RemediationPlan.objects.create(hazard=major(w, e), objectives="x")),
    ScopeCase(m.DoubleReport, "double-reports", None,
              make=lambda w, e: m.DoubleReport.objects.create(hazard=major(w, e), kind="department",
                                                             reported_on=timezone.localdate())),
    ScopeCase(m.SupervisionListing, "supervision-listings", None,
              make=lambda w, e: m.SupervisionListing.objects.create(
                  hazard=major(w, e), level="district", issuing_body="区安委会", document_number="1",
                  listed_on=timezone.localdate())),
    ScopeCase(m.DeadlineExtension, "deadline-extensions", None,
              make=lambda w, e: m.DeadlineExtension.objects.create(
                  hazard=hazard(w, e), new_deadline=timezone.localdate() + timedelta(days=9), reason="x")),
    ScopeCase(m.Suspension, "suspensions", None, make=suspension),
    ScopeCase(m.ResumptionApplication, "resumption-applications", None,
              make=lambda w, e: m.ResumptionApplication.objects.create(
                  suspension=suspension(w, e), content="x", review_due=timezone.localdate())),
]
