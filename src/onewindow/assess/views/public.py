"""The public honour board (光荣榜): each centre's confirmed service star (the staff member's
name only) and model window (its number), newest month first."""

from __future__ import annotations

from itertools import groupby

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from onewindow.assess import selectors


@require_safe
def honours(request: HttpRequest) -> HttpResponse:
    board = selectors.honour_board()
    months = [(month, list(rows)) for month, rows in groupby(board, key=lambda h: h.month)]
    return render(request, "assess/public/honours.html", {"months": months})
