"""The online application's HTTP API (``public.py``, mounted at ``/api/online/`` by
``config/api.py``): published as ``public_router``, with its operation ids fixed."""

from onewindow.core.openapi import keep_operation_ids
from onewindow.online.api import public

public_router = keep_operation_ids(public.router, "onewindow_online_api")

__all__ = ["public_router"]
