"""Addresses of the online application: the citizen's pages (``public_urls``, namespace
``online``, mounted at ``/my/online/``) and the centre's pre-review (``staff_urls``, namespace
``online_staff``, under ``/staff/online/``)."""

from django.urls import path

from onewindow.online.views import public, staff

public_urls = (
    [
        path("", public.mine, name="mine"),
        path("start/<int:item_id>/", public.start, name="start"),
        path("<str:reference>/", public.detail, name="detail"),
        path("<str:reference>/form/", public.form, name="form"),
        path("<str:reference>/papers/", public.papers, name="papers"),
        path("<str:reference>/papers/<int:paper_id>/", public.paper_file, name="paper_file"),
        path("<str:reference>/review/", public.review, name="review"),
        path("<str:reference>/withdraw/", public.withdraw, name="withdraw"),
    ],
    "online",
)

staff_urls = (
    [
        path("", staff.queue, name="queue"),
        path("<str:reference>/", staff.detail, name="detail"),
        path("<str:reference>/decide/", staff.decide, name="decide"),
        path("<str:reference>/reveal/", staff.reveal, name="reveal"),
        path("<str:reference>/papers/<int:paper_id>/", staff.paper_file, name="paper_file"),
    ],
    "online_staff",
)
