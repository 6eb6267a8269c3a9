import datetime

from anjian.utilities.testing.scope import ScopeCase

from ..models import (
    ChecklistItem,
    ChecklistTemplate,
    Inspection,
    InspectionAttachment,
    InspectionEvent,
    InspectionPlan,
    InspectionResult,
)


def _template(world, enterprise):
    return ChecklistTemplate.objects.create(code=f"scope-{enterprise.pk}", name=f"检查表 {enterprise.name}",
                                            template_version="1")


def _inspection(world, enterprise):
    return Inspection.objects.create(enterprise=enterprise, kind="routine", date=datetime.date(2017, 5, 1))


def _result(world, enterprise):
    return InspectionResult.objects.create(inspection=_inspection(world, enterprise), content="x", outcome="pass")


def _attachment(world, enterprise):
    return InspectionAttachment.objects.create(inspection=_inspection(world, enterprise), file="inspections/x.jpg")


def _event(world, enterprise):
    return InspectionEvent.record(_inspection(world, enterprise), "start", to_status="draft", audit=False)


def _plan(world, enterprise):
    plan = InspectionPlan.objects.create(name=f"计划 {enterprise.name}", kind="routine", area=enterprise.area,
                                         start_date=datetime.date(2017, 1, 1))
    plan.enterprises.add(enterprise)
    return plan


SCOPE_CASES = [
    ScopeCase(ChecklistTemplate, "checklist-templates", "inspections:template_list", make=_template,
              detail_page="inspections:template_detail", public=True),
    ScopeCase(ChecklistItem, None, None, public=True,
              make=lambda world, enterprise: ChecklistItem.objects.create(template=_template(world, enterprise),
                                                                          content="检查内容")),
    ScopeCase(Inspection, "inspections", "inspections:list", make=_inspection, detail_page="inspections:detail",
              writable={"conclusion": "outside"}),
    ScopeCase(InspectionResult, None, None, make=_result),
    ScopeCase(InspectionAttachment, None, None, make=_attachment),
    ScopeCase(InspectionEvent, None, None, make=_event),
    ScopeCase(InspectionPlan, "inspection-plans", "inspections:plan_list", make=_plan,
              detail_page="inspections:plan_detail", writable={"name": "outside"}),
]
