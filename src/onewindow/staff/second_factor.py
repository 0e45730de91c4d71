"""The TOTP second factor (django-otp): who needs it, their device, and checking a code.

The roles that need a second factor are ``settings.STAFF_SECOND_FACTOR_ROLES`` (an environment
list; none on the embedded demo, every role that reads personal data or grants roles in
production). A user holding any of them is signed in by password first; the session counts as
signed out everywhere but the second-factor pages until a code from their confirmed device is
accepted (``sessions.StaffSessionMiddleware``). A user with no confirmed device enrols first:
a QR code and the secret in text, confirmed by a code. The device is ``models.StaffTOTPDevice``,
whose key is kept encrypted (ADR 0012, amended).

Wrong codes are counted per account in the cache, before the code is checked (as wrong
passwords are): after ``STAFF_SECOND_FACTOR_MAX_FAILURES`` within the sign-in lock window the
account's codes are refused until the window ends, audited. django-otp's own growing delay
between wrong codes on a device applies as well.
"""

from __future__ import annotations

import logging
from base64 import b32encode
from math import ceil
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django_otp import login as otp_login

from onewindow.core.crypto import DecryptionFailed
from onewindow.org.codes import Role
from onewindow.org.models import RoleAssignment
from onewindow.staff.models import StaffTOTPDevice

logger = logging.getLogger(__name__)

PENDING_ATTRIBUTE = "staff_second_factor_pending"
DEVICE_NAME = "OneWindow"


def required_roles() -> frozenset[str]:
    return frozenset(getattr(settings, "STAFF_SECOND_FACTOR_ROLES", []))


def needs_second_factor(user: Any) -> bool:
    """Does ``user`` hold a role that needs a second factor? (One query; none when no role
    needs it.)"""
    roles = required_roles()
    if not roles or user is None or not user.is_authenticated:
        return False
    held = set(RoleAssignment.objects.filter(user=user).values_list("role", flat=True))
    if user.is_superuser:
        held.add(Role.ADMIN)
    return bool(held & roles)


def is_verified(user: Any) -> bool:
    """Did this session give a code from the user's own confirmed ``StaffTOTPDevice``?
    (django-otp's middleware checks owner and confirmation; a session verified by any other
    device class, e.g. a clear ``TOTPDevice`` of before the move, does not count.)"""
    verified = getattr(user, "is_verified", None)
    if not (verified and verified()):
        return False
    return isinstance(getattr(user, "otp_device", None), StaffTOTPDevice)


def pending(request: HttpRequest) -> bool:
    """Is this a signed-in session still waiting for its second factor?"""
    return bool(getattr(request, PENDING_ATTRIBUTE, False))


def confirmed_device(user: Any) -> StaffTOTPDevice | None:
    return StaffTOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


ENROLMENT_SESSION_KEY = "staff_enrolment_device"


def enrolment_device(user: Any, session: Any) -> StaffTOTPDevice:
    """The device being enrolled in this session: the same one on every visit until it is
    confirmed, so that a reload does not void a QR code already scanned. Another session (e.g.
    someone who has only the password) gets a device of its own and never sees this secret."""
    pk = session.get(ENROLMENT_SESSION_KEY)
    device = None
    if pk is not None:
        device = StaffTOTPDevice.objects.filter(pk=pk, user=user, confirmed=False).first()
    if device is None:
        device = StaffTOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
        session[ENROLMENT_SESSION_KEY] = device.pk
    return device


def key_readable(device: StaffTOTPDevice) -> bool:
    """Does the device's key still decrypt? (Not when the data key it was sealed with is no
    longer configured, or the row was damaged.) A failure is logged, never the key."""
    try:
        device.bin_key  # noqa: B018 - decrypting is the check
    except DecryptionFailed:
        logger.error(
            "second-factor device %s of user %s: its key does not decrypt (%s)",
            device.pk,
            device.user_id,
            "confirmed" if device.confirmed else "pending enrolment",
        )
        return False
    return True


def restart_enrolment(user: Any, session: Any, device: StaffTOTPDevice) -> StaffTOTPDevice:
    """The pending ``device`` whose key no longer decrypts is deleted and a new one made for
    this session (its QR code and secret shown afresh)."""
    StaffTOTPDevice.objects.filter(pk=device.pk, user=user, confirmed=False).delete()
    session.pop(ENROLMENT_SESSION_KEY, None)
    logger.warning("second-factor enrolment of user %s restarted with a new device", user.pk)
    return enrolment_device(user, session)


def drop_other_enrolments(user: Any, device: StaffTOTPDevice) -> None:
    """Once ``device`` is confirmed, the account's other unconfirmed devices go."""
    StaffTOTPDevice.objects.filter(user=user, confirmed=False).exclude(pk=device.pk).delete()


def secret_text(device: StaffTOTPDevice) -> str:
    """The secret in base32, in groups of four, for typing into an app by hand. Raises
    ``DecryptionFailed`` when the key does not decrypt: check ``key_readable`` first."""
    secret = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def max_failures() -> int:
    return int(getattr(settings, "STAFF_SECOND_FACTOR_MAX_FAILURES", 5))


def lock_seconds() -> int:
    return int(getattr(settings, "STAFF_SIGN_IN_LOCK_MINUTES", 15)) * 60


def _failure_key(user: Any) -> str:
    return f"staff.second_factor.failures:{user.pk}"


def count_try(user: Any) -> int:
    """Take this try's number before the code is checked (tries sent at once cannot all pass
    the limit)."""
    key = _failure_key(user)
    cache.add(key, 0, timeout=lock_seconds())
    try:
        return int(cache.incr(key))
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=lock_seconds())
        return 1


def forget_tries(user: Any) -> None:
    cache.delete(_failure_key(user))


class Throttled(Exception):
    """django-otp's growing delay after wrong codes: the device checks no code for
    ``seconds`` more (whole seconds, at least 1)."""

    def __init__(self, seconds: int) -> None:
        super().__init__(seconds)
        self.seconds = seconds


def throttle_seconds(device: StaffTOTPDevice) -> int:
    """How many seconds ``device`` still refuses every code (django-otp's
    ``verify_is_allowed``); 0 when it checks codes now."""
    allowed, data = device.verify_is_allowed()
    if allowed:
        return 0
    until = (data or {}).get("locked_until")
    if until is None:
        return 1
    return max(1, ceil((until - timezone.now()).total_seconds()))


def check_code(device: StaffTOTPDevice, code: str) -> bool:
    """Check ``code`` on ``device`` under a row lock (django-otp's throttling and its "no code
    twice" rule hold across workers). Raises ``Throttled`` when the device refuses every code
    for now (the code is not looked at, and django-otp counts no failure for it)."""
    code = "".join(code.split())
    if not (code.isdigit() and len(code) == device.digits):
        # Still counted by django-otp's throttle, like any wrong code.
        code = "x"
    with transaction.atomic():
        locked = StaffTOTPDevice.objects.select_for_update().get(pk=device.pk)
        wait = throttle_seconds(locked)
        if wait:
            raise Throttled(wait)
        return bool(locked.verify_token(code))


def mark_verified(request: HttpRequest, device: StaffTOTPDevice) -> None:
    """The session is verified from now on; a new session key for the raised privilege."""
    request.session.cycle_key()
    otp_login(request, device)
