"""The staff TOTP device (ADR 0012, amended): its key is encrypted at rest and bound to its
owner, codes verify through django-otp's TOTP with the same tolerance, drift and single use as
django-otp's own device, and migration 0003 moves the clear-key devices over and empties their
table."""

from __future__ import annotations

import importlib
import time
from base64 import b32encode
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.apps import apps
from django.db import connection
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from onewindow.staff.models import StaffTOTPDevice
from onewindow.staff.tests.conftest import PASSWORD
from onewindow.testing.factories import UserFactory

move = importlib.import_module("onewindow.staff.migrations.0003_move_totp_devices")

STEP = 30


@pytest.fixture
def user(db):
    account = UserFactory(username="clerk.wang")
    account.save()
    return account


@pytest.fixture(autouse=True)
def no_growing_delay(settings):
    # django-otp's delay after a wrong code is its own test below.
    settings.OTP_TOTP_THROTTLE_FACTOR = 0


def settled_step() -> int:
    """The current time step, waiting out the last two seconds of a step so that the step a
    test computes its codes for is still the step when the device checks them."""
    if time.time() % STEP > STEP - 2:
        time.sleep(STEP - time.time() % STEP + 0.05)
    return int(time.time()) // STEP


def code_at(key: bytes, step: int) -> int:
    totp = TOTP(key)
    totp.time = step * STEP
    return totp.token()


def raw_key_column(device: StaffTOTPDevice) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT key_encrypted FROM staff_stafftotpdevice WHERE id = %s", [device.pk])
        return cursor.fetchone()[0]


def test_the_key_is_not_in_clear_in_the_database(user):
    device = StaffTOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    key = device.bin_key
    assert len(key) == 20
    stored = raw_key_column(device)
    assert stored.startswith("v1.")
    for clear in (key.hex(), key.hex().upper(), b32encode(key).decode().rstrip("=")):
        assert clear not in stored
    # Nor is it in any other column of the row.
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM staff_stafftotpdevice WHERE id = %s", [device.pk])
        row = " ".join(str(value) for value in cursor.fetchone())
    assert key.hex() not in row and key.hex().upper() not in row
    # Each device gets its own random key.
    other = StaffTOTPDevice.objects.create(user=user, name="tablet", confirmed=True)
    assert other.bin_key != key


def test_a_code_of_now_verifies_once_and_its_replay_is_refused(user):
    device = StaffTOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    step = settled_step()
    code = code_at(device.bin_key, step)
    assert device.verify_token(f"{code:06d}") is True
    device.refresh_from_db()
    assert (device.last_t, device.drift, device.throttling_failure_count) == (step, 0, 0)
    assert device.last_used_at is not None
    # The same code again (another session, another worker) is refused.
    again = StaffTOTPDevice.objects.get(pk=device.pk)
    assert again.verify_token(f"{code:06d}") is False
    # So is the code of the step before, although it is within the tolerance.
    assert again.verify_token(f"{code_at(device.bin_key, step - 1):06d}") is False
    again.refresh_from_db()
    assert again.last_t == step


def test_one_step_either_side_is_allowed_two_are_not_and_the_drift_is_learnt(user):
    device = StaffTOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    step = settled_step()
    assert device.verify_token(str(code_at(device.bin_key, step - 2))) is False
    assert device.verify_token(str(code_at(device.bin_key, step + 2))) is False
    assert device.verify_token(str(code_at(device.bin_key, step + 1))) is True
    device.refresh_from_db()
    # The phone runs a step ahead: that is remembered, and the next code is looked for there.
    assert (device.last_t, device.drift, device.throttling_failure_count) == (step + 1, 1, 0)


def test_wrong_codes_are_counted_and_the_growing_delay_refuses_even_the_right_one(user, settings):
    device = StaffTOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    step = settled_step()
    right = code_at(device.bin_key, step)
    assert device.verify_token(f"{(right + 1) % 1_000_000:06d}") is False
    assert device.verify_token("not digits") is False
    device.refresh_from_db()
    assert device.throttling_failure_count == 2
    # (django-otp reads the factor once per loaded device: each request loads its own.)
    settings.OTP_TOTP_THROTTLE_FACTOR = 60
    device = StaffTOTPDevice.objects.get(pk=device.pk)
    assert device.verify_token(f"{right:06d}") is False
    device.refresh_from_db()
    assert device.throttling_failure_count == 2  # refused by the delay, not counted again
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    device = StaffTOTPDevice.objects.get(pk=device.pk)
    assert device.verify_token(f"{right:06d}") is True
    device.refresh_from_db()
    assert (device.throttling_failure_count, device.throttling_failure_timestamp) == (0, None)


def test_a_key_copied_onto_another_accounts_device_does_not_verify(user):
    """Someone who can write the database but not read the keys puts their own device's
    ciphertext on the owner's row: it is bound to its own account and does not decrypt."""
    intruder = UserFactory(username="intruder")
    intruder.save()
    theirs = StaffTOTPDevice.objects.create(user=intruder, name="phone", confirmed=True)
    owners = StaffTOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    StaffTOTPDevice.objects.filter(pk=owners.pk).update(key_encrypted=theirs.key_encrypted)
    owners.refresh_from_db()
    step = settled_step()
    assert owners.verify_token(f"{code_at(theirs.bin_key, step):06d}") is False
    owners.refresh_from_db()
    assert owners.last_t == -1


