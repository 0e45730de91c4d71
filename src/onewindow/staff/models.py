"""The staff app's records: the second-factor device, whose TOTP key is kept encrypted (ADR 0012,
amended), and enrolment codes, the one-time code the security administrator hands over out of
band so that a password alone cannot enrol a second factor."""

from __future__ import annotations

import logging
import secrets
import time
from base64 import b32encode
from binascii import unhexlify
from typing import Any
from urllib.parse import quote, urlencode

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_otp.models import Device, ThrottlingMixin, TimestampMixin
from django_otp.oath import TOTP

from onewindow.core.crypto import DecryptionFailed, decrypt, encrypt

logger = logging.getLogger(__name__)
KEY_BYTES = 20  # 160 bits, the size RFC 4226 recommends for HMAC-SHA1
# Bound to the owner as associated data: a key copied onto another account's row does not
# decrypt. The data migration 0003 writes the same context.
KEY_CONTEXT = "staff.totp_key.user:{user_id}"


def key_context(user_id: Any) -> str:
    return KEY_CONTEXT.format(user_id=user_id)


class StaffTOTPDevice(TimestampMixin, ThrottlingMixin, Device):
    """A TOTP authenticator (RFC 6238, SHA-1, as every authenticator app speaks it) on
    django-otp's ``Device``, with its growing delay after wrong codes and its timestamps.

    The key is kept only encrypted (``core.crypto.encrypt``, AES-256-GCM, context bound to the
    owner); a database dump does not yield it. A new device gets a random key when first saved.
    Codes are checked by ``django_otp.oath.TOTP``: ``tolerance`` steps either side, the
    ``drift`` learnt from the last accepted code (``OTP_TOTP_SYNC``), and never a code at or
    before the step of the last accepted one (``last_t``), so a code works once.
    """

    key_encrypted = models.TextField(_("encrypted key"), editable=False)
    step = models.PositiveSmallIntegerField(_("time step (seconds)"), default=30)
    t0 = models.BigIntegerField(_("start of the steps (Unix time)"), default=0)
    digits = models.PositiveSmallIntegerField(_("digits"), choices=[(6, "6"), (8, "8")], default=6)
    tolerance = models.PositiveSmallIntegerField(_("steps allowed either side"), default=1)
    drift = models.SmallIntegerField(_("clock drift (steps)"), default=0)
    last_t = models.BigIntegerField(_("step of the last accepted code"), default=-1)

    class Meta(Device.Meta):
        verbose_name = _("second-factor device")
        verbose_name_plural = _("second-factor devices")

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self.key_encrypted:
            self.set_key(secrets.token_bytes(KEY_BYTES))
        super().save(*args, **kwargs)

    def set_key(self, key: bytes) -> None:
        """Keep ``key`` (raw bytes) encrypted for this device's owner."""
        if self.user_id is None:
            raise ValueError("a device's key is bound to its owner: set the user first")
        self.key_encrypted = encrypt(key.hex(), context=key_context(self.user_id))

    @property
    def bin_key(self) -> bytes:
        """The key in raw bytes (decrypted on each use, never kept on the object)."""
        return unhexlify(decrypt(self.key_encrypted, context=key_context(self.user_id)))

    def get_throttle_factor(self) -> int:
        return int(getattr(settings, "OTP_TOTP_THROTTLE_FACTOR", 1))

    def verify_token(self, token: Any) -> bool:
        """Is ``token`` the code of now (within ``tolerance``) and newer than the last one
        accepted? A right code moves ``last_t`` (and the drift) and resets the throttle; a wrong
        one, or any code while the throttle's delay runs, counts as a failure."""
        allowed, _why = self.verify_is_allowed()
        if not allowed:
            return False
        try:
            value = int(token)
        except (TypeError, ValueError):
            value = None
        try:
            key = self.bin_key
        except DecryptionFailed:
            # The data key it was sealed with is no longer configured: no code can match, and
            # the owner is not to blame. The security administrator resets the device.
            logger.error("second-factor device %s: its key does not decrypt", self.pk)
            return False
        totp = TOTP(key, self.step, self.t0, self.digits, self.drift)
        totp.time = time.time()
        if value is None or not totp.verify(value, self.tolerance, self.last_t + 1):
            self.throttle_increment(commit=True)
            return False
        self.last_t = totp.t()
        if getattr(settings, "OTP_TOTP_SYNC", True):
            self.drift = totp.drift
        self.throttle_reset(commit=False)
        self.set_last_used_timestamp(commit=False)
        self.save()
        return True

    @property
    def config_url(self) -> str:
        """The ``otpauth://`` address an authenticator app reads from the QR code. Raises
        ``DecryptionFailed`` when the key does not decrypt (the enrolment page checks
        ``second_factor.key_readable`` first and restarts the enrolment)."""
        label = str(self.user.get_username())
        query = {
            "secret": b32encode(self.bin_key).decode().rstrip("="),
            "algorithm": "SHA1",
            "digits": self.digits,
            "period": self.step,
        }
        issuer = str(getattr(settings, "OTP_TOTP_ISSUER", "") or "").replace(":", "")
        if issuer:
            label = f"{issuer}:{label}"
            query["issuer"] = issuer
        return f"otpauth://totp/{quote(label)}?{urlencode(query, quote_via=quote)}"


class IssuedFrom(models.TextChoices):
    ADMIN = "admin", _("the admin, by the security administrator")
    CONSOLE = "console", _("the server's console (manage.py issue_enrolment_code)")


class EnrolmentCode(models.Model):
    """One issued code: only its keyed hash is kept, never the code itself. Issued in the admin
    by the security administrator (``issued_by``) or at the server's console by an operator
    (``issued_by`` empty, ``operator`` the operating-system user)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="enrolment_codes",
        verbose_name=_("account"),
    )
    digest = models.CharField(_("keyed hash"), max_length=64, db_index=True, editable=False)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("issued by"),
    )
    issued_from = models.CharField(
        _("issued from"), max_length=16, choices=IssuedFrom.choices, default=IssuedFrom.ADMIN
    )
    operator = models.CharField(_("console operator (OS user)"), max_length=150, blank=True)
    issued_at = models.DateTimeField(_("issued at"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"))
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("enrolment code")
        verbose_name_plural = _("enrolment codes")
        ordering = ("-issued_at",)

    def __str__(self) -> str:
        return f"{self.user} ({self.issued_at:%Y-%m-%d %H:%M})"
