"""The outbox in the admin: failed messages and dead letters, for administrators.

Read-only, recipients masked (never decrypted here). The message text is not shown either: it
carries the subject's query code, which opens the public progress page. The one action sends
the selected dead letters again through ``services.message_retry`` (permission-checked and
audited there).
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from onewindow.notify.errors import NotificationMoveNotAllowed
from onewindow.notify.models import Notification, NotificationEvent
from onewindow.notify.services import message_retry
from onewindow.org.permissions import Action, can
from onewindow.org.permissions_admin import PermissionAdminMixin


class NotificationEventInline(admin.TabularInline):  # type: ignore[type-arg]
    """Every move of the message: each attempt and the gateway's error."""

    model = NotificationEvent
    fields = ("at", "action", "from_state", "to_state", "reason", "data", "actor")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return can(request.user, Action.NOTIFY_MANAGE)


@admin.register(Notification)
class NotificationAdmin(PermissionAdminMixin, admin.ModelAdmin):  # type: ignore[type-arg]
    view_action = Action.NOTIFY_MANAGE
    change_action = Action.NOTIFY_MANAGE
    list_display = (
        "created_at",
        "subject_type",
        "subject_id",
        "channel",
        "recipient_masked",
        "template_code",
        "status",
        "attempts",
        "next_attempt_at",
        "last_error",
    )
    list_filter = ("status", "channel", "subject_type", "template_code")
    search_fields = ("subject_id", "idempotency_key")
    date_hierarchy = "created_at"
    fields = (
        "subject_type",
        "subject_id",
        "channel",
        "recipient_masked",
        "template_code",
        "status",
        "revision",
        "attempts",
        "last_attempt_at",
        "next_attempt_at",
        "last_error",
        "provider_message_id",
        "created_at",
        "sent_at",
        "idempotency_key",
    )
    readonly_fields = fields
    inlines = [NotificationEventInline]
    actions = ["retry"]

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_retry_permission(self, request: HttpRequest) -> bool:
        return can(request.user, Action.NOTIFY_MANAGE)

    @admin.action(description=_("Send the selected dead letters again"), permissions=["retry"])
    def retry(self, request: HttpRequest, queryset: QuerySet[Notification]) -> None:
        retried = skipped = 0
        for notification in queryset:
            try:
                message_retry(notification=notification, actor=request.user)
            except NotificationMoveNotAllowed:
                skipped += 1
            else:
                retried += 1
        if retried:
            self.message_user(
                request,
                ngettext(
                    "%(count)s message is queued to be sent again.",
                    "%(count)s messages are queued to be sent again.",
                    retried,
                )
                % {"count": retried},
                messages.SUCCESS,
            )
        if skipped:
            self.message_user(
                request,
                ngettext(
                    "%(count)s message was not a dead letter and was left alone.",
                    "%(count)s messages were not dead letters and were left alone.",
                    skipped,
                )
                % {"count": skipped},
                messages.WARNING,
            )
