"""The one vocabulary of an enforcement task's events: staff labels and the verbs refusals use
(nothing here is shown to the public)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from onewindow.workflow.machine import EventType, EventVocabulary

TASK_EVENTS = EventVocabulary(
    [
        EventType("open", _("Enforcement task opened (立案交办)"), None, _("open the task")),
        EventType(
            "inspect",
            _("Inspected on site: violation found (现场检查)"),
            None,
            _("record the inspection"),
        ),
        EventType(
            "inspect_clear",
            _("Inspected on site: no violation found"),
            None,
            _("record the inspection"),
        ),
        EventType(
            "notify",
            _("Rectification notice issued (责令整改通知)"),
            None,
            _("issue the rectification notice"),
        ),
        EventType(
            "reinspect_rectified",
            _("Re-inspected: rectified (复查合格)"),
            None,
            _("record the re-inspection"),
        ),
        EventType(
            "reinspect_unrectified",
            _("Re-inspected: not rectified (复查未整改)"),
            None,
            _("record the re-inspection"),
        ),
        EventType(
            "penalise",
            _("Penalty decided (行政处罚决定)"),
            None,
            _("decide the penalty"),
        ),
        EventType("drop", _("Task dropped (撤销)"), None, _("drop the task")),
    ],
    other_label=_("Enforcement task updated"),
    other_public_label=None,
)
