"""What the audit trail shows for electronic papers (found by ``core.audit_labels``)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

ACTION_LABELS = {
    "papers.person_paper_keep": _("Paper kept in a person's papers (with consent)"),
    "papers.person_paper_withdraw": _("Kept paper withdrawn"),
}
