# Step 3 of 3: notify no longer points at cases; indexes for the sweep and for a subject's
# messages; each message's moves in its own event table (the workflow kernel's).

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('notify', '0003_notification_subject_from_case'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveField(
            model_name='notification',
            name='case',
        ),
        migrations.AddIndex(
            model_name='notification',
            index=models.Index(fields=['status', 'next_attempt_at'], name='notify_due_idx'),
        ),
        migrations.AddIndex(
            model_name='notification',
            index=models.Index(fields=['subject_type', 'subject_id'], name='notify_subject_idx'),
        ),
        migrations.CreateModel(
            name='NotificationEvent',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('at', models.DateTimeField(verbose_name='time')),
                ('action', models.CharField(max_length=32, verbose_name='action')),
                ('from_state', models.CharField(blank=True, max_length=32, verbose_name='from')),
                ('to_state', models.CharField(blank=True, max_length=32, verbose_name='to')),
                ('reason', models.TextField(blank=True, verbose_name='reason')),
                ('public', models.BooleanField(default=True, verbose_name='shown to the applicant')),
                ('data', models.JSONField(blank=True, default=dict)),
                ('actor', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('notification', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='events', to='notify.notification')),
            ],
            options={
                'verbose_name': 'message event',
                'verbose_name_plural': 'message events',
                'ordering': ['notification', 'at', 'id'],
            },
        ),
    ]
