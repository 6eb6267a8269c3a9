from django.db import migrations


def load(apps, schema_editor):
    from anjian.territory.catalogue import load_sectors

    load_sectors(apps.get_model("territory", "Sector"))


class Migration(migrations.Migration):
    dependencies = [("territory", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
