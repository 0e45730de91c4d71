"""Case flow HTTP API, mounted by ``config/api.py``.

``staff`` — the staff operations at ``/api/cases/`` (session sign-in; a package, one module per
workstation); ``public`` — the progress look-up at ``/api/progress``. ``staff_router`` and
``public_router`` are what other modules import. Neither imports a page module: what the API
shares with the pages lives in services, selectors and ``cases.progress``.
"""

from onewindow.cases.api import public
from onewindow.cases.api.staff import router as staff_router
from onewindow.core.openapi import keep_operation_ids

public_router = keep_operation_ids(public.router, "onewindow_cases_api_public")

__all__ = ["public_router", "staff_router"]
