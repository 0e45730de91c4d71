"""The query code leaves its clear column: each stored code is kept as a keyed blind index (to
check a typed code) and an AES-GCM copy (to reprint the receipt), so receipts already handed
out keep working. Cases also keep the fingerprint of the submission their idempotency key
came with."""

from django.db import migrations, models

QUERY_CODE_CONTEXT = "cases.case.query_code"


def protect_codes(apps, schema_editor):
    from onewindow.core import crypto

    Case = apps.get_model("cases", "Case")
    batch = []
    for case in Case.objects.only("pk", "query_code").iterator(chunk_size=2000):
        code = case.query_code.strip().upper()
        case.query_code_encrypted = crypto.encrypt(code, context=QUERY_CODE_CONTEXT)
        case.query_code_index = crypto.blind_index(code, context=QUERY_CODE_CONTEXT)
        batch.append(case)
        if len(batch) == 2000:
            Case.objects.bulk_update(batch, ["query_code_encrypted", "query_code_index"])
            batch = []
    if batch:
        Case.objects.bulk_update(batch, ["query_code_encrypted", "query_code_index"])


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0002_lookupcounter"),
    ]

    operations = [
        migrations.AddField(
            model_name="case",
            name="query_code_encrypted",
            field=models.TextField(
                default="", editable=False, verbose_name="query code (encrypted)"
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="case",
            name="query_code_index",
            field=models.CharField(
                default="",
                editable=False,
                max_length=64,
                verbose_name="query code (blind index)",
            ),
            preserve_default=False,
        ),
        migrations.RunPython(protect_codes, migrations.RunPython.noop),
        migrations.RemoveField(model_name="case", name="query_code"),
        migrations.AddField(
            model_name="case",
            name="submission_fingerprint",
            field=models.CharField(blank=True, editable=False, max_length=64),
        ),
    ]
