from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("core", "0002_audit_append_only"),
    ]

    operations = [
        migrations.CreateModel(
            name="PlatformDate",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("date", models.DateField(verbose_name="date")),
                ("source", models.CharField(blank=True, max_length=50, verbose_name="set by")),
                ("updated", models.DateTimeField(auto_now=True, verbose_name="changed")),
            ],
            options={
                "verbose_name": "platform date",
                "verbose_name_plural": "platform date",
            },
        ),
    ]
