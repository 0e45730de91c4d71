"""Labels of the hall's audit actions and refusals (found by ``core.audit_labels``)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from onewindow.org.permissions import Action

ACTION_LABELS = {
    "hall.booking_book": _("Visit booked"),
    "hall.booking_cancel": _("Booking cancelled"),
    "hall.booking_check_in": _("Checked in at the kiosk"),
    "hall.booking_no_show": _("Booking not kept"),
    "hall.ticket_issue": _("Ticket taken"),
    "hall.ticket_call": _("Ticket called"),
    "hall.ticket_recall": _("Ticket called again"),
    "hall.ticket_start": _("Service started"),
    "hall.ticket_finish": _("Ticket served"),
    "hall.ticket_skip": _("Ticket skipped"),
    "hall.ticket_requeue": _("Ticket queued again"),
}

PERMISSION_LABELS = {
    Action.HALL_SERVE: _("call and serve queue tickets"),
    Action.HALL_BOOK_FOR_CALLER: _("book a visit for a caller"),
    Action.HALL_MANAGE: _("manage service groups and read the queue figures"),
    "hall.booking_book": _("book a visit"),
    "hall.booking_cancel": _("cancel a booking"),
    "hall.ticket_by_code": _("take a ticket by booking code"),
    "hall.kiosk_code_tries": _("type booking codes at a kiosk"),
    "hall.window": _("open a window's desk"),
}
