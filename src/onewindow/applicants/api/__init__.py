"""Applicants HTTP API for staff, mounted at ``/api/applicants/`` by ``config/api.py``.

``staff`` — look up and register persons and organisations (session sign-in, a role that reads
personal data), answering masked data and a look-up token, never a record id a client could
count through; changes of a person's phone confirmed by code or a colleague.
``staff_router`` is what other modules import.
"""

from onewindow.applicants.api import staff
from onewindow.core.openapi import keep_operation_ids

staff_router = keep_operation_ids(staff.router, "onewindow_applicants_api")

__all__ = ["staff_router"]
