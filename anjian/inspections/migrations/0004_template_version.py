from django.db import migrations, models


class Migration(migrations.Migration):
    """The checklist's edition was named ``version``, shadowing BaseModel's row version."""

    dependencies = [("inspections", "0003_load_checklists")]

    operations = [
        migrations.RemoveConstraint(model_name="checklisttemplate", name="checklist_code_version"),
        migrations.RenameField(model_name="checklisttemplate", old_name="version", new_name="template_version"),
        migrations.AddField(
            model_name="checklisttemplate", name="version",
            field=models.PositiveIntegerField(default=1, editable=False, verbose_name="version"),
        ),
        migrations.AlterModelOptions(
            name="checklisttemplate",
            options={"ordering": ["code", "-template_version"], "permissions": [
                ("import_checklisttemplate", "Can import checklist templates from Excel"),
                ("export_checklisttemplate", "Can export checklist templates to Excel")],
                "verbose_name": "checklist template", "verbose_name_plural": "checklist templates"},
        ),
        migrations.AddConstraint(
            model_name="checklisttemplate",
            constraint=models.UniqueConstraint(fields=("code", "template_version"), name="checklist_code_version"),
        ),
    ]
