"""The states of a booking and of a queue ticket on the workflow kernel (ADR 0009, 0017).
``workflow.mover.move`` is the only code that changes them; each move writes its audit row
(and, for a ticket, its ``TicketEvent``).

    booking: new ──book──► booked ──check_in──► checked_in
                              ├──cancel──► cancelled
                              └──no_show──► no_show   (the sweep, after the slot)

    ticket:  new ──issue──► waiting ──call──► called ──start──► serving ──finish──► done
                               ▲                 │ └──finish──────────────────────► done
                               │                 ├──recall──► recalled (start / finish / skip)
                               └──requeue (once)─┴──skip──► skipped
"""

from __future__ import annotations

from onewindow.hall.codes import BookingState, TicketState
from onewindow.hall.events import BOOKING_EVENTS, TICKET_EVENTS
from onewindow.org.permissions import Action
from onewindow.workflow.machine import NEW, Move, StateMachine

B = BookingState
BOOKING_MACHINE = StateMachine(
    name="hall.booking",
    model="hall.Booking",
    states=BookingState,
    revision_field=None,
    events=BOOKING_EVENTS,
    moves=[
        # Booking and cancelling are the citizen's own (or a phone agent's, checked by the
        # service); checking in happens at the public kiosk; the sweep marks no-shows.
        Move("book", {NEW}, B.BOOKED, public=False),
        Move("cancel", {B.BOOKED}, B.CANCELLED, public=False),
        Move("check_in", {B.BOOKED}, B.CHECKED_IN, public=False),
        Move("no_show", {B.BOOKED}, B.NO_SHOW, public=False),
    ],
    terminal={B.CHECKED_IN, B.CANCELLED, B.NO_SHOW},
    audit_prefix="hall.booking_",
)

T = TicketState
CALLED = {T.CALLED, T.RECALLED}
TICKET_MACHINE = StateMachine(
    name="hall.ticket",
    model="hall.Ticket",
    states=TicketState,
    events=TICKET_EVENTS,
    moves=[
        Move("issue", {NEW}, T.WAITING, public=False),
        Move("call", {T.WAITING}, T.CALLED, permission=Action.HALL_SERVE, public=False),
        Move("recall", CALLED, T.RECALLED, permission=Action.HALL_SERVE, public=False),
        Move("start", CALLED, T.SERVING, permission=Action.HALL_SERVE, public=False),
        Move("finish", {*CALLED, T.SERVING}, T.DONE, permission=Action.HALL_SERVE, public=False),
        Move("skip", CALLED, T.SKIPPED, permission=Action.HALL_SERVE, public=False),
        Move("requeue", {T.SKIPPED}, T.WAITING, permission=Action.HALL_SERVE, public=False),
    ],
    terminal={T.DONE},
    event_model="hall.TicketEvent",
    event_fields=lambda ticket: {"ticket": ticket},
    audit_prefix="hall.ticket_",
)
