"""The notification outbox: one row per message to send, written in the transaction that
decides to send it and sent after commit by ``tasks.notification_send``.

The recipient's phone is personal data: stored encrypted (context ``notify.recipient``) with a
masked copy for screens, never in clear. ``idempotency_key`` (``"<event id>:<channel>"``) is
unique, so one case event gives at most one message per channel however often it is replayed.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

RECIPIENT_CONTEXT = "notify.recipient"


class Channel(models.TextChoices):
    SMS = "sms", _("SMS")


class NotificationStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class Notification(models.Model):
    case = models.ForeignKey(
        "cases.Case",
        verbose_name=_("case"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="notifications",
    )
    channel = models.CharField(
        _("channel"), max_length=16, choices=Channel.choices, default=Channel.SMS
    )
    recipient_encrypted = models.TextField(_("recipient (encrypted)"))
    recipient_masked = models.CharField(_("recipient"), max_length=32)
    template_code = models.CharField(_("message template"), max_length=64)
    text = models.TextField(_("text"))
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=NotificationStatus.choices,
        default=NotificationStatus.PENDING,
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    last_error = models.CharField(_("last error"), max_length=255, blank=True)
    provider_message_id = models.CharField(_("gateway message id"), max_length=128, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    idempotency_key = models.CharField(max_length=64, unique=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self) -> str:
        return f"{self.channel} {self.recipient_masked} {self.template_code}"
