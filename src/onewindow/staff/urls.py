"""Addresses of the staff shell, mounted at ``/staff/`` by ``config/urls.py``: home, sign-in,
the second factor (code and enrolment) and sign-out (namespace ``staff``). The apps mount their
own staff pages beside it (``/staff/cases/…``, ``/staff/catalog/…``); the shell has no public
pages."""

from django.urls import path

from onewindow.staff.views import staff

staff_urls = (
    [
        path("", staff.home, name="home"),
        path("sign-in/", staff.sign_in, name="sign_in"),
        path("sign-out/", staff.sign_out, name="sign_out"),
        path("second-factor/", staff.second_factor_page, name="second_factor"),
        path("second-factor/enrol/", staff.second_factor_enrol, name="second_factor_enrol"),
    ],
    "staff",
)
