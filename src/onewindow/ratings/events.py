"""The one vocabulary of a rectification's events (差评整改): staff labels, the words the rater
is told (or nothing), and the verbs refusals use."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from onewindow.workflow.machine import EventType, EventVocabulary

RECTIFICATION_EVENTS = EventVocabulary(
    [
        EventType("open", _("Opened for a bad rating"), None, _("open")),
        EventType(
            "verify",
            _("Called back and verified (回访核实)"),
            _("We called you back about your rating"),
            _("record the call-back"),
        ),
        EventType(
            "fix_now",
            _("Fixed at once (立行立改)"),
            _("The problem you rated has been fixed"),
            _("record a fix at once"),
        ),
        EventType(
            "ledger",
            _("Put on the rectification ledger (限期整改)"),
            _("The problem you rated is being fixed by a deadline"),
            _("put on the ledger"),
        ),
        EventType(
            "submit_fix",
            _("Fix done, evidence recorded"),
            _("The problem you rated has been fixed"),
            _("record the fix"),
        ),
        EventType(
            "explain",
            _("Explained (解释说明)"),
            _("The department has explained the matter you rated"),
            _("record an explanation"),
        ),
        EventType("appeal", _("Appealed by the rated staff (申诉)"), None, _("appeal")),
        EventType(
            "uphold_appeal", _("Appeal upheld: the rating does not count"), None, _("uphold")
        ),
        EventType("reject_appeal", _("Appeal rejected"), None, _("reject the appeal")),
        EventType(
            "recheck",
            _("Called back after the fix, closed"),
            _("We called you back after the fix"),
            _("record the call-back after the fix"),
        ),
        EventType("remind", _("Reminder: deadline passed"), None, _("remind")),
    ],
    other_label=_("Rectification updated"),
    other_public_label=_("Rectification updated"),
)
