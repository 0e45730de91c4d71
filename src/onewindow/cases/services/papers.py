"""A case's electronic papers (电子材料): scanned in at the window, reused from the applicant's
"my papers" with consent, and opened by everyone who works on the case.

- ``case_paper_add`` — the window's clerk (``case.paper_add``: the accepting or output
  centre) uploads a scan for one checklist entry. Permission first (an outsider gets "not
  found", audited), then the case's state, then the file (``papers.services.paper_stored``:
  content-sniffed PDF/JPEG/PNG, size, pages, pixels; images re-encoded without EXIF). A refused
  file leaves nothing written. Audited ``cases.paper_add``.
- ``case_paper_reuse`` — a paper the applicant kept earlier (``papers.PersonPaper``) linked to
  this case when they agree (``consent=True``, time recorded on the link); audited
  ``cases.paper_reuse`` with the consent.
- ``case_paper_keep_for_applicant`` — the window keeps a paper of the case in the
  applicant's "my papers" when they agree (``papers.person_paper_keep``);
  ``case_applicant_kept_papers`` lists the applicant's kept papers for the window.
- ``case_paper_remove`` — the window sets a wrong scan aside (the wrong file, the wrong
  checklist entry) while the case is open, with a reason: no longer listed or served, kept in
  the record with who, when and why, audited ``cases.paper_remove``; a copy the window kept in
  the applicant's "my papers" from it is withdrawn too. A paper the applicant uploaded online
  is theirs to correct (补正), not the window's to remove.
- ``case_paper_attach`` — a paper already stored (an online application's upload, checked when
  it was uploaded) becomes a paper of the case it turned into, for the checklist entry of
  that name, so that the centre and every department of the review open it; audited
  ``cases.paper_attach``.
- ``case_paper_open`` — the bytes of one paper (or of its thumbnail) for
  ``case.paper_view``: the accepting centre and every department with a step on the case (each
  department of a joint review). A missing paper and another's are the same "not found", and
  both refusals are audited; every read is audited ``cases.paper_read`` (who, case, paper,
  file or thumbnail, the file's SHA-256).
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onewindow.cases.models import Case, CaseMaterial, CasePaper, CasePaperVia
from onewindow.cases.transitions import CaseState
from onewindow.core.audit import audit_record
from onewindow.core.errors import (
    ApplicationError,
    FieldError,
    NotFoundOrForbidden,
    ValidationFailed,
)
from onewindow.core.validation import CONTROL_MESSAGE, has_control_characters
from onewindow.org.permissions import Action, TargetScope, can, require
from onewindow.papers.models import PaperSource, PersonPaper
from onewindow.papers.services import (
    CONSENT_NEEDED,
    paper_bytes,
    paper_stored,
    person_paper_keep,
    person_paper_withdraw,
)

PAPER_ADD = "cases.paper_add"
PAPER_REUSE = "cases.paper_reuse"
PAPER_READ = "cases.paper_read"
PAPER_REMOVE = "cases.paper_remove"
REMOVAL_REASON_MAX = 200
PAPER_READ_DENIED = f"denied:{Action.CASE_PAPER_VIEW}"

# Papers are added while the case is open at the centre or in the back office.
PAPER_STATES = frozenset({CaseState.SUPPLEMENT_REQUESTED, CaseState.ACCEPTED, CaseState.SUSPENDED})
PAPERS_CLOSED = _(
    "This case is %(state)s: papers can no longer be added to it. Reload the page to see it "
    "as it is."
)


def _check_open(case: Case) -> None:
    if case.state not in PAPER_STATES:
        raise ApplicationError(
            PAPERS_CLOSED,
            code="papers_closed",
            status=409,
            params={"state": case.get_state_display()},
        )


def _material_of(case: Case, material_id: int | None) -> CaseMaterial | None:
    if material_id is None:
        return None
    material = case.materials.filter(pk=material_id).first()
    if material is None:
        raise NotFoundOrForbidden()
    return material


def _detail(link: CasePaper, **extra: Any) -> dict[str, Any]:
    paper = link.paper
    return {
        "case_number": link.case.number,
        "paper": paper.pk,
        "material": link.material.name if link.material else "",
        "content_type": paper.content_type,
        "sha256": paper.sha256,
        **extra,
    }


def case_paper_add(
    *, case: Case, upload: Any, name: str, actor: Any, material_id: int | None = None
) -> CasePaper:
    """Keep ``upload`` as an electronic paper of ``case`` (for checklist entry
    ``material_id``, or none). Raises ``NotFoundOrForbidden`` (audited) for someone outside
    the case's centres, 409 ``papers_closed`` on a closed case, 422 ``paper_refused`` for a
    file that is not a PDF/JPEG/PNG, not what its name says, too large, too long or damaged —
    in each case with nothing written."""
    require(actor, Action.CASE_PAPER_ADD, case, hide=True)
    material = _material_of(case, material_id)
    _check_open(case)
    with paper_stored(upload=upload, name=name, source=PaperSource.WINDOW, actor=actor) as paper:
        link = CasePaper.objects.create(
            case=case, material=material, paper=paper, via=CasePaperVia.WINDOW, added_by=actor
        )
        audit_record(
            actor=actor,
            action=PAPER_ADD,
            obj=link,
            object_repr=case.number,
            detail=_detail(link, size=paper.size, pages=paper.pages),
        )
    return link


def case_paper_reuse(
    *, case: Case, kept: PersonPaper, consent: bool, actor: Any, material_id: int | None = None
) -> CasePaper:
    """Link a paper the applicant keeps in "my papers" to ``case``, with their consent."""
    require(actor, Action.CASE_PAPER_ADD, case, hide=True)
    if kept.person_id is None or kept.person_id != case.person_id or kept.withdrawn_at:
        raise NotFoundOrForbidden()
    material = _material_of(case, material_id)
    _check_open(case)
    if not consent:
        raise ApplicationError(CONSENT_NEEDED, code="consent_needed", status=422)
    with transaction.atomic():
        link = CasePaper.objects.create(
            case=case,
            material=material,
            paper=kept.paper,
            via=CasePaperVia.REUSED,
            kept_paper=kept,
            consent_at=timezone.now(),
            added_by=actor,
        )
        audit_record(
            actor=actor,
            action=PAPER_REUSE,
            obj=link,
            object_repr=case.number,
            detail=_detail(link, kept_paper=kept.pk, consent=True),
        )
    return link


REMOVAL_REFUSED = _("The paper was not set aside.")
REASON_NEEDED = _("Say why the paper is set aside (for example: the wrong file was scanned).")
REASON_TOO_LONG = _("Keep the reason under %(max)s characters.")
APPLICANTS_OWN = _(
    "The applicant uploaded this paper online: ask them to correct it (补正) instead of "
    "removing it."
)


def _refusal(actor: Any, action: str, *, paper_id: int, number: str) -> None:
    """The audit row of a refused look-up of a case's paper (missing, another case's, set
    aside), written outside the transaction that found nothing."""
    audit_record(
        actor=actor,
        action=f"denied:{action}",
        object_type="cases.casepaper",
        object_id=str(paper_id),
        object_repr=number[:255],
        allowed=False,
    )


def _removal_reason(reason: Any) -> str:
    text = reason.strip() if isinstance(reason, str) else ""
    problem = None
    if has_control_characters(text):
        problem = FieldError(field="reason", code="control_characters", message=CONTROL_MESSAGE)
    elif not text:
        problem = FieldError(field="reason", code="required", message=REASON_NEEDED)
    elif len(text) > REMOVAL_REASON_MAX:
        problem = FieldError(
            field="reason",
            code="too_long",
            message=REASON_TOO_LONG,
            params={"max": REMOVAL_REASON_MAX},
        )
    if problem is not None:
        raise ValidationFailed(REMOVAL_REFUSED, [problem])
    return text


def case_paper_remove(*, case: Case, paper_id: int, reason: Any, actor: Any) -> CasePaper:
    """Set the wrong scan ``paper_id`` of ``case`` aside. Permission first (an outsider gets
    "not found", audited), then the paper (a missing one, one of another case and one set aside
    already are the same "not found"), the case's state (409 ``papers_closed``), who gave it
    (409 ``paper_from_applicant``), the reason (422) — each with nothing changed."""
    require(actor, Action.CASE_PAPER_ADD, case, hide=True)
    with transaction.atomic():
        link = (
            CasePaper.objects.select_for_update(of=("self",))
            .select_related("paper", "material", "case")
            .filter(pk=paper_id, case=case, removed_at__isnull=True)
            .first()
        )
        if link is not None:
            return _case_paper_set_aside(link, case=case, reason=reason, actor=actor)
    _refusal(actor, PAPER_REMOVE, paper_id=paper_id, number=case.number)
    raise NotFoundOrForbidden()


def _case_paper_set_aside(link: CasePaper, *, case: Case, reason: Any, actor: Any) -> CasePaper:
    """``case_paper_remove`` on the locked ``link``, inside its transaction."""
    _check_open(link.case)
    if link.via == CasePaperVia.ONLINE:
        raise ApplicationError(APPLICANTS_OWN, code="paper_from_applicant", status=409)
    text = _removal_reason(reason)
    link.removed_at = timezone.now()
    link.removed_by = actor
    link.removal_reason = text
    link.save(update_fields=["removed_at", "removed_by", "removal_reason"])
    withdrawn = []
    if link.via == CasePaperVia.WINDOW and case.person_id is not None:
        for kept in PersonPaper.objects.filter(
            person_id=case.person_id, paper=link.paper, withdrawn_at__isnull=True
        ):
            person_paper_withdraw(kept=kept, actor=actor)
            withdrawn.append(kept.pk)
    audit_record(
        actor=actor,
        action=PAPER_REMOVE,
        obj=link,
        object_repr=case.number,
        detail=_detail(link, reason=text, via=link.via, kept_papers_withdrawn=withdrawn),
    )
    return link


PAPER_ATTACH = "cases.paper_attach"


def case_paper_attach(
    *,
    case: Case,
    paper: Any,
    material_name: str,
    actor: Any,
    via: str = CasePaperVia.ONLINE,
    kept: PersonPaper | None = None,
    consent_at: Any = None,
) -> CasePaper:
    """Link the stored ``paper`` to ``case`` for its checklist entry ``material_name`` (none
    if the checklist has no such entry). Runs in the caller's transaction."""
    require(actor, Action.CASE_PAPER_ADD, case, hide=True)
    _check_open(case)
    material = case.materials.filter(name=material_name).first()
    link = CasePaper.objects.create(
        case=case,
        material=material,
        paper=paper,
        via=via,
        kept_paper=kept,
        consent_at=consent_at,
        added_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    audit_record(
        actor=actor,
        action=PAPER_ATTACH,
        obj=link,
        object_repr=case.number,
        detail=_detail(link, via=via),
    )
    return link


def case_paper_keep_for_applicant(*, link: CasePaper, consent: bool, actor: Any) -> PersonPaper:
    """At the window: keep a paper of this case in the applicant's "my papers" for later
    applications (an ID card copy, a household register), when they agree."""
    require(actor, Action.CASE_PAPER_ADD, link.case, hide=True)
    person = link.case.person
    if person is None:
        raise NotFoundOrForbidden()
    label = link.material.name if link.material else link.paper.original_name
    return person_paper_keep(
        person=person, paper=link.paper, label=label, consent=consent, actor=actor
    )


def case_applicant_kept_papers(
    *, case: Case, user: Any, scope: TargetScope | None = None
) -> list[PersonPaper]:
    """The applicant's kept papers ("my papers", not withdrawn), if ``user`` is the window that
    may add papers to ``case`` (else none): one query. The page offers those not yet on the
    case for reuse, and offers to keep those of the case not yet kept."""
    if case.person_id is None or not can(user, Action.CASE_PAPER_ADD, scope or case):
        return []
    return list(
        PersonPaper.objects.filter(person_id=case.person_id, withdrawn_at__isnull=True)
        .select_related("paper")
        .order_by("label", "-kept_at")
    )


def case_papers_for_user(
    *, case: Case, user: Any, scope: TargetScope | None = None
) -> list[CasePaper]:
    """The papers of ``case`` in checklist order, if ``user`` may open them (else none): one
    query (and one for the case's scope unless ``scope``, ``case.permission_scope()``, is
    given)."""
    if not can(user, Action.CASE_PAPER_VIEW, scope or case):
        return []
    return list(
        CasePaper.objects.filter(case=case, removed_at__isnull=True)
        .select_related("paper", "material")
        .order_by("material__order", "added_at", "id")
    )


def case_paper_open(
    *, number: str, paper_id: int, user: Any, thumbnail: bool = False
) -> tuple[CasePaper, bytes]:
    """The paper ``paper_id`` of case ``number`` and its clear bytes (or its thumbnail's), for
    a user with ``case.paper_view`` on the case; "not found" otherwise, the same for a missing
    paper and another's, each refusal audited; every read audited."""
    link = (
        CasePaper.objects.select_related("case__centre__region", "paper", "material")
        .filter(pk=paper_id, case__number=number, removed_at__isnull=True)
        .first()
    )
    if link is None:
        audit_record(
            actor=user,
            action=PAPER_READ_DENIED,
            object_type="cases.casepaper",
            object_id=str(paper_id),
            object_repr=number[:255],
            allowed=False,
        )
        raise NotFoundOrForbidden()
    require(user, Action.CASE_PAPER_VIEW, link.case, hide=True)
    data = paper_bytes(paper=link.paper, thumbnail=thumbnail)
    audit_record(
        actor=user,
        action=PAPER_READ,
        obj=link,
        object_repr=link.case.number,
        detail=_detail(link, purpose="thumbnail" if thumbnail else "file"),
    )
    return link, data
