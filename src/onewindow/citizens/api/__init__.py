"""The citizens' HTTP API (``public.py``, mounted at ``/api/citizens/`` by ``config/api.py``):
published as ``public_router``, with its operation ids fixed."""

from onewindow.citizens.api import public
from onewindow.core.openapi import keep_operation_ids

public_router = keep_operation_ids(public.router, "onewindow_citizens_api")

__all__ = ["public_router"]
