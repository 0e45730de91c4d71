"""``check --deploy`` stops when the configured keys cannot read what the database holds
(``core.checks.keys_read_the_data``): new keys generated for an existing database (``make clean``
then ``make serve`` used to do it) would serve data no one can read."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from onewindow.core import crypto
from onewindow.core.audit import audit_record
from onewindow.core.audit_chain import audit_seal
from onewindow.core.checks import keys_read_the_data
from onewindow.staff.models import StaffTOTPDevice

pytestmark = pytest.mark.django_db
FIRST, SECOND = crypto.generate_key(), crypto.generate_key()
AUDIT_FIRST, AUDIT_SECOND = crypto.generate_key(), crypto.generate_key()


@pytest.fixture
def keys(settings):
    def use(data: str, audit: str = AUDIT_FIRST) -> None:
        settings.DATA_ENCRYPTION_KEYS = data
        settings.BLIND_INDEX_KEY = FIRST
        settings.AUDIT_CHAIN_KEY = audit
        crypto.reset_key_cache()

    use(FIRST)
    yield use
    crypto.reset_key_cache()


def ids(errors) -> list[str]:
    return [error.id for error in errors]


def test_nothing_stored_passes(keys):
    assert keys_read_the_data() == []


def test_a_totp_key_sealed_with_another_data_key_is_an_error(keys):
    user = get_user_model().objects.create_user("clerk-keys", password="x" * 12)
    StaffTOTPDevice.objects.create(user=user, name="phone")
    assert keys_read_the_data() == []
    keys(SECOND)  # new keys for the same database
    errors = keys_read_the_data()
    assert ids(errors) == ["onewindow.core.E003"]
    assert "staff.StaffTOTPDevice.key_encrypted" in errors[0].msg
    assert "无法解密" in errors[0].msg
    with pytest.raises(SystemCheckError):
        call_command("check", "--deploy", "--fail-level", "ERROR")
    keys(f"{SECOND},{FIRST}")  # rotated: the old key still decrypts
    assert keys_read_the_data() == []


def test_a_sealed_audit_trail_with_another_chain_key_is_an_error(keys):
    audit_record(actor=None, action="test.key_check", object_type="x", object_id="1")
    audit_seal()
    assert keys_read_the_data() == []
    keys(FIRST, audit=AUDIT_SECOND)
    errors = keys_read_the_data()
    assert ids(errors) == ["onewindow.core.E004"]
