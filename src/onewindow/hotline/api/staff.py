"""The hotline's staff API (session sign-in)."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["hotline"])
