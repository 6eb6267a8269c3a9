"""The accident timeline on the workflow kit's event model (``utilities.workflow.WorkflowEvent``):
``kind`` is renamed ``action`` (the rows keep their value), and the event gains the kit's
``from_status``/``to_status`` (empty for the existing rows) and an index on ``at``."""

import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('accidents', '0004_bounds'),
    ]

    operations = [
        migrations.RenameField(
            model_name='accidentevent',
            old_name='kind',
            new_name='action',
        ),
        migrations.AddField(
            model_name='accidentevent',
            name='from_status',
            field=models.CharField(blank=True, max_length=20, verbose_name='from'),
        ),
        migrations.AddField(
            model_name='accidentevent',
            name='to_status',
            field=models.CharField(blank=True, max_length=20, verbose_name='to'),
        ),
        migrations.AlterField(
            model_name='accidentevent',
            name='action',
            field=models.CharField(choices=[('recorded', 'accident recorded'), ('follow_up', 'follow-up report'), ('grade_changed', 'grade changed'), ('investigation_started', 'investigation started'), ('investigation_extended', 'investigation extended'), ('report_submitted', 'investigation report submitted'), ('report_approved', 'investigation report approved'), ('accountability_added', 'accountability recorded'), ('measure_added', 'rectification measure recorded'), ('measure_checked', 'rectification measure checked'), ('closed', 'investigation closed')], max_length=40, verbose_name='event'),
        ),
        migrations.AlterField(
            model_name='accidentevent',
            name='at',
            field=models.DateTimeField(db_index=True, default=django.utils.timezone.now, verbose_name='time'),
        ),
        migrations.AlterField(
            model_name='accidentevent',
            name='data',
            field=models.JSONField(blank=True, default=dict, verbose_name='details'),
        ),
    ]
