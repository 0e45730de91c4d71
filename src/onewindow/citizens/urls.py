"""Addresses of the citizen's pages, mounted at ``/my/`` by ``config/urls.py`` (namespace
``citizens``)."""

from django.urls import path

from onewindow.citizens.views import public

public_urls = (
    [
        path("", public.home, name="home"),
        path("sign-in/", public.sign_in, name="sign_in"),
        path("sign-out/", public.sign_out, name="sign_out"),
        path("real-name/", public.bind, name="bind"),
        path("cases/<str:number>/", public.case_detail, name="case"),
        path("messages/", public.messages_page, name="messages"),
        path("papers/", public.papers, name="papers"),
        path("papers/<str:kept_id>/file/", public.paper_file, {"part": "file"}, name="paper_file"),
        path(
            "papers/<str:kept_id>/thumbnail/",
            public.paper_file,
            {"part": "thumbnail"},
            name="paper_thumbnail",
        ),
        path("devices/", public.devices, name="devices"),
        path("companies/", public.companies, name="companies"),
        path("companies/<int:company_id>/", public.company, name="company"),
    ],
    "citizens",
)
