# Step 2 of 3: every existing message was about a case. Its case id becomes the subject; a
# message waiting or failed becomes due at once, so the sweep picks it up.

from django.db import migrations, models
from django.db.models.functions import Cast

CASE = 'cases.case'


def case_to_subject(apps, schema_editor):
    Notification = apps.get_model('notify', 'Notification')
    # A message whose case was deleted (the key was SET_NULL) keeps its subject type only.
    Notification.objects.update(subject_type=CASE)
    Notification.objects.filter(case__isnull=False).update(
        subject_id=Cast('case_id', output_field=models.CharField(max_length=64))
    )
    Notification.objects.filter(status__in=['pending', 'failed']).update(
        next_attempt_at=models.F('created_at')
    )


def subject_to_case(apps, schema_editor):
    Notification = apps.get_model('notify', 'Notification')
    Case = apps.get_model('cases', 'Case')
    rows = Notification.objects.filter(subject_type=CASE).exclude(subject_id='')
    wanted = {int(s) for s in rows.values_list('subject_id', flat=True) if s.isdigit()}
    existing = set(Case.objects.filter(pk__in=wanted).values_list('pk', flat=True))
    for case_id in existing:
        rows.filter(subject_id=str(case_id)).update(case_id=case_id)
    # The old table knew no dead letters: they were failed messages at the attempt limit.
    Notification.objects.filter(status='dead').update(status='failed')


class Migration(migrations.Migration):

    dependencies = [
        ('notify', '0002_notification_subject'),
        ('cases', '0001_initial'),
    ]

    operations = [
        migrations.RunPython(case_to_subject, subject_to_case),
    ]
