"""Knowledge base HTTP API, mounted at ``/api/knowledge/`` by ``config/api.py``.

``staff`` — suggestions for what a hotline agent types (session sign-in, ``knowledge.view``).
``staff_router`` is what other modules import.
"""

from onewindow.core.openapi import keep_operation_ids
from onewindow.knowledge.api import staff

staff_router = keep_operation_ids(staff.router, "onewindow_knowledge_api")

__all__ = ["staff_router"]
