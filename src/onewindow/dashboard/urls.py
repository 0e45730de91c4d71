"""Addresses of the manager's dashboard, mounted by ``config/urls.py`` under
``/staff/dashboard/`` (``dashboard_staff``)."""

from django.urls import path

from onewindow.dashboard.views import staff as pages

staff_urls = (
    [
        path("", pages.dashboard, name="dashboard"),
        path("export/<slug:chart>/", pages.export, name="export"),
    ],
    "dashboard_staff",
)
