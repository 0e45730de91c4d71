"""Addresses of the grids, mounted by ``config/urls.py``: ``staff_urls`` (namespace
``grid_staff``, under ``/staff/grid/``) — ``views/staff.py``."""

from onewindow.grid.views import staff

staff_urls = ([*staff.URLS], "grid_staff")
