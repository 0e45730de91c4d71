"""Hotline HTTP API, mounted by ``config/api.py``: ``staff`` at ``/api/hotline/`` (session
sign-in). The Open311 GeoReport v2 face has its own addresses (``open311/``)."""

from onewindow.core.openapi import keep_operation_ids
from onewindow.hotline.api import staff

staff_router = keep_operation_ids(staff.router, "onewindow_hotline_api")

__all__ = ["staff_router"]
