"""Addresses of grid management, mounted by ``config/urls.py``.

``staff_urls`` (namespace ``urban_staff``, under ``/staff/urban/``): the figures and the
leaders' page (``views/staff_figures.py``); the flow's pages are added beside them.
"""

from onewindow.urban.views import staff_figures

staff_urls = ([*staff_figures.URLS], "urban_staff")
