"""The workstation home, for the staff home view and for apps that answer a home request
themselves (the case-number box sends a malformed number back to it with a message)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from onewindow.staff.navigation import workstations_for


def home_page(request: HttpRequest, *, status: int = 200) -> HttpResponse:
    """A card for every workstation ``request.user`` may open; a notice when there is none."""
    return render(
        request,
        "staff/home.html",
        {"workstations": workstations_for(request.user)},
        status=status,
    )
