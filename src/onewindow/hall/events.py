"""The event vocabularies of a booking and of a queue ticket: each code with its staff label
and the verb refusals use. Tickets and bookings have no public timeline (``public_label``
``None``): the ticket page and "my bookings" show their state."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from onewindow.workflow.machine import EventType, EventVocabulary

BOOKING_EVENTS = EventVocabulary(
    [
        EventType("book", _("Booked"), None, _("book")),
        EventType("cancel", _("Booking cancelled"), None, _("cancel")),
        EventType("check_in", _("Checked in at the kiosk"), None, _("check in")),
        EventType("no_show", _("Did not come"), None, _("mark as not come")),
    ],
    other_label=_("Booking updated"),
    other_public_label=None,
)

TICKET_EVENTS = EventVocabulary(
    [
        EventType("issue", _("Ticket taken"), None, _("take a ticket")),
        EventType("call", _("Called"), None, _("call")),
        EventType("recall", _("Called again"), None, _("call again")),
        EventType("start", _("Service started"), None, _("start serving")),
        EventType("finish", _("Served"), None, _("mark as served")),
        EventType("skip", _("Skipped"), None, _("skip")),
        EventType("requeue", _("Queued again"), None, _("queue again")),
    ],
    other_label=_("Ticket updated"),
    other_public_label=None,
)
