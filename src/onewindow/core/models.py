"""Shared base models: timestamps and the audit log."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class AuditLog(models.Model):
    """Who did what to which record, and when. Written in the same transaction as the change.

    Rows are never updated or deleted: database triggers refuse it (migration 0002), except the
    seal filling ``seq``, ``prev_hash``, ``row_hash`` and ``field_macs`` once. The seal
    (``core.audit_chain``, ADR 0011) chains committed rows: each sealed row carries the keyed
    hash of the one before it, so ``manage.py audit_verify`` finds any change, removal or
    reordering of sealed rows. Auditors read them.
    """

    at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    action = models.CharField(_("action"), max_length=64, db_index=True)
    object_type = models.CharField(_("object type"), max_length=64)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    object_repr = models.CharField(_("object"), max_length=255, blank=True)
    allowed = models.BooleanField(_("allowed"), default=True)
    detail = models.JSONField(_("detail"), default=dict, blank=True)
    # Filled once by the seal, never on insert (no lock on the write path).
    seq = models.BigIntegerField(_("chain position"), null=True, blank=True, unique=True)
    prev_hash = models.CharField(_("previous row's hash"), max_length=64, blank=True)
    row_hash = models.CharField(_("row hash"), max_length=64, blank=True)
    field_macs = models.JSONField(_("field checks"), default=dict, blank=True)

    class Meta:
        verbose_name = _("audit record")
        verbose_name_plural = _("audit records")
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["object_type", "object_id"]),
            # One account's rows of one action in a time window (e.g. its refused registers in
            # the last hour, applicants.register_refusals_check) without a scan of the trail.
            models.Index(fields=["actor", "action", "at"], name="core_audit_actor_action_at"),
            # The seal finds the rows still to chain without scanning the sealed ones.
            models.Index(
                fields=["id"], condition=models.Q(seq__isnull=True), name="core_audit_unsealed"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor} {self.action} {self.object_repr}"


class AuditSealHead(models.Model):
    """The seal's last head, one row: how far the chain has ever reached (ADR 0011, amended).

    Written by the seal in the transaction of each batch; the guard's triggers let it only move
    forward (a higher ``seq``) and refuse deleting or truncating it. ``audit_verify`` reads it
    as an anchor inside the database: a chain that ends before it, or has another row at its
    position, had rows removed or began again (a table emptied and refilled from genesis).
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1, editable=False)
    seq = models.BigIntegerField(_("chain position"), default=0)
    row_hash = models.CharField(_("row hash"), max_length=64)
    sealed_at = models.DateTimeField(_("sealed at"), auto_now=True)

    class Meta:
        verbose_name = _("audit seal head")
        verbose_name_plural = _("audit seal head")
        constraints = [
            models.CheckConstraint(condition=models.Q(id=1), name="core_auditsealhead_one_row")
        ]

    def __str__(self) -> str:
        return f"{self.seq}:{self.row_hash}"
