"""Addresses of ratings, mounted by ``config/urls.py``.

``public_urls`` (namespace ``ratings_public``, at the site root): the rating link ``/r/<token>``
(short: it goes in an SMS), the thank-you page, the signed-in citizen's rating of a case
(``/my/ratings/<number>/``) and the rating pad at a window (``/rate/pad/<secret>/``);
``staff_urls`` (namespace ``ratings_staff``, under ``/staff/ratings/``): pairing pads.
"""

from django.urls import path

from onewindow.ratings.views import public, staff_pads

public_urls = (
    [
        path("r/<str:token>", public.rate, name="rate"),
        path("rate/thanks/", public.thanks, name="thanks"),
        path("my/ratings/<str:number>/", public.account_rate, name="account_rate"),
        path("rate/pad/<str:secret>/", public.pad, name="pad"),
        path("rate/pad/<str:secret>/visit/", public.pad_visit, name="pad_visit"),
        path("rate/pad/<str:secret>/thanks/", public.pad_thanks, name="pad_thanks"),
    ],
    "ratings_public",
)

staff_urls = (
    [
        path("pads/", staff_pads.pads, name="pads"),
        path("pads/<int:pad_id>/revoke/", staff_pads.pad_revoke_view, name="pad_revoke"),
    ],
    "ratings_staff",
)
