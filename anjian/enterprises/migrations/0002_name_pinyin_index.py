"""An index on the enterprise name in pinyin order (PostgreSQL with ICU only).

The enterprise list and API sort names with ``anjian.utilities.ordering.chinese`` (``name COLLATE
"zh-Hans-x-icu"``), which the plain index on ``name`` cannot serve: with tens of thousands of
enterprises PostgreSQL sorts them all for every page (``bench/pinyin_order.py``: 18x the plain page
query at 100,000). This index on the collated expression, with the id as the tie-break the list
adds, lets it read the page in order. Skipped on SQLite and on a PostgreSQL without the collation.
"""

from django.db import migrations

INDEX = "enterprise_name_pinyin"


def create(apps, schema_editor):
    from anjian.utilities.ordering import collation_for

    connection = schema_editor.connection
    collation = collation_for(connection) if connection.vendor == "postgresql" else None
    if collation is None:
        return
    table = schema_editor.quote_name(apps.get_model("enterprises", "Enterprise")._meta.db_table)
    schema_editor.execute(f'CREATE INDEX IF NOT EXISTS {INDEX} ON {table} ((name COLLATE "{collation}"), id)')


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("enterprises", "0001_initial")]

    operations = [migrations.RunPython(create, drop)]