def test_the_qr_address_carries_the_key_the_device_checks(user, settings):
    settings.OTP_TOTP_ISSUER = "一窗通:Test"
    device = StaffTOTPDevice.objects.create(user=user, name="phone", confirmed=False)
    address = urlsplit(device.config_url)
    assert (address.scheme, address.netloc) == ("otpauth", "totp")
    assert address.path == "/%E4%B8%80%E7%AA%97%E9%80%9ATest%3Aclerk.wang"
    query = {name: values[0] for name, values in parse_qs(address.query).items()}
    assert query == {
        "secret": b32encode(device.bin_key).decode(),
        "algorithm": "SHA1",
        "digits": "6",
        "period": "30",
        "issuer": "一窗通Test",
    }


def test_a_session_verified_by_a_clear_key_device_is_not_verified(client, db, settings):
    """Only the encrypted device counts: a session pointing at a django-otp TOTPDevice (as
    sessions verified before migration 0003 do) owes its code again."""
    from onewindow.org.models import Role
    from onewindow.testing.factories import staff_with_role

    settings.STAFF_SECOND_FACTOR_ROLES = ["intake_clerk"]
    clerk = staff_with_role(Role.INTAKE_CLERK)
    old = TOTPDevice.objects.create(user=clerk, name="old phone", confirmed=True)
    client.post("/staff/sign-in/", {"username": clerk.username, "password": PASSWORD})
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = old.persistent_id
    session.save()
    assert client.get("/staff/")["Location"] == "/staff/second-factor/?next=/staff/"
    # It has no device of the encrypted kind, so the code page sends on to enrolment.
    assert client.get("/staff/second-factor/")["Location"].startswith("/staff/second-factor/enrol/")
    # The same session with the staff device is verified.
    device = StaffTOTPDevice.objects.create(user=clerk, name="phone", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    assert client.get("/staff/").status_code == 200


def clear_device(user, **fields):
    return TOTPDevice.objects.create(user=user, name="phone", **fields)


def test_the_migration_moves_clear_devices_encrypted_and_empties_the_old_table(user):
    other = UserFactory(username="clerk.li")
    other.save()
    confirmed = clear_device(
        user,
        confirmed=True,
        last_t=12345,
        drift=-1,
        tolerance=2,
        throttling_failure_count=3,
        throttling_failure_timestamp=timezone.now() - timedelta(minutes=5),
    )
    enrolled_at = timezone.now() - timedelta(days=400)
    TOTPDevice.objects.filter(pk=confirmed.pk).update(created_at=enrolled_at)
    confirmed.refresh_from_db()
    pending = clear_device(other, confirmed=False)
    more = [clear_device(other, confirmed=True) for _ in range(3)]
    # Five devices in batches of two: three transactions.
    assert move.move_to_encrypted(apps, "default", batch=2) == 5
    assert TOTPDevice.objects.count() == 0
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM otp_totp_totpdevice")
        assert cursor.fetchone()[0] == 0
    moved = StaffTOTPDevice.objects.get(user=user)
    assert moved.bin_key.hex() == confirmed.key
    assert confirmed.key not in raw_key_column(moved)
    assert (
        moved.name,
        moved.confirmed,
        moved.last_t,
        moved.drift,
        moved.tolerance,
        moved.step,
        moved.digits,
        moved.throttling_failure_count,
        moved.throttling_failure_timestamp,
        moved.created_at,
    ) == (
        "phone",
        True,
        12345,
        -1,
        2,
        30,
        6,
        3,
        confirmed.throttling_failure_timestamp,
        enrolled_at,
    )
    others = StaffTOTPDevice.objects.filter(user=other).order_by("pk")
    assert [(d.bin_key.hex(), d.confirmed) for d in others] == [
        (pending.key, False),
        *[(d.key, True) for d in more],
    ]
    # Run again (an interrupted migration carries on): nothing left to move, nothing doubled.
    assert move.move_to_encrypted(apps, "default", batch=2) == 0
    assert StaffTOTPDevice.objects.count() == 5


def test_a_moved_device_accepts_the_owners_next_code_and_refuses_one_already_used(user):
    step = settled_step()
    old = clear_device(user, confirmed=True, last_t=step)
    key = old.bin_key
    move.move_to_encrypted(apps, "default")
    device = StaffTOTPDevice.objects.get(user=user)
    # The code accepted just before the move is still spent.
    assert device.verify_token(f"{code_at(key, step):06d}") is False
    assert device.verify_token(f"{code_at(key, step + 1):06d}") is True


def test_the_migration_back_deletes_the_devices_and_writes_no_key_in_clear(user):
    other = UserFactory(username="clerk.li")
    other.save()
    StaffTOTPDevice.objects.create(user=user, name="phone", confirmed=True, last_t=7)
    StaffTOTPDevice.objects.create(user=other, name="phone", confirmed=False)
    # The reverse of 0003 is this function: no key decrypted, every account enrols again.
    operation = move.Migration.operations[0]
    assert operation.reverse_code is move.delete_devices
    assert move.delete_moved(apps, "default") == 2
    assert StaffTOTPDevice.objects.count() == 0
    assert TOTPDevice.objects.count() == 0
    # Run again (an interrupted reverse): nothing left, nothing split between the tables.
    assert move.delete_moved(apps, "default") == 0
