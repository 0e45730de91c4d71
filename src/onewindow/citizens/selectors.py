"""Reads of the citizen channel, each for the signed-in account and audited when it shows
personal data (the account's cases, messages, companies)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from onewindow.cases.progress import ProgressView, progress_of_case
from onewindow.cases.rating_links import rating_link
from onewindow.cases.selectors import case_of_applicant, cases_of_applicant
from onewindow.cases.transitions import CaseState
from onewindow.catalog.names import english_active
from onewindow.citizens.models import (
    AccessToken,
    AgentAction,
    CitizenAccount,
    CompanyAccount,
    represented_by,
)
from onewindow.citizens.services import (
    ACCOUNT_SUBJECT,
    CompanyRole,
    company_act_check,
    live_grants_for,
    refusal_audit,
)
from onewindow.citizens.subjects import registered_message_subjects
from onewindow.core.audit import audit_record
from onewindow.core.errors import NotFoundOrForbidden
from onewindow.notify.selectors import messages_for_subjects
from onewindow.papers.models import PersonPaper
from onewindow.papers.services import person_paper_current, person_papers_current

CASES_READ = "citizens.cases_read"
CASE_READ = "citizens.case_read"
MESSAGES_READ = "citizens.messages_read"
PAPERS_READ = "citizens.papers_read"
PAPER_READ = "citizens.paper_read"
CASE_SUBJECT = "cases.case"
PERSON_SUBJECT = "applicants.person"
MY_CASES_LIMIT = 100


@dataclass(frozen=True)
class CaseRow:
    number: str
    item_name: str
    state: str
    state_label: str
    submitted_at: Any
    due_at: Any
    item_name_en: str = ""
    # The day the missing papers are due (补正), for a case waiting for them; else None.
    supplement_deadline: Any = None
    # Where the case can be rated (``cases.rating_links``: completed, within the period); "".
    rating_url: str = ""

    @property
    def item_local_name(self) -> str:
        """The English name on English pages when the catalogue has one, the Chinese otherwise."""
        english = english_active()
        return self.item_name_en if english and self.item_name_en else self.item_name


def _rows(cases: list[Any], *, company_id: int | None = None) -> list[CaseRow]:
    context = {"company_id": company_id} if company_id is not None else {}
    return [
        CaseRow(
            number=case.number,
            item_name=str(case.item_version.snapshot.get("name", "")),
            item_name_en=str(case.item_version.snapshot.get("name_en") or case.item.name_en or ""),
            state=case.state,
            state_label=str(case.get_state_display()),
            submitted_at=case.submitted_at,
            due_at=case.due_at,
            supplement_deadline=(
                case.supplement_deadline if case.state == CaseState.SUPPLEMENT_REQUESTED else None
            ),
            rating_url=rating_link(case=case, channel="account", **context),
        )
        for case in cases
    ]


def my_cases(*, account: CitizenAccount) -> list[CaseRow]:
    """The cases of the account's bound person, newest first (none before binding). Audited
    ``citizens.cases_read`` (how many)."""
    if account.person is None:
        return []
    cases = cases_of_applicant(person=account.person, limit=MY_CASES_LIMIT)
    audit_record(
        actor=None,
        action=CASES_READ,
        obj=account,
        detail={"person_id_masked": account.person.id_number_masked, "count": len(cases)},
    )
    return _rows(cases)


def my_case_progress(
    *, account: CitizenAccount, number: str, company_id: int | None = None
) -> ProgressView:
    """The progress of one of the account's own cases — or, with ``company_id``, of a case of
    a company the account may see the cases of (``view_cases`` for its item). Anything else,
    missing or somebody else's: ``NotFoundOrForbidden``, audited."""
    case = None
    if company_id is not None:
        role = company_act_check(
            account=account, company_id=company_id, action=AgentAction.VIEW_CASES
        )
        case = case_of_applicant(number=number, organisation=role.company.organisation)
        if case is not None and not role.allows(
            AgentAction.VIEW_CASES, case.item.implementation_code
        ):
            case = None
    elif account.person is not None:
        case = case_of_applicant(number=number, person=account.person)
    if case is None:
        refusal_audit(
            action="denied:citizens.case_read",
            account=account,
            detail={"number": number[:40], "company": company_id},
        )
        raise NotFoundOrForbidden()
    audit_record(
        actor=None,
        action=CASE_READ,
        obj=account,
        detail={"number": case.number, "company": company_id},
    )
    return progress_of_case(case=case)


def company_cases(*, account: CitizenAccount, company_id: int) -> tuple[CompanyRole, list[CaseRow]]:
    """The cases of a company the account may see (``view_cases``; an agent only those of the
    items the grant names). Audited ``citizens.cases_read``."""
    role = company_act_check(account=account, company_id=company_id, action=AgentAction.VIEW_CASES)
    cases = cases_of_applicant(
        organisation=role.company.organisation,
        item_codes=role.item_codes_for(AgentAction.VIEW_CASES),
        limit=MY_CASES_LIMIT,
    )
    audit_record(
        actor=None,
        action=CASES_READ,
        obj=account,
        detail={"company": company_id, "uscc": role.company.organisation.uscc, "count": len(cases)},
    )
    return role, _rows(cases, company_id=company_id)


