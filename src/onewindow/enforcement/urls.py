"""Addresses of comprehensive enforcement, mounted by ``config/urls.py``: ``staff_urls``
(namespace ``enforcement_staff``, under ``/staff/enforcement/``) — ``views/staff.py``."""

from onewindow.enforcement.views import staff

staff_urls = ([*staff.URLS], "enforcement_staff")
