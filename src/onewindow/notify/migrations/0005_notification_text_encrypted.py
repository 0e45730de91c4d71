"""Message texts leave their clear column: each is stored encrypted, with a copy for screens and
logs. Texts already stored are encrypted as they are; their shown copy masks every run of six
code characters after "code"/"查询码" the case messages carried, so no old query code stays in
clear."""

import re

from django.db import migrations, models

TEXT_CONTEXT = "notify.text"
# The case messages wrote the code after 查询码 (Chinese) or "code" (English).
OLD_CODE = re.compile(r"(查询码\s*|code\s+)([2-9A-HJ-NP-Z]{6})")


def protect_texts(apps, schema_editor):
    from onewindow.core import crypto

    Notification = apps.get_model("notify", "Notification")
    batch = []
    for message in Notification.objects.only("pk", "text").iterator(chunk_size=2000):
        message.text_encrypted = crypto.encrypt(message.text, context=TEXT_CONTEXT)
        message.text_shown = OLD_CODE.sub(lambda m: m.group(1) + "******", message.text)
        batch.append(message)
        if len(batch) == 2000:
            Notification.objects.bulk_update(batch, ["text_encrypted", "text_shown"])
            batch = []
    if batch:
        Notification.objects.bulk_update(batch, ["text_encrypted", "text_shown"])


class Migration(migrations.Migration):
    dependencies = [
        ("notify", "0004_remove_notification_case"),
    ]

    operations = [
        migrations.AddField(
            model_name="notification",
            name="text_encrypted",
            field=models.TextField(default="", verbose_name="text (encrypted)"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="notification",
            name="text_shown",
            field=models.TextField(default="", verbose_name="text"),
            preserve_default=False,
        ),
        migrations.RunPython(protect_texts, migrations.RunPython.noop),
        migrations.RemoveField(model_name="notification", name="text"),
    ]
