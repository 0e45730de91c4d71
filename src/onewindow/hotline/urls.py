"""Addresses of the hotline, mounted by ``config/urls.py``.

``staff_urls`` (namespace ``hotline_staff``, under ``/staff/hotline/``): the hotline centre's
pages (``views/staff_centre.py``: the call screen, the queues to accept, dispatch and call back,
one order with its moves, extensions, the wallboard) and the units' (``views/staff_unit.py``:
the unit's queue, sign for, return, reply, extension, assisting opinion).

``public_urls`` (namespace ``hotline_public``, at the site root): ``views/public.py`` — the web
form, following an order by number and query code, "my orders".

``open311_urls`` (namespace ``hotline_open311``, under ``/open311/v2/``, outside the language
prefix): ``views/open311.py`` — the Open311 GeoReport v2 API; the Open311 clients' staff pages
are in ``staff_urls`` (``views/staff_open311.py``).
"""

from onewindow.hotline.views import (
    open311,
    public,
    staff_centre,
    staff_figures,
    staff_open311,
    staff_unit,
)

staff_urls = (
    [*staff_centre.URLS, *staff_unit.URLS, *staff_open311.URLS, *staff_figures.URLS],
    "hotline_staff",
)
public_urls = ([*public.URLS], "hotline_public")
open311_urls = ([*open311.URLS], "hotline_open311")
