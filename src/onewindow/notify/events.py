"""The one vocabulary of a message's events: each code with its staff label and the verb a
refusal uses. Messages are never on an applicant's timeline, so none has a public label."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from onewindow.workflow.machine import EventType, EventVocabulary

NOTIFICATION_EVENTS = EventVocabulary(
    [
        EventType("queue", _("Queued"), None, _("queue")),
        EventType("deliver", _("Sent through the gateway"), None, _("be marked sent")),
        EventType("fail", _("Gateway failed; will retry"), None, _("be marked failed")),
        EventType("give_up", _("Given up (dead letter)"), None, _("be given up")),
        EventType("retry", _("Queued again by an administrator"), None, _("be sent again")),
    ],
    other_label=_("Message updated"),
    other_public_label=_("Message updated"),
)
