from django.db import migrations


def load(apps, schema_editor):
    from anjian.inspections.checklists import load_checklists

    load_checklists(apps.get_model("inspections", "ChecklistTemplate"), apps.get_model("inspections", "ChecklistItem"),
                    apps.get_model("territory", "Sector"))


class Migration(migrations.Migration):
    dependencies = [("inspections", "0004_template_version"), ("territory", "0002_sector_catalogue")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
