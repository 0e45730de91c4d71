"""Addresses of grid management, mounted by ``config/urls.py``.

``staff_urls`` (namespace ``urban_staff``, under ``/staff/urban/``): the grid categories
(``views/staff_categories.py``: list, workbook import and export)."""

from onewindow.urban.views import staff_categories

staff_urls = ([*staff_categories.URLS], "urban_staff")
