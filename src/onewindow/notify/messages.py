"""Message texts per case event, as translatable strings with named placeholders.

msgids are English; the zh-Hans catalogue carries the texts applicants receive, e.g. for
``accept``: 您的%(item)s申请已受理，办件号%(number)s，承诺%(date)s前办结。查询码%(code)s。
Placeholders: item, number, code, date (promised completion), deadline (papers due), centre
(where to collect).
"""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

MESSAGES: dict[str, Promise] = {
    "accept": _(
        "Your application for %(item)s has been accepted. Case number %(number)s; it will be "
        "completed by %(date)s. Query code %(code)s."
    ),
    "request_supplement": _(
        "Your application for %(item)s is not complete yet: please bring the papers listed on "
        "your notice by %(deadline)s. Case number %(number)s, query code %(code)s."
    ),
    "refuse": _(
        "Your application for %(item)s was not accepted; the reasons are on your notice. "
        "Case number %(number)s."
    ),
    "suspend": _(
        "Your case %(number)s (%(item)s) is paused for a special procedure; the time limit "
        "stops until it ends. Query code %(code)s."
    ),
    "suspend_supplement": _(
        "For your case %(number)s (%(item)s) the department needs more papers; the centre will "
        "tell you which. The time limit stops until they arrive. Query code %(code)s."
    ),
    "resume": _(
        "Your case %(number)s (%(item)s) is being handled again; it will be completed by %(date)s."
    ),
    "decide": _(
        "The result of your application for %(item)s is ready: please collect it at "
        "%(centre)s with your ID card. Case number %(number)s."
    ),
    "decide_sent": _(
        "The result of your application for %(item)s is ready and will be sent to you. "
        "Case number %(number)s."
    ),
    "deliver": _(
        "Your case %(number)s (%(item)s) is complete and the result has been handed over. "
        "Thank you; please rate our service."
    ),
    "complete_instant": _(
        "Your application for %(item)s was completed on the spot. Case number %(number)s."
    ),
}
