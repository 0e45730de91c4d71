"""Addresses of the published 好差评 results (public, namespace ``ratings_published``), mounted
by ``config/urls.py`` under ``/ratings/results/``. Kept apart from ``urls.py`` while another
part of the app writes that one; to be folded into its ``public_urls``."""

from django.urls import path

from onewindow.ratings.views import published

published_urls = (
    [
        path("", published.index, name="index"),
        path("departments/<int:department_id>/", published.department, name="department"),
        path("items/<int:item_id>/", published.item, name="item"),
    ],
    "ratings_published",
)
