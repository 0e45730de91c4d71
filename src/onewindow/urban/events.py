"""The one vocabulary of a grid case's events: staff labels, what a citizen who reported it is
told (or nothing), and the verbs refusals use."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from onewindow.workflow.machine import EventType, EventVocabulary

CASE_EVENTS = EventVocabulary(
    [
        EventType("report", _("Reported by the grid worker (上报)"), None, _("report")),
        EventType(
            "report_public",
            _("Reported by the public, to be verified on site (公众上报)"),
            _("We have received your report"),
            _("report"),
        ),
        EventType(
            "self_handle",
            _("Handled on the spot by the grid worker (自行处置)"),
            None,
            _("handle on the spot"),
        ),
        EventType(
            "verify",
            _("Verified on site by the grid worker (核实)"),
            _("A grid worker has looked at it on site"),
            _("verify"),
        ),
        EventType(
            "file",
            _("Filed by the supervision centre (立案)"),
            _("Your report has been filed as a case"),
            _("file"),
        ),
        EventType(
            "refuse",
            _("Not filed (不予立案)"),
            _("Your report was not filed as a case"),
            _("refuse to file"),
        ),
        EventType(
            "dispatch",
            _("Dispatched to the responsible unit (派遣)"),
            _("The case has been passed to the unit responsible"),
            _("dispatch"),
        ),
        EventType(
            "redispatch",
            _("Dispatched again to another unit (二次派遣)"),
            None,
            _("dispatch again"),
        ),
        EventType(
            "return",
            _("Returned by the unit: not its matter (回退)"),
            None,
            _("return"),
        ),
        EventType(
            "extend",
            _("Extension approved (延期)"),
            None,
            _("extend"),
        ),
        EventType(
            "feedback",
            _("Handled; the unit has fed back (处置反馈)"),
            _("The unit reports the problem handled"),
            _("feed back"),
        ),
        EventType(
            "check",
            _("Checked on site: done (核查通过)"),
            None,
            _("check"),
        ),
        EventType(
            "rework",
            _("Not done: back to the unit (返工)"),
            None,
            _("send back for rework"),
        ),
        EventType(
            "close",
            _("Closed by the supervision centre (结案)"),
            _("The case is closed"),
            _("close"),
        ),
        EventType(
            "park",
            _("Parked long-term, approved (挂账)"),
            None,
            _("park"),
        ),
        EventType(
            "unpark",
            _("Taken off the parked list, handling again"),
            None,
            _("take off the parked list"),
        ),
        EventType("void", _("Voided (作废)"), _("The report was withdrawn"), _("void")),
        # Not moves: written beside them (mover.record_event).
        EventType("stage", _("Stage of the time limit done"), None, _("finish the stage")),
        EventType("request", _("Extension or parking asked for"), None, _("ask")),
        EventType("decline", _("Request refused"), None, _("refuse the request")),
    ],
    other_label=_("Grid case updated"),
    other_public_label=_("Your report was updated"),
)
