from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("enterprises", "0003_bounds"),
    ]

    operations = [
        migrations.AddField(
            model_name="enterprise",
            name="established_on",
            field=models.DateField(blank=True, null=True, verbose_name="established on (成立日期)"),
        ),
    ]
