"""Ratings HTTP API, mounted at ``/api/ratings/`` by ``config/api.py``.

``staff`` — the exchange of rating records with the provincial 好差评 system (session sign-in,
``rating.view``). ``staff_router`` is what other modules import.
"""

from onewindow.core.openapi import keep_operation_ids
from onewindow.ratings.api import staff

staff_router = keep_operation_ids(staff.router, "onewindow_ratings_api")

__all__ = ["staff_router"]
