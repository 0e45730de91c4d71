"""The notification outbox: one row per message to send, written in the transaction that
decides to send it and sent after commit (``services.message_send``).

A message is *about* something — its subject: ``subject_type`` names the aggregate
(``"cases.case"``, ``"hotline.ticket"``, or any key an app chooses) and ``subject_id`` the
instance. notify never follows the reference; the app that enqueued the message reads it.

The recipient (a phone for SMS) is personal data: stored encrypted (context
``notify.recipient``) with a masked copy for screens, never in clear. ``idempotency_key`` is
unique, so whatever an app replays, one key gives at most one message. The text is stored
encrypted too (context ``notify.text``), with a copy for screens and logs in which the secrets
the sender named (a query code) are masked.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onewindow.org.permissions import TargetScope
from onewindow.workflow.models import EventRecord

RECIPIENT_CONTEXT = "notify.recipient"
TEXT_CONTEXT = "notify.text"


class Channel(models.TextChoices):
    # A new channel (email, webhook) is a value here plus its entry in ``backends.CHANNELS``.
    SMS = "sms", _("SMS")


class NotificationStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    DEAD = "dead", _("Given up (dead letter)")


class Notification(models.Model):
    subject_type = models.CharField(_("subject type"), max_length=64)
    subject_id = models.CharField(_("subject"), max_length=64)
    channel = models.CharField(
        _("channel"), max_length=16, choices=Channel.choices, default=Channel.SMS
    )
    recipient_encrypted = models.TextField(_("recipient (encrypted)"))
    recipient_masked = models.CharField(_("recipient"), max_length=32)
    template_code = models.CharField(_("message template"), max_length=64)
    # The text goes to the recipient only: it may carry a secret of theirs (a query code). It is
    # stored encrypted; screens and logs get ``text_shown``, with the secrets the sender named
    # masked.
    text_encrypted = models.TextField(_("text (encrypted)"))
    text_shown = models.TextField(_("text"))
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=NotificationStatus.choices,
        default=NotificationStatus.PENDING,
    )
    # Bumped by every status move (the workflow mover): a queued or delayed send carries the
    # revision it was queued for and does nothing once the row has moved on.
    revision = models.PositiveIntegerField(_("revision"), default=0)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True)
    last_attempt_at = models.DateTimeField(_("last attempt at"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=255, blank=True)
    provider_message_id = models.CharField(_("gateway message id"), max_length=128, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    idempotency_key = models.CharField(max_length=128, unique=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "created_at"]),
            models.Index(fields=["status", "next_attempt_at"], name="notify_due_idx"),
            models.Index(fields=["subject_type", "subject_id"], name="notify_subject_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.channel} {self.recipient_masked} {self.template_code}"

    def permission_scope(self) -> TargetScope:
        # The outbox belongs to no department or centre: only city-wide roles reach it.
        return TargetScope()


class NotificationEvent(EventRecord):
    """One move of a message (queued, sent, failed with its error, given up, queued again),
    written by the workflow mover: the attempt history a dead letter is diagnosed from."""

    notification = models.ForeignKey(Notification, on_delete=models.CASCADE, related_name="events")

    class Meta(EventRecord.Meta):
        verbose_name = _("message event")
        verbose_name_plural = _("message events")
        ordering = ["notification", "at", "id"]

    def __str__(self) -> str:
        return f"{self.notification_id} {self.action}"
