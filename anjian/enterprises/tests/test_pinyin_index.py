"""The enterprise list in pinyin order reads an index on PostgreSQL (migration 0002)."""

from __future__ import annotations

import pytest
from django.db import connection

from anjian.utilities.testing.services import require_postgres


@pytest.mark.postgres
def test_the_pinyin_order_of_names_has_its_index_on_postgresql(db):
    require_postgres()
    from anjian.enterprises.models import Enterprise
    from anjian.utilities.ordering import chinese

    with connection.cursor() as cur:
        cur.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'enterprise_name_pinyin'")
        (definition,) = cur.fetchone()
    assert "COLLATE" in definition and "zh-" in definition
    sql = str(Enterprise.objects.order_by(chinese("name"), "pk")[:50].query)
    with connection.cursor() as cur:
        cur.execute("SET LOCAL enable_seqscan = off")
        cur.execute("EXPLAIN " + sql)
        plan = "\n".join(row[0] for row in cur.fetchall())
    assert "enterprise_name_pinyin" in plan, plan
