"""Addresses of the hall: ``public_urls`` at the site root (namespace ``hall``): booking, my
bookings, the kiosk, the ticket page and the calling screen; ``staff_urls`` under
``/staff/hall/`` (namespace ``hall_staff``): the window desk, booking by phone, the figures."""

from django.urls import path

from onewindow.hall.views import public, staff

public_urls = (
    [
        path("hall/", public.index, name="index"),
        path("hall/book/", public.book, name="book"),
        path("hall/bookings/", public.bookings, name="bookings"),
        path("hall/bookings/<int:booking_id>/cancel/", public.cancel, name="cancel"),
        path("hall/tickets/<str:token>/", public.ticket, name="ticket"),
        path("hall/<str:centre_code>/kiosk/", public.kiosk, name="kiosk"),
        path("hall/<str:centre_code>/screen/", public.screen, name="screen"),
        path("hall/<str:centre_code>/screen/calls/", public.screen_calls, name="screen_calls"),
    ],
    "hall",
)

staff_urls = (
    [
        path("", staff.windows, name="windows"),
        path("windows/<int:window_id>/", staff.desk, name="desk"),
        path("windows/<int:window_id>/call-next/", staff.call_next, name="call_next"),
        path(
            "windows/<int:window_id>/tickets/<int:ticket_id>/<str:action>/",
            staff.ticket_action,
            name="ticket_action",
        ),
        path("phone-booking/", staff.phone_booking, name="phone_booking"),
        path("manager/", staff.manager, name="manager"),
    ],
    "hall_staff",
)
