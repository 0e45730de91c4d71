"""The penalty decision (行政处罚决定书) as a PDF, through the platform's one renderer
(``reports.pdf.html_to_pdf``: WeasyPrint, the system's Noto CJK, nothing fetched from outside).
The same document body as the printable page (``_decision_body.html``)."""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string

from onewindow.enforcement.models import EnforcementTask, PenaltyDecision
from onewindow.reports.pdf import html_to_pdf


def decision_context(task: EnforcementTask, penalty: PenaltyDecision) -> dict[str, Any]:
    def one(name: str) -> Any:
        try:
            return getattr(task, name)
        except AttributeError:  # a missing one-to-one row
            return None

    return {
        "task": task,
        "penalty": penalty,
        "party": penalty.party,
        "inspection": one("inspection"),
        "notice": one("notice"),
        "reinspection": one("reinspection"),
    }


def decision_pdf(task: EnforcementTask, penalty: PenaltyDecision) -> bytes:
    """The decision's PDF (the caller has checked who may read it)."""
    html = render_to_string("enforcement/decision_pdf.html", decision_context(task, penalty))
    return html_to_pdf(html)
