"""Addresses of ratings: ``staff_urls`` under ``/staff/ratings/`` (namespace
``ratings_staff``): the rectification queue and one rectification with its moves, "my ratings"
with the appeal, the appeals to review."""

from django.urls import path

from onewindow.ratings.views import staff

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
    ],
    "ratings_staff",
)
