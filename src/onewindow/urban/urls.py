"""Addresses of grid management, mounted by ``config/urls.py``.

``staff_urls`` (namespace ``urban_staff``, under ``/staff/urban/``): the case flow after
intake (``views/staff_flow.py``: the supervision and command centres' queues, a unit's queue,
one case with its moves, the grid worker's tasks)."""

from onewindow.urban.views import staff_flow

staff_urls = ([*staff_flow.URLS], "urban_staff")
