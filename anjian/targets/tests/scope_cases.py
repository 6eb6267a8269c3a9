from anjian.utilities.testing.scope import ScopeCase

from ..models import AssessmentItem, AssessmentScheme, AssessmentScore, Plan, Target


def _plan(world, enterprise):  # type: ignore[no-untyped-def]
    year = 2030 if enterprise == world.ent_north else 2031
    return Plan.objects.create(year=year, title=f"{year}年全区安全生产工作要点")


def _target(world, enterprise):  # type: ignore[no-untyped-def]
    return Target.objects.create(plan=_plan(world, enterprise), key="k", label="隐患整改率",
                                 indicator_code="hazards.rectification_rate", comparator="eq", threshold=100, unit="%")


def _scheme(world, enterprise):  # type: ignore[no-untyped-def]
    year = 2030 if enterprise == world.ent_north else 2031
    return AssessmentScheme.objects.create(year=year, title="考核")


def _item(world, enterprise):  # type: ignore[no-untyped-def]
    return AssessmentItem.objects.create(scheme=_scheme(world, enterprise), key="m", name="责任制", kind="manual",
                                         max_score=10)


def _score(world, enterprise):  # type: ignore[no-untyped-def]
    town = world.north if enterprise == world.ent_north else world.south
    return AssessmentScore.objects.create(item=_item(world, enterprise), unit_kind="town", area=town, score=5,
                                          note="好")


def _more_plan(world, i):  # type: ignore[no-untyped-def]
    return Plan.objects.create(year=2040 + i, title=f"{2040 + i}年全区安全生产工作要点")


def _more_target(world, i):  # type: ignore[no-untyped-def]
    return Target.objects.create(plan=_more_plan(world, i), key="k", label="隐患整改率",
                                 indicator_code="hazards.rectification_rate", comparator="eq", threshold=100, unit="%")


def _more_scheme(world, i):  # type: ignore[no-untyped-def]
    return AssessmentScheme.objects.create(year=2040 + i, title="考核")


# Plans, targets and assessment schemes are the district's public reference data; the
# numbers computed for them are computed in each reader's scope.
SCOPE_CASES = [
    ScopeCase(Plan, "plans", None, make=_plan, public=True, more=_more_plan),
    ScopeCase(Target, "targets", None, make=_target, public=True, more=_more_target),
    ScopeCase(AssessmentScheme, "assessments", None, make=_scheme, public=True, more=_more_scheme),
    ScopeCase(AssessmentItem, None, None, make=_item, public=True),
    ScopeCase(AssessmentScore, None, None, make=_score, public=True),
]
