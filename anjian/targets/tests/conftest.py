import pytest


@pytest.fixture(autouse=True)
def _plan_2017(request):
    """The 2017 plan and scheme (a data migration loads them; a transactional test empties the tables)."""
    if "db" not in request.fixturenames and "transactional_db" not in request.fixturenames \
            and "world" not in request.fixturenames:
        return
    request.getfixturevalue("db") if "transactional_db" not in request.fixturenames else None
    from anjian.targets.loader import load_plan, load_scheme, read

    load_plan(read("plan-2017.json"))
    load_scheme(read("assessment-2017.json"))
