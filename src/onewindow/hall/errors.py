"""The refusals of appointments and the queue: each says what to do next, in Chinese and
English (``core.errors``)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from onewindow.core.errors import ApplicationError


class SlotFull(ApplicationError):
    def __init__(self) -> None:
        super().__init__(
            message=_("This time is fully booked. Choose another time."),
            code="slot_full",
            status=409,
        )


class DoubleBooked(ApplicationError):
    def __init__(self) -> None:
        super().__init__(
            message=_(
                "You already hold a booking for this service on this day, or another booking "
                "at this time. Nothing was booked: cancel that booking first, or choose another "
                "day or time."
            ),
            code="double_booked",
            status=409,
        )


class BookingBlocked(ApplicationError):
    def __init__(self, *, count: int, days: int, until: str) -> None:
        super().__init__(
            message=_(
                "Bookings were not kept %(count)s times in the last %(days)s days: booking is "
                "closed for this mobile number until %(until)s. You can still take a ticket at "
                "the hall."
            ),
            code="too_many_no_shows",
            status=403,
            params={"count": count, "days": days, "until": until},
        )


class BookingNotCancellable(ApplicationError):
    def __init__(self) -> None:
        super().__init__(
            message=_(
                "This booking can no longer be cancelled: its time has begun, or it was "
                "cancelled or used already."
            ),
            code="booking_not_cancellable",
            status=409,
        )


class BookingCodeUnknown(ApplicationError):
    def __init__(self) -> None:
        super().__init__(
            message=_(
                "No booking for today at this centre has this code. Check the code in the SMS, "
                "or take a ticket by choosing a service."
            ),
            code="booking_code_unknown",
            status=422,
        )


class CheckInNotYet(ApplicationError):
    def __init__(self, *, starts: str, opens: str) -> None:
        super().__init__(
            message=_("Your booking starts at %(starts)s: check in from %(opens)s."),
            code="check_in_too_early",
            status=409,
            params={"starts": starts, "opens": opens},
        )


class CheckInTooLate(ApplicationError):
    def __init__(self) -> None:
        super().__init__(
            message=_("The time of this booking has passed. Take a ticket by choosing a service."),
            code="check_in_too_late",
            status=409,
        )


class QueueEmpty(ApplicationError):
    def __init__(self) -> None:
        super().__init__(
            message=_("Nobody is waiting for the services of this window."),
            code="queue_empty",
            status=409,
        )


class WindowBusy(ApplicationError):
    def __init__(self, *, number: str) -> None:
        super().__init__(
            message=_(
                "Ticket %(number)s is still at this window: mark it served or skipped first."
            ),
            code="window_busy",
            status=409,
            params={"number": number},
        )


class WindowServesNothing(ApplicationError):
    def __init__(self) -> None:
        super().__init__(
            message=_(
                "This window serves no service group. Ask the centre manager to assign it one."
            ),
            code="window_serves_nothing",
            status=409,
        )


class RequeuedOnce(ApplicationError):
    def __init__(self) -> None:
        super().__init__(
            message=_("This ticket was queued again once already: it cannot be queued again."),
            code="requeued_once",
            status=409,
        )


class KioskTooManyTries(ApplicationError):
    def __init__(self, *, limit: int) -> None:
        super().__init__(
            message=_(
                "Too many resident ID numbers were typed at this kiosk in the last minute. "
                "Wait a minute, or take a ticket with your booking code or by service."
            ),
            code="too_many_kiosk_tries",
            status=429,
            params={"limit": limit},
        )


class KioskTooManyCodes(ApplicationError):
    def __init__(self, *, limit: int) -> None:
        super().__init__(
            message=_(
                "Too many booking codes were typed at this kiosk in the last minute. Wait a "
                "minute, or take a ticket by service and tell the window you booked."
            ),
            code="too_many_kiosk_tries",
            status=429,
            params={"limit": limit},
        )
