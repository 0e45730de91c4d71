"""Catalogue HTTP API, mounted at ``/api/catalog/`` by ``config/api.py``.

``public`` — reads of the published catalogue, no sign-in; ``staff`` — writes, session sign-in;
``schemas`` — what both answer with. ``public_router`` and ``staff_router`` are what other
modules import; the operations keep the ids they had when the API was one module.
"""

from onewindow.catalog.api import public, staff
from onewindow.core.openapi import keep_operation_ids

public_router = keep_operation_ids(public.router, "onewindow_catalog_api")
staff_router = keep_operation_ids(staff.router, "onewindow_catalog_api")

__all__ = ["public_router", "staff_router"]
