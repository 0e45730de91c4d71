"""The periodic clean-up of enrolments begun and never finished: unconfirmed devices and unused
enrolment codes older than ``STAFF_PENDING_ENROLMENT_HOURS`` go; nothing confirmed or used does."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from onewindow.core.models import AuditLog
from onewindow.core.tasks import periodic_tasks
from onewindow.staff import enrolment
from onewindow.staff.models import EnrolmentCode, StaffTOTPDevice
from onewindow.staff.tasks import pending_enrolments_clean
from onewindow.testing.factories import UserFactory

HOUR = timedelta(hours=1)


@pytest.fixture
def user(db):
    account = UserFactory()
    account.save()
    return account


def device(user, *, confirmed: bool, age: timedelta) -> StaffTOTPDevice:
    made = StaffTOTPDevice.objects.create(user=user, name="phone", confirmed=confirmed)
    StaffTOTPDevice.objects.filter(pk=made.pk).update(created_at=timezone.now() - age)
    return made


def code(user, *, expired_ago: timedelta, used: bool = False) -> EnrolmentCode:
    now = timezone.now()
    return EnrolmentCode.objects.create(
        user=user,
        digest=f"{EnrolmentCode.objects.count():064d}",
        expires_at=now - expired_ago,
        used_at=now - 2 * expired_ago if used else None,
    )


def remaining_devices() -> set[int]:
    return set(StaffTOTPDevice.objects.values_list("pk", flat=True))


def remaining_codes() -> set[int]:
    return set(EnrolmentCode.objects.values_list("pk", flat=True))


def test_old_pending_devices_and_long_expired_unused_codes_go_the_rest_stays(user, settings):
    settings.STAFF_PENDING_ENROLMENT_HOURS = 24
    fresh = device(user, confirmed=False, age=23 * HOUR)
    old = device(user, confirmed=False, age=25 * HOUR)
    confirmed_long_ago = device(user, confirmed=True, age=400 * 24 * HOUR)
    confirmed_now = device(user, confirmed=True, age=timedelta(0))
    valid = code(user, expired_ago=-48 * HOUR)  # still valid for two days
    just_expired = code(user, expired_ago=23 * HOUR)
    long_expired = code(user, expired_ago=25 * HOUR)
    used_long_ago = code(user, expired_ago=30 * 24 * HOUR, used=True)

    assert pending_enrolments_clean() == {"devices": 1, "codes": 1}
    assert remaining_devices() == {fresh.pk, confirmed_long_ago.pk, confirmed_now.pk}
    assert old.pk not in remaining_devices()
    assert remaining_codes() == {valid.pk, just_expired.pk, used_long_ago.pk}
    assert long_expired.pk not in remaining_codes()
    row = AuditLog.objects.get(action="staff.pending_enrolments_clean")
    assert (row.actor_id, row.allowed, row.detail["devices"], row.detail["codes"]) == (
        None,
        True,
        1,
        1,
    )
    # Again: nothing more goes and nothing more is written.
    assert pending_enrolments_clean() == {"devices": 0, "codes": 0}
    assert AuditLog.objects.filter(action="staff.pending_enrolments_clean").count() == 1


def test_the_age_is_the_setting(user, settings):
    settings.STAFF_PENDING_ENROLMENT_HOURS = 2
    three_hours = device(user, confirmed=False, age=3 * HOUR)
    one_hour = device(user, confirmed=False, age=HOUR)
    assert enrolment.clean_pending() == {"devices": 1, "codes": 0}
    assert remaining_devices() == {one_hour.pk}
    assert three_hours.pk not in remaining_devices()


def test_a_pending_device_without_a_creation_time_counts_as_old(user):
    undated = device(user, confirmed=False, age=timedelta(0))
    StaffTOTPDevice.objects.filter(pk=undated.pk).update(created_at=None)
    confirmed = device(user, confirmed=True, age=timedelta(0))
    StaffTOTPDevice.objects.filter(pk=confirmed.pk).update(created_at=None)
    assert enrolment.clean_pending() == {"devices": 1, "codes": 0}
    assert remaining_devices() == {confirmed.pk}


def test_it_runs_every_hour_and_from_cron(user):
    assert periodic_tasks()["onewindow.staff.tasks.pending_enrolments_clean"] == 3600.0
    device(user, confirmed=False, age=48 * HOUR)
    out = StringIO()
    call_command("staff_clean_pending", stdout=out)
    assert not StaffTOTPDevice.objects.exists()
    assert out.getvalue().strip() == "已删除未完成的绑定：设备 1 个，绑定码 0 个。"
