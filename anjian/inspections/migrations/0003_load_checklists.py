from django.db import migrations

# The checklists are loaded by 0005 (after 0004 renamed the template's edition field); this step is kept
# as a no-op so that the migration graph other apps depend on stays as it was.


class Migration(migrations.Migration):
    dependencies = [("inspections", "0002_template_validity"), ("territory", "0002_sector_catalogue")]
    operations = [migrations.RunPython(migrations.RunPython.noop, migrations.RunPython.noop)]
