"""Addresses of the grids, mounted by ``config/urls.py``: ``staff_urls`` (namespace
``grid_staff``, under ``/staff/grid/``) — ``views/staff.py``; ``public_urls`` (namespace
``grid_public``, at the site root) — ``views/public.py``: the outlines the citizen's report
map draws (``/grid/outlines.geojson``)."""

from onewindow.grid.views import public, staff

staff_urls = ([*staff.URLS], "grid_staff")
public_urls = ([*public.URLS], "grid_public")
