"""The one vocabulary of an online application's events: every code with its staff label, the
words the applicant reads under "my applications" (or nothing), and the verb refusals use."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from onewindow.workflow.machine import EventType, EventVocabulary

ONLINE_EVENTS = EventVocabulary(
    [
        EventType("start", _("Application started online"), _("Draft started"), _("start")),
        EventType("submit", _("Sent for pre-review"), _("Sent to the centre"), _("send")),
        EventType(
            "request_correction",
            _("补正 asked for after pre-review"),
            _("The centre asks you to correct the application (补正)"),
            _("ask for 补正"),
        ),
        EventType(
            "accept",
            _("Accepted after pre-review (受理)"),
            _("Accepted: a case is open"),
            _("accept"),
        ),
        EventType("refuse", _("Not accepted"), _("Not accepted"), _("refuse")),
        EventType("withdraw", _("Withdrawn"), _("Withdrawn by you"), _("withdraw")),
        EventType("paper_add", _("Paper added"), _("Paper added"), _("add a paper")),
        EventType("paper_remove", _("Paper removed"), _("Paper removed"), _("remove a paper")),
    ],
    other_label=_("Application updated"),
    other_public_label=_("Application updated"),
)
