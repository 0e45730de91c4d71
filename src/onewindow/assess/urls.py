"""Addresses of the assessment: ``staff_urls`` under ``/staff/assess/`` (namespace
``assess_staff``) and ``public_urls`` at the site root (namespace ``assess``: the honour board)."""

from django.urls import path

from onewindow.assess.views import public, staff

staff_urls = (
    [
        path("", staff.ratings, name="tables"),
        path("efficiency/", staff.efficiency, name="efficiency"),
        path("ranking/", staff.ranking, name="ranking"),
        path("hotline/", staff.hotline, name="hotline"),
        path("grid/", staff.grid, name="grid"),
        path("cases/", staff.cases, name="cases"),
        path("export/<slug:table>/", staff.export, name="export"),
        path("weights/", staff.weights, name="weights"),
        path("honours/confirm/", staff.honour_confirm, name="honour_confirm"),
    ],
    "assess_staff",
)

public_urls = ([path("honour-board/", public.honours, name="honours")], "assess")
