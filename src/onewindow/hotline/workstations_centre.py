"""The hotline's centre entries in the staff shell. Called once from ``HotlineConfig.ready()``."""

from __future__ import annotations


def register() -> None:
    pass
