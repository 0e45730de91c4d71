"""Addresses of ratings, mounted by ``config/urls.py``.

``public_urls`` (namespace ``ratings_public``, at the site root): the rating link ``/r/<token>``
(short: it goes in an SMS), the thank-you page, the signed-in citizen's rating of a case
(``/my/ratings/<number>/``), the rating pad at a window (``/rate/pad/<secret>/``) and the
published results (``/ratings/results/``: per department and item, by month).

``staff_urls`` (namespace ``ratings_staff``, under ``/staff/ratings/``): the rectification
queue and one rectification with its moves, "my ratings" with the appeal, the appeals to
review, pairing rating pads.
"""

from django.urls import path

from onewindow.ratings.views import public, published, staff, staff_pads

public_urls = (
    [
        path("r/<str:token>", public.rate, name="rate"),
        path("rate/thanks/", public.thanks, name="thanks"),
        path("my/ratings/<str:number>/", public.account_rate, name="account_rate"),
        path("rate/pad/<str:secret>/", public.pad, name="pad"),
        path("rate/pad/<str:secret>/visit/", public.pad_visit, name="pad_visit"),
        path("rate/pad/<str:secret>/thanks/", public.pad_thanks, name="pad_thanks"),
        path("ratings/results/", published.index, name="results"),
        path(
            "ratings/results/departments/<int:department_id>/",
            published.department,
            name="results_department",
        ),
        path("ratings/results/items/<int:item_id>/", published.item, name="results_item"),
    ],
    "ratings_public",
)

staff_urls = (
    [
        path("rectifications/", staff.queue, name="rectifications"),
        path("rectifications/<str:number>/", staff.detail, name="rectification"),
        path(
            "rectifications/<str:number>/reveal-phone/",
            staff.reveal_phone,
            name="rectification_reveal_phone",
        ),
        path(
            "rectifications/<str:number>/do/<str:action>/",
            staff.move,
            name="rectification_move",
        ),
        path("mine/", staff.mine, name="mine"),
        path("mine/<int:rating_id>/appeal/", staff.appeal, name="appeal"),
        path("appeals/", staff.appeals, name="appeals"),
        path("pads/", staff_pads.pads, name="pads"),
        path("pads/<int:pad_id>/revoke/", staff_pads.pad_revoke_view, name="pad_revoke"),
    ],
    "ratings_staff",
)
