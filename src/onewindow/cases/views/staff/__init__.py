"""Staff pages of the case flow: intake workstation, department queue, case detail, output
desk, supervision board.

Each view parses the request, calls one selector or service (which decide permission through
``org.permissions`` and audit refusals) and renders. "Not found or not yours" answers 404,
"not allowed" 403; an ``ApplicationError`` the user can fix is shown on the page in Chinese and
English with everything they typed kept.

Modules: ``common`` (rendering, errors shown on a page; ``staff_page`` from the staff shell),
``home`` (the case-number box), ``intake`` (the intake workstation), ``changes`` (changes of a
known applicant's name, phone or address, and a colleague's approval), ``documents`` (receipt and
notice PDFs), ``backoffice`` (department queue, case page, task and paper actions), ``papers``
(electronic papers: upload, keep and reuse with consent, the authorised file and thumbnail),
``output`` (output desk) and ``board`` (supervision board). ``cases.urls`` takes the views from this
package; ``workstations`` registers the workstations with the staff shell.
"""

from onewindow.cases.views.staff.backoffice import (
    case_detail,
    case_papers_arrived,
    case_task_claim,
    case_task_complete,
    case_withdraw_view,
    queue,
    queue_claim,
    queue_export,
)
from onewindow.cases.views.staff.board import supervision, supervision_export
from onewindow.cases.views.staff.changes import (
    intake_change,
    intake_change_approve,
    intake_change_confirm,
    intake_change_send_code,
)
from onewindow.cases.views.staff.documents import case_notice, case_receipt
from onewindow.cases.views.staff.home import staff_home
from onewindow.cases.views.staff.intake import (
    intake_desk_change,
    intake_desk_choose,
    intake_details,
    intake_done,
    intake_home,
    intake_identify,
    intake_item,
    intake_items,
    intake_register,
    intake_reset,
)
from onewindow.cases.views.staff.output import output_deliver, output_desk, output_find
from onewindow.cases.views.staff.papers import (
    case_paper_file,
    case_paper_keep,
    case_paper_remove_view,
    case_paper_reuse_view,
    case_paper_thumbnail,
    case_paper_upload,
)

__all__ = [
    "case_detail",
    "case_notice",
    "case_paper_file",
    "case_paper_keep",
    "case_paper_remove_view",
    "case_paper_reuse_view",
    "case_paper_thumbnail",
    "case_paper_upload",
    "case_papers_arrived",
    "case_receipt",
    "case_task_claim",
    "case_task_complete",
    "case_withdraw_view",
    "intake_change",
    "intake_change_approve",
    "intake_change_confirm",
    "intake_change_send_code",
    "intake_desk_change",
    "intake_desk_choose",
    "intake_details",
    "intake_done",
    "intake_home",
    "intake_identify",
    "intake_item",
    "intake_items",
    "intake_register",
    "intake_reset",
    "output_deliver",
    "output_desk",
    "output_find",
    "queue",
    "queue_claim",
    "queue_export",
    "staff_home",
    "supervision",
    "supervision_export",
]
