"""The one vocabulary of a case's events: every code with its staff label, the plain words the
applicant reads on the progress page (or nothing, for internal steps), and the verb refusals use.

The state machines (``transitions.py``), the staff timeline, the public progress page and the
applicant's messages all read these; no other module names an event.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from onewindow.workflow.machine import EventType, EventVocabulary

# A joint department's opinion is not shown to the applicant as approve/reject: the lead
# department decides, and the applicant learns the decision.
_DEPARTMENT_STEP = _("A department finished its step")

CASE_EVENTS = EventVocabulary(
    [
        EventType(
            "request_supplement",
            _("Papers requested at the window (补正)"),
            _("Papers to be completed: notice given"),
            _("ask for papers"),
        ),
        EventType("accept", _("Accepted"), _("Application accepted"), _("accept")),
        EventType("refuse", _("Not accepted"), _("Application not accepted"), _("refuse")),
        EventType(
            "complete_instant",
            _("Completed at the window"),
            _("Done on the spot"),
            _("finish at the window"),
        ),
        EventType(
            "suspend",
            _("Clock paused"),
            _("Paused for a special procedure; the time limit stops"),
            _("pause the clock"),
        ),
        EventType(
            "resume",
            _("Clock resumed"),
            _("Handling resumed; the time limit runs again"),
            _("resume the clock"),
        ),
        EventType(
            "decide", _("Decided"), _("Decision made; the result is being prepared"), _("decide")
        ),
        EventType("deliver", _("Handed over"), _("Result handed over"), _("hand over")),
        EventType("withdraw", _("Withdrawn"), _("Withdrawn by the applicant"), _("withdraw")),
        EventType("papers_received", _("Papers arrived"), _("Papers received"), _("record papers")),
        # Back-office steps (``CaseTask``), logged with the case.
        EventType("task_open", _("Step opened"), None, _("open the step")),
        EventType("task_claim", _("Task claimed"), None, _("claim")),
        EventType("task_assign", _("Task assigned"), None, _("assign")),
        EventType("task_release", _("Task released"), None, _("release")),
        EventType("task_complete", _("Step completed"), None, _("complete the step")),
        EventType("task_approve", _("Approved"), _DEPARTMENT_STEP, _("approve")),
        EventType("task_reject", _("Rejected"), _DEPARTMENT_STEP, _("reject")),
        EventType("task_supplement", _("Sent back for papers"), None, _("send back for papers")),
        EventType("task_cancel", _("Step cancelled"), None, _("cancel")),
    ],
    other_label=_("Case updated"),
    other_public_label=_("Case updated"),
)
