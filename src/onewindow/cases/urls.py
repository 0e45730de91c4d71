"""Addresses of the case flow's pages, mounted by ``config/urls.py``.

``public_urls`` — the progress page and its short link ``/p/<number>`` at the site root
(namespace ``cases_public``);
``staff_urls`` — the staff pages under ``/staff/cases/`` in the staff shell (``cases_staff``).
"""

from django.urls import path

from onewindow.cases.views import public
from onewindow.cases.views import staff as pages

public_urls = (
    [
        path("progress/", public.progress, name="progress"),
        # The short link of every case SMS: /p/<number> → /progress/?number=<number>.
        path("p/<str:number>", public.short_link, name="short_link"),
    ],
    "cases_public",
)

staff_urls = (
    [
        # The case-number box of the staff bar; anything else goes on to the staff home.
        path("", pages.staff_home, name="home"),
        path("intake/", pages.intake_home, name="intake"),
        path("intake/desk/", pages.intake_desk_change, name="intake_desk"),
        path("intake/desk/choose/", pages.intake_desk_choose, name="intake_desk_choose"),
        path("intake/identify/", pages.intake_identify, name="intake_identify"),
        path("intake/register/", pages.intake_register, name="intake_register"),
        path("intake/details/", pages.intake_details, name="intake_details"),
        path("intake/change/", pages.intake_change, name="intake_change"),
        path(
            "intake/changes/<int:change_id>/confirm/",
            pages.intake_change_confirm,
            name="intake_change_confirm",
        ),
        path(
            "intake/changes/<int:change_id>/send-code/",
            pages.intake_change_send_code,
            name="intake_change_send_code",
        ),
        path(
            "intake/changes/<int:change_id>/approve/",
            pages.intake_change_approve,
            name="intake_change_approve",
        ),
        path("intake/next/", pages.intake_reset, name="intake_reset"),
        path("intake/items/", pages.intake_items, name="intake_items"),
        path("intake/items/<int:item_id>/", pages.intake_item, name="intake_item"),
        path("intake/done/<str:number>/", pages.intake_done, name="intake_done"),
        path("queue/", pages.queue, name="queue"),
        path("queue/export/", pages.queue_export, name="queue_export"),
        path("queue/<int:task_id>/claim/", pages.queue_claim, name="queue_claim"),
        path("output/", pages.output_desk, name="output"),
        path("output/find/", pages.output_find, name="output_find"),
        path("output/<str:number>/deliver/", pages.output_deliver, name="output_deliver"),
        path("supervision/", pages.supervision, name="supervision"),
        path("supervision/export/", pages.supervision_export, name="supervision_export"),
        # A case's own pages, after the workstations (whose names are never case numbers).
        path("<str:number>/", pages.case_detail, name="case_detail"),
        path("<str:number>/receipt.pdf", pages.case_receipt, name="case_receipt"),
        path("<str:number>/notice.pdf", pages.case_notice, name="case_notice"),
        path(
            "<str:number>/tasks/<int:task_id>/claim/",
            pages.case_task_claim,
            name="case_task_claim",
        ),
        path(
            "<str:number>/tasks/<int:task_id>/complete/",
            pages.case_task_complete,
            name="case_task_complete",
        ),
        path(
            "<str:number>/papers-arrived/",
            pages.case_papers_arrived,
            name="case_papers_arrived",
        ),
        path("<str:number>/withdraw/", pages.case_withdraw_view, name="case_withdraw"),
        # Electronic papers: never a public /media/ address; each open is authorised, audited.
        path("<str:number>/papers/", pages.case_paper_upload, name="case_paper_upload"),
        path(
            "<str:number>/papers/<int:paper_id>/",
            pages.case_paper_file,
            name="case_paper_file",
        ),
        path(
            "<str:number>/papers/<int:paper_id>/thumbnail/",
            pages.case_paper_thumbnail,
            name="case_paper_thumbnail",
        ),
        path(
            "<str:number>/papers/<int:paper_id>/keep/",
            pages.case_paper_keep,
            name="case_paper_keep",
        ),
        path(
            "<str:number>/papers/<int:paper_id>/remove/",
            pages.case_paper_remove_view,
            name="case_paper_remove",
        ),
        path("<str:number>/papers/reuse/", pages.case_paper_reuse_view, name="case_paper_reuse"),
    ],
    "cases_staff",
)
