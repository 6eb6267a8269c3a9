from django.db import migrations


def load(apps, schema_editor):
    from anjian.accidents.catalogue import load_accident_types

    load_accident_types(apps.get_model("accidents", "AccidentTypeCode"))


class Migration(migrations.Migration):
    dependencies = [("accidents", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
