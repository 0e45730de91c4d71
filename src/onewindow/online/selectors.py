"""Reading online applications: the applicant's list and page, the form as it is to be shown
(pre-filled), and the centre's pre-review queue."""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field as dataclass_field
from typing import Any

from django.db.models import QuerySet

from onewindow.applicants.services import citizen_own_values
from onewindow.catalog.codes import MaterialNecessity, is_personal
from onewindow.citizens.models import CitizenAccount
from onewindow.core.audit import audit_record
from onewindow.online import answers as answer_store
from onewindow.online.models import ApplicationPaper, OnlineApplication, OnlineEvent
from onewindow.online.services import application_of, checklist_of
from onewindow.online.transitions import OnlineState
from onewindow.org.permissions import Action, scope_queryset
from onewindow.papers.models import PersonPaper
from onewindow.papers.services import person_papers_current

MY_LIST_LIMIT = 100
QUEUE_LIMIT = 200


def my_applications(*, account: CitizenAccount) -> list[OnlineApplication]:
    """The account's applications, newest first (one query)."""
    return list(
        OnlineApplication.objects.filter(account=account)
        .select_related("item_version", "item", "centre", "case")
        .order_by("-created_at", "-id")[:MY_LIST_LIMIT]
    )


def my_application(
    *, account: CitizenAccount, reference: str
) -> tuple[OnlineApplication, list[OnlineEvent], list[ApplicationPaper]]:
    """One of the account's applications with its steps and papers; audited ``online.read``."""
    application = application_of(account=account, reference=reference)
    events = list(application.events.order_by("at", "id"))
    papers = list(application.papers.select_related("paper").order_by("added_at", "id"))
    audit_record(
        actor=None,
        action="online.read",
        obj=application,
        detail={"account": account.pk},
    )
    return application, events, papers


@dataclass
class FormRow:
    """One field of the form as the page shows it."""

    field: dict[str, Any]
    value: Any = ""
    personal: bool = False
    # For a personal field: the masked value kept (or found in the record), never the clear one.
    masked: str = ""
    source: str = ""  # "saved", "record" or "previous"
    choices: list[dict[str, Any]] = dataclass_field(default_factory=list)


def _previous_answers(application: OnlineApplication, account: CitizenAccount) -> dict[str, Any]:
    """The plain answers of the viewing account's own earlier applications for the same
    company (or, for a private one, its earlier private ones), the newest first per key."""
    values: dict[str, Any] = {}
    earlier = (
        OnlineApplication.objects.filter(account=account, company_id=application.company_id)
        .exclude(pk=application.pk)
        .order_by("-created_at", "-id")
        .values_list("answers", flat=True)[:20]
    )
    for answers in earlier:
        for key, value in (answers or {}).items():
            values.setdefault(key, value)
    return values


def prefill_values(application: OnlineApplication, account: CitizenAccount) -> dict[str, str]:
    """The values the form's ``prefill`` keys name, from the viewing account's own record
    (audited by ``applicants.services.citizen_own_values``). An account that is not the
    application's person (an agent on the company's application another started) gets none:
    one person's record is never shown to, nor saved by, another."""
    fields = answer_store.form_fields(application)
    if not any(f.get("prefill") for f in fields):
        return {}
    person = account.person
    if person is None or person.pk != application.person_id:
        return {}
    organisation = application.company.organisation if application.company else None
    return citizen_own_values(
        person=person,
        organisation=organisation,
        reference={"online_reference": application.reference},
    )


def form_rows(application: OnlineApplication, account: CitizenAccount) -> list[FormRow]:
    """The form, each field with what to show: the saved answer, else the record's value for
    its ``prefill`` key, else the answer to the same key in an earlier application (both the
    viewing account's own). Personal answers are shown masked only."""
    fields = answer_store.form_fields(application)
    saved = application.answers or {}
    masked = application.personal_masked or {}
    record = prefill_values(application, account)
    previous = _previous_answers(application, account)
    rows = []
    for definition in fields:
        key = definition["key"]
        personal = is_personal(definition.get("kind", ""))
        row = FormRow(field=definition, personal=personal, choices=definition.get("choices") or [])
        prefilled = record.get(definition.get("prefill") or "")
        if personal:
            if key in masked:
                row.masked, row.source = masked[key], "saved"
            elif prefilled:
                row.masked = answer_store.mask(definition["kind"], prefilled)
                row.source = "record"
        elif key in saved:
            row.value, row.source = saved[key], "saved"
        elif prefilled:
            row.value, row.source = prefilled, "record"
        elif key in previous:
            row.value, row.source = previous[key], "previous"
        rows.append(row)
    return rows


@dataclass
class MaterialRow:
    material: dict[str, Any]
    papers: list[ApplicationPaper]
    problem: str = ""

    @property
    def necessity_label(self) -> str:
        try:
            return str(MaterialNecessity(str(self.material.get("necessity"))).label)
        except ValueError:
            return ""

    @property
    def required(self) -> bool:
        return bool(self.material.get("necessity") == MaterialNecessity.REQUIRED)


def material_rows(
    application: OnlineApplication, papers: list[ApplicationPaper] | None = None
) -> list[MaterialRow]:
    papers = papers if papers is not None else list(application.papers.select_related("paper"))
    problems = {
        p["name"]: p["reason"] for p in application.problems or [] if p.get("kind") == "material"
    }
    return [
        MaterialRow(
            material=entry,
            papers=[p for p in papers if p.material_name == entry["name"]],
            problem=problems.get(entry["name"], ""),
        )
        for entry in checklist_of(application)
    ]


def reusable_papers(*, account: CitizenAccount) -> list[PersonPaper]:
    if account.person is None:
        return []
    return person_papers_current(person=account.person)


def review_queue(*, user: Any) -> QuerySet[OnlineApplication]:
    """The applications waiting for pre-review at the centres where ``user`` accepts cases,
    oldest first (one query)."""
    waiting = OnlineApplication.objects.filter(state=OnlineState.SUBMITTED)
    scoped = scope_queryset(
        user,
        Action.CASE_ACCEPT,
        waiting,
        centre_path="centre_id",
        region_code_path="centre__region__code",
    )
    return scoped.select_related(
        "item_version", "item", "centre", "person", "company__organisation"
    ).order_by("submitted_at", "id")[:QUEUE_LIMIT]
