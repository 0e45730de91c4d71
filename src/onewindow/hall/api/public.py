"""Booking a visit through the HTTP API, at ``/api/hall/``, for a mobile app.

- ``GET groups/{group_id}/slots?day=`` — the times of a day still to come, with free seats
  (no sign-in).
- With ``Authorization: Bearer <token>`` (a citizen app token, ``citizens``): ``GET bookings``
  (mine), ``POST bookings`` ``{group_id, starts_at}`` (201 with the booking code, shown once
  and sent by SMS; 409 ``slot_full`` / ``double_booked``; 403 ``too_many_no_shows``; 422 a
  time not offered), ``POST bookings/{booking_id}/cancel``.

A missing, expired or revoked token answers 401 ``citizen_sign_in_required``; another
account's booking answers 404 like a missing one.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Router, Schema, Status
from ninja.security import HttpBearer

from onewindow.citizens.errors import CitizenSignInRequired
from onewindow.citizens.models import AccessToken, TokenKind
from onewindow.citizens.services import token_authenticate
from onewindow.core.openapi import ErrorOut
from onewindow.core.validation import Day, RecordId
from onewindow.hall import selectors, services
from onewindow.hall.models import Booking

router = Router(tags=["hall"])


class HallCitizenBearer(HttpBearer):
    """``Authorization: Bearer <token>`` of a citizen app token; anything else answers 401."""

    def __call__(self, request: HttpRequest) -> Any:
        value = request.headers.get(self.header, "")
        scheme, _space, secret = value.partition(" ")
        if scheme.lower() != self.openapi_scheme or not secret:
            raise CitizenSignInRequired()
        return self.authenticate(request, secret.strip())

    def authenticate(self, request: HttpRequest, token: str) -> AccessToken:
        found = token_authenticate(secret=token, kind=TokenKind.APP)
        if found is None:
            raise CitizenSignInRequired()
        return found


bearer = HallCitizenBearer()


class HallSlotOut(Schema):
    starts_at: dt.datetime
    ends_at: dt.datetime
    seats_left: int


class HallBookingIn(Schema):
    group_id: RecordId
    starts_at: dt.datetime


class HallBookingOut(Schema):
    id: int
    centre: str
    group: str
    group_letter: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    state: str
    state_label: str


class HallBookingMadeOut(Schema):
    booking: HallBookingOut
    code: str


def _booking_out(booking: Booking) -> HallBookingOut:
    return HallBookingOut(
        id=booking.pk,
        centre=booking.group.centre.name,
        group=booking.group.name,
        group_letter=booking.group.letter,
        starts_at=booking.starts_at,
        ends_at=booking.ends_at,
        state=booking.state,
        state_label=str(booking.get_state_display()),
    )


def _no_store(response: HttpResponse) -> None:
    response["Cache-Control"] = "no-store"


@router.get(
    "groups/{group_id}/slots",
    response={200: list[HallSlotOut], 404: ErrorOut},
    summary="The bookable times of a service group on a day",
)
def slots(request: HttpRequest, group_id: RecordId, day: Day):
    group = selectors.bookable_group(group_id)
    return [
        HallSlotOut(starts_at=s.starts_at, ends_at=s.ends_at, seats_left=s.seats_left)
        for s in selectors.slots_offered(group, day)
    ]


@router.get("bookings", auth=bearer, response={200: list[HallBookingOut]}, summary="My bookings")
def bookings_mine(request: HttpRequest, response: HttpResponse):
    _no_store(response)
    token: AccessToken = request.auth  # type: ignore[attr-defined]
    return [_booking_out(b) for b in selectors.my_bookings(account=token.account)]


@router.post(
    "bookings",
    auth=bearer,
    response={201: HallBookingMadeOut, 403: ErrorOut, 409: ErrorOut, 422: ErrorOut},
    summary="Book a time: the booking code is answered once and sent by SMS",
)
def booking_create(request: HttpRequest, response: HttpResponse, payload: HallBookingIn):
    _no_store(response)
    token: AccessToken = request.auth  # type: ignore[attr-defined]
    made = services.booking_create(
        group_id=payload.group_id, starts_at=payload.starts_at, account=token.account
    )
    return Status(201, HallBookingMadeOut(booking=_booking_out(made.booking), code=made.code_shown))


@router.post(
    "bookings/{booking_id}/cancel",
    auth=bearer,
    response={200: HallBookingOut, 404: ErrorOut, 409: ErrorOut},
    summary="Cancel my booking before its time",
)
def booking_cancel(request: HttpRequest, response: HttpResponse, booking_id: RecordId):
    _no_store(response)
    token: AccessToken = request.auth  # type: ignore[attr-defined]
    booking = services.booking_cancel(account=token.account, booking_id=booking_id)
    return _booking_out(booking)
