"""Move every django-otp ``TOTPDevice`` (its key in clear hex) to ``StaffTOTPDevice`` (the key
encrypted, ADR 0012 amended), and delete the clear rows.

Each batch is its own transaction: its devices are written encrypted and their clear rows deleted
together, so an interrupted run leaves every device in exactly one of the two tables and the next
run carries on.

The reverse does not write any key back in clear: it deletes every encrypted device (one
transaction), so ``migrate staff 0002`` stays possible for developers and every account enrols
again afterwards (ADR 0012). Nothing is left split between the two tables.

Sessions verified with an old device ask for a code again after this migration (django-otp looks
their device up in the table it came from).
"""

from typing import Any

from django.db import migrations, transaction

from onewindow.core.crypto import encrypt

BATCH = 200
# The same as ``staff.models.KEY_CONTEXT``, written out: a migration must keep meaning what it
# meant when it ran, whatever the code says later.
KEY_CONTEXT = "staff.totp_key.user:{user_id}"
SAME_FIELDS = (
    "user_id",
    "name",
    "confirmed",
    "step",
    "t0",
    "digits",
    "tolerance",
    "drift",
    "last_t",
    "throttling_failure_timestamp",
    "throttling_failure_count",
    "last_used_at",
)


def _move(source: Any, target: Any, convert: Any, using: str, batch: int) -> int:
    """Move every row of ``source`` to ``target`` in batches; ``convert(row)`` gives the key
    fields of the new row. Returns how many moved."""
    moved = 0
    while True:
        with transaction.atomic(using=using):
            rows = list(source.objects.using(using).select_for_update().order_by("pk")[:batch])
            if not rows:
                return moved
            created = target.objects.using(using).bulk_create(
                [
                    target(**{field: getattr(row, field) for field in SAME_FIELDS}, **convert(row))
                    for row in rows
                ]
            )
            # ``created_at`` is set on insert (auto_now_add): the device's own date is put back.
            for row, new in zip(rows, created, strict=True):
                if row.created_at is not None:
                    target.objects.using(using).filter(pk=new.pk).update(created_at=row.created_at)
            source.objects.using(using).filter(pk__in=[row.pk for row in rows]).delete()
            moved += len(rows)


def move_to_encrypted(apps: Any, using: str, batch: int = BATCH) -> int:
    """Every clear device to the encrypted table (tests call this with the current models)."""
    clear = apps.get_model("otp_totp", "TOTPDevice")
    sealed = apps.get_model("staff", "StaffTOTPDevice")

    def convert(row: Any) -> dict[str, str]:
        context = KEY_CONTEXT.format(user_id=row.user_id)
        return {"key_encrypted": encrypt(row.key.lower(), context=context)}

    return _move(clear, sealed, convert, using, batch)


def delete_moved(apps: Any, using: str) -> int:
    """The reverse: every encrypted device deleted in one transaction, no key decrypted or
    written in clear (its owner enrols again). Returns how many were deleted."""
    sealed = apps.get_model("staff", "StaffTOTPDevice")
    with transaction.atomic(using=using):
        _, per_model = sealed.objects.using(using).all().delete()
    return int(per_model.get(sealed._meta.label, 0))


def encrypt_devices(apps: Any, schema_editor: Any) -> None:
    move_to_encrypted(apps, schema_editor.connection.alias)


def delete_devices(apps: Any, schema_editor: Any) -> None:
    delete_moved(apps, schema_editor.connection.alias)


class Migration(migrations.Migration):
    # Batches commit one by one (see the module's docstring).
    atomic = False

    dependencies = [
        ("staff", "0002_totp_device_and_console_codes"),
        ("otp_totp", "0003_add_timestamps"),
    ]

    operations = [migrations.RunPython(encrypt_devices, delete_devices)]