@dataclass(frozen=True)
class MessageRow:
    at: Any
    text: str
    recipient: str
    status_label: str


def my_messages(*, account: CitizenAccount, limit: int = 50) -> list[MessageRow]:
    """The messages sent about the account, its person and the person's cases (and what the
    apps above register in ``citizens.subjects``: online applications, bookings), newest first;
    the text as screens may show it (secrets such as a query code masked) and the masked
    number. Audited ``citizens.messages_read``."""
    subjects: dict[str, list[str | int]] = {ACCOUNT_SUBJECT: [account.pk]}
    if account.person is not None:
        subjects[PERSON_SUBJECT] = [account.person.pk]
        subjects[CASE_SUBJECT] = [
            case.pk for case in cases_of_applicant(person=account.person, limit=MY_CASES_LIMIT)
        ]
    for subject_type, ids in registered_message_subjects(account).items():
        subjects.setdefault(subject_type, []).extend(ids)
    messages = messages_for_subjects(subjects=subjects, limit=limit)
    audit_record(actor=None, action=MESSAGES_READ, obj=account, detail={"count": len(messages)})
    return [
        MessageRow(
            at=m.created_at,
            text=m.text_shown,
            recipient=m.recipient_masked,
            status_label=str(m.get_status_display()),
        )
        for m in messages
    ]


def my_tokens(*, account: CitizenAccount) -> list[AccessToken]:
    """The account's live sign-ins (browsers and apps), newest first."""
    return list(
        account.tokens.filter(revoked_at__isnull=True, expires_at__gt=timezone.now()).order_by(
            "-created_at", "-id"
        )
    )


@dataclass(frozen=True)
class CompanyEntry:
    company: CompanyAccount
    representative: bool
    actions: list[str]


def my_companies(*, account: CitizenAccount) -> list[CompanyEntry]:
    """The companies the account represents, then those it is an agent of (live grants)."""
    entries = [
        CompanyEntry(company=company, representative=True, actions=list(AgentAction.values))
        for company in CompanyAccount.objects.select_related("organisation")
        .filter(represented_by(account))
        .order_by("organisation__name", "id")
    ]
    seen = {entry.company.pk for entry in entries}
    by_company: dict[int, CompanyEntry] = {}
    for grant in live_grants_for(account):
        if grant.company_id in seen:
            continue
        entry = by_company.get(grant.company_id)
        actions = sorted(set(grant.actions) | set(entry.actions if entry else []))
        by_company[grant.company_id] = CompanyEntry(
            company=grant.company, representative=False, actions=actions
        )
    return entries + list(by_company.values())


def company_for_representative(*, account: CitizenAccount, company_id: int) -> CompanyAccount:
    """A company the account represents, with its grants; else ``NotFoundOrForbidden``
    (audited)."""
    company = (
        CompanyAccount.objects.select_related("organisation")
        .filter(represented_by(account), pk=company_id)
        .first()
    )
    if company is None:
        refusal_audit(
            action="denied:citizens.company_read", account=account, detail={"company": company_id}
        )
        raise NotFoundOrForbidden()
    return company


def my_papers(*, account: CitizenAccount) -> list[PersonPaper]:
    """The papers the account's bound person keeps in "my papers" (kept at a window with the
    person's consent, not withdrawn), with their file rows: one query (none before binding).
    Audited ``citizens.papers_read`` (how many)."""
    if account.person is None:
        return []
    kept = person_papers_current(person=account.person)
    audit_record(
        actor=None,
        action=PAPERS_READ,
        obj=account,
        detail={"person_id_masked": account.person.id_number_masked, "count": len(kept)},
    )
    return kept


def my_paper(*, account: CitizenAccount, kept_id: int | None, purpose: str = "read") -> PersonPaper:
    """One of the account's own kept papers. Missing, withdrawn, another person's, or no bound
    person: ``NotFoundOrForbidden``, audited ``denied:citizens.paper_<purpose>``. The caller
    audits what it does with it (``citizens.paper_read`` when the file is shown)."""
    kept = None
    if account.person is not None and kept_id is not None:
        kept = person_paper_current(person=account.person, kept_id=kept_id)
    if kept is None:
        refusal_audit(
            action=f"denied:citizens.paper_{purpose}", account=account, detail={"kept": kept_id}
        )
        raise NotFoundOrForbidden()
    return kept


def my_paper_read_audit(*, account: CitizenAccount, kept: PersonPaper, thumbnail: bool) -> None:
    audit_record(
        actor=None,
        action=PAPER_READ,
        obj=account,
        detail={"kept": kept.pk, "paper": kept.paper_id, "thumbnail": thumbnail},
    )
