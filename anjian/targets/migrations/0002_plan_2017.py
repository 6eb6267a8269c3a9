from django.db import migrations


def load(apps, schema_editor):
    from anjian.targets.loader import load_plan, load_scheme, read

    models = {name: apps.get_model("targets", name) for name in ("Plan", "Target", "AssessmentScheme", "AssessmentItem")}
    load_plan(read("plan-2017.json"), models["Plan"], models["Target"])
    load_scheme(read("assessment-2017.json"), models)


class Migration(migrations.Migration):
    dependencies = [("targets", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
