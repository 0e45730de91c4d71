"""Grid management HTTP API, mounted at ``/api/urban/`` by ``config/api.py``.

``staff`` — the grid worker's phone: the category list (cached for offline use) and the report
(session sign-in, CSRF, ``urban.report``). ``staff_router`` is what other modules import.
"""

from onewindow.core.openapi import keep_operation_ids
from onewindow.urban.api import staff

staff_router = keep_operation_ids(staff.router, "onewindow_urban_api")

__all__ = ["staff_router"]
