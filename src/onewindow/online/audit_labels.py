"""Labels of the online application's audit actions (found by ``core.audit_labels``)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

ACTION_LABELS = {
    "online.start": _("Online application started"),
    "online.save": _("Online application saved"),
    "online.paper_add": _("Paper added to an online application"),
    "online.paper_remove": _("Paper removed from an online application"),
    "online.submit": _("Online application sent"),
    "online.withdraw": _("Online application withdrawn"),
    "online.request_correction": _("Online application: 补正 asked for"),
    "online.accept": _("Online application accepted"),
    "online.refuse": _("Online application not accepted"),
    "online.read": _("Citizen read an online application"),
    "online.review_read": _("Online application opened for pre-review"),
    "online.paper_read": _("Paper of an online application opened for pre-review"),
    "online.own_paper_read": _("Citizen opened a paper of their online application"),
    "online.submit_key_reused": _("Submission key used for another submission"),
}
