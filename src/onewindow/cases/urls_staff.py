"""Staff pages of the case flow, mounted at ``/staff/cases/`` under the staff shell."""

from django.urls import path

from onewindow.cases import views_staff

app_name = "cases_staff"
urlpatterns = [
    # The case-number box of the staff bar; anything else goes on to the staff home.
    path("", views_staff.staff_home, name="home"),
    path("intake/", views_staff.intake_home, name="intake"),
    path("intake/desk/", views_staff.intake_desk_change, name="intake_desk"),
    path("intake/desk/choose/", views_staff.intake_desk_choose, name="intake_desk_choose"),
    path("intake/identify/", views_staff.intake_identify, name="intake_identify"),
    path("intake/register/", views_staff.intake_register, name="intake_register"),
    path("intake/details/", views_staff.intake_details, name="intake_details"),
    path("intake/next/", views_staff.intake_reset, name="intake_reset"),
    path("intake/items/", views_staff.intake_items, name="intake_items"),
    path("intake/items/<int:item_id>/", views_staff.intake_item, name="intake_item"),
    path("intake/done/<str:number>/", views_staff.intake_done, name="intake_done"),
    path("queue/", views_staff.queue, name="queue"),
    path("queue/<int:task_id>/claim/", views_staff.queue_claim, name="queue_claim"),
    path("output/", views_staff.output_desk, name="output"),
    path("output/<str:number>/deliver/", views_staff.output_deliver, name="output_deliver"),
    path("supervision/", views_staff.supervision, name="supervision"),
    # A case's own pages, after the workstations (whose names are never case numbers).
    path("<str:number>/", views_staff.case_detail, name="case_detail"),
    path("<str:number>/receipt.pdf", views_staff.case_receipt, name="case_receipt"),
    path("<str:number>/notice.pdf", views_staff.case_notice, name="case_notice"),
    path(
        "<str:number>/tasks/<int:task_id>/claim/",
        views_staff.case_task_claim,
        name="case_task_claim",
    ),
    path(
        "<str:number>/tasks/<int:task_id>/complete/",
        views_staff.case_task_complete,
        name="case_task_complete",
    ),
    path(
        "<str:number>/papers-arrived/",
        views_staff.case_papers_arrived,
        name="case_papers_arrived",
    ),
    path(
        "<str:number>/withdraw/",
        views_staff.case_withdraw_view,
        name="case_withdraw",
    ),
]
