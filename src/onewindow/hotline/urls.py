"""Addresses of the hotline, mounted by ``config/urls.py``.

``staff_urls`` (namespace ``hotline_staff``, under ``/staff/hotline/``): the hotline centre's
pages (``views/staff_centre.py``: the call screen, the queues to accept, dispatch and call back,
one order with its moves, extensions, the wallboard) and the units' (``views/staff_unit.py``:
the unit's queue, sign for, return, reply, extension, assisting opinion).

``public_urls`` (namespace ``hotline_public``, at the site root): ``views/public.py`` — the web
form, following an order by number and query code, "my orders".
"""

from onewindow.hotline.views import public, staff_centre, staff_figures, staff_unit

staff_urls = ([*staff_centre.URLS, *staff_unit.URLS, *staff_figures.URLS], "hotline_staff")
public_urls = ([*public.URLS], "hotline_public")
