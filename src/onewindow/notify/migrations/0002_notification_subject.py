# A message is about a subject (any aggregate), no longer about a case only; retries with
# backoff and dead letters. Step 1 of 3: the new columns, beside the old foreign key.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('notify', '0001_initial'),
    ]

    operations = [
        migrations.AddField(
            model_name='notification',
            name='subject_type',
            field=models.CharField(default='', max_length=64, verbose_name='subject type'),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name='notification',
            name='subject_id',
            field=models.CharField(default='', max_length=64, verbose_name='subject'),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name='notification',
            name='revision',
            field=models.PositiveIntegerField(default=0, verbose_name='revision'),
        ),
        migrations.AddField(
            model_name='notification',
            name='next_attempt_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='next attempt at'),
        ),
        migrations.AddField(
            model_name='notification',
            name='last_attempt_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='last attempt at'),
        ),
        migrations.AlterField(
            model_name='notification',
            name='idempotency_key',
            field=models.CharField(max_length=128, unique=True),
        ),
        migrations.AlterField(
            model_name='notification',
            name='status',
            field=models.CharField(choices=[('pending', 'Waiting to be sent'), ('sent', 'Sent'), ('failed', 'Failed'), ('dead', 'Given up (dead letter)')], default='pending', max_length=16, verbose_name='status'),
        ),
    ]
