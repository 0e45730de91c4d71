"""Addresses of grid management, mounted by ``config/urls.py``.

``staff_urls`` (namespace ``urban_staff``, under ``/staff/urban/``): the case flow after intake
(``views/staff_flow.py``: the supervision and command centres' queues, a unit's queue, one case
with its moves, the grid worker's tasks), the grid categories (``views/staff_categories.py``:
list, workbook import and export), the grid worker's phone report page and its service worker
(``views/staff_report.py``), the figures and the leaders' page (``views/staff_figures.py``).

``public_urls`` (namespace ``urban_public``, at the site root): a citizen's report and
following it (``views/public_report.py``).
"""

from onewindow.urban.views import (
    public_report,
    staff_categories,
    staff_figures,
    staff_flow,
    staff_report,
)

staff_urls = (
    [*staff_flow.URLS, *staff_categories.URLS, *staff_report.URLS, *staff_figures.URLS],
    "urban_staff",
)
public_urls = ([*public_report.URLS], "urban_public")
