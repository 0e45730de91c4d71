"""The moves of an online application, one function each (keyword-only; permission first, one
transaction, an event and an audit row).

The applicant's side (``account`` is the signed-in ``CitizenAccount``): ``application_start``,
``application_save`` (answers — partial while a draft —, the output method, a postal address),
``paper_upload`` / ``paper_reuse`` / ``paper_remove``, ``application_submit`` (idempotent under
its key), ``application_withdraw``. An application that is not the account's (nor its
company's, for an agent within scope) is the one 404, audited ``denied:online.*``.

The centre's side (``user``: a staff user with ``case.accept`` at the pre-reviewing centre):
``review_accept`` (受理: the case is made by ``cases.services.case_accept`` — same numbering,
clock and receipt as at a window — with every paper attached to it), ``review_request_
correction`` (补正: every problem at once, per material and per field), ``review_refuse``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onewindow.cases.models import ApplicantType, MaterialStatus, OutputMethod, ReceiveForm
from onewindow.cases.services import Intake, MaterialReceipt, case_accept
from onewindow.cases.services.papers import case_paper_attach
from onewindow.catalog.codes import ItemStatus, MaterialNecessity
from onewindow.catalog.models import ServiceItem
from onewindow.catalog.selectors import item_accepted_at
from onewindow.citizens.models import AgentAction, CitizenAccount
from onewindow.citizens.services import company_act_check
from onewindow.core import crypto
from onewindow.core.audit import audit_record
from onewindow.core.errors import (
    ApplicationError,
    ErrorList,
    NotFoundOrForbidden,
    ValidationFailed,
)
from onewindow.core.validation import has_control_characters
from onewindow.online import answers as answer_store
from onewindow.online.errors import SubmissionKeyReused
from onewindow.online.models import (
    POSTAL_CONTEXT,
    ApplicationPaper,
    OnlineApplication,
    OnlineSequence,
    Submission,
)
from onewindow.online.transitions import EDITABLE_STATES, NEW, ONLINE_MACHINE
from onewindow.org.models import ServiceCentre
from onewindow.org.permissions import require
from onewindow.papers.models import Paper, PaperSource, PersonPaper
from onewindow.papers.services import (
    CONSENT_NEEDED,
    paper_erase,
    paper_stored,
    person_paper_current,
)
from onewindow.workflow import mover

M = ONLINE_MACHINE
KEY_MAX_LENGTH = 64
REASON_MAX_LENGTH = 1000
ADDRESS_MAX_LENGTH = 255
PROBLEMS_MAX = 50
PAPERS_PER_MATERIAL = 10

NOT_EDITABLE = _(
    "This application is %(state)s: it can be changed only as a draft or while it is to be "
    "corrected. Reload the page."
)
BIND_FIRST = _("Verify your real name first (实名认证): an application is made in your name.")
NOT_ONLINE = _("This item cannot be applied for online; apply at a service centre's window.")


# --- helpers -----------------------------------------------------------------------------------


def _denied(account: CitizenAccount | None, action: str, detail: dict[str, Any]) -> None:
    audit_record(
        actor=None,
        action=f"denied:online.{action}",
        obj=account,
        object_type="citizens.citizenaccount",
        allowed=False,
        detail=detail,
    )


def application_of(
    *, account: CitizenAccount, reference: str, action: str = "read"
) -> OnlineApplication:
    """The account's application ``reference`` (its own, or its company's where the account is
    the representative or an agent allowed to apply for the item); otherwise the one 404,
    audited ``denied:online.<action>``."""
    application = (
        OnlineApplication.objects.select_related(
            "item", "item_version", "centre__region", "company__organisation", "person", "case"
        )
        .filter(reference=str(reference)[:32])
        .first()
    )
    company_id = application.company_id if application is not None else None
    if application is not None and company_id is None and application.account_id == account.pk:
        return application
    if application is not None and company_id is not None:
        # A company's application: the account that started it too must still act for the
        # company (a grant that ended, a former representative: the one 404).
        try:
            company_act_check(
                account=account,
                company_id=company_id,
                action=AgentAction.APPLY,
                item_code=application.item.implementation_code,
            )
            return application
        except ApplicationError:
            pass
    _denied(account, action, {"reference": str(reference)[:32]})
    raise NotFoundOrForbidden()


def _editable(application: OnlineApplication) -> None:
    if application.state not in EDITABLE_STATES:
        raise ApplicationError(
            NOT_EDITABLE,
            code="not_editable",
            status=409,
            params={"state": application.get_state_display()},
        )


def _locked(application: OnlineApplication, expected_revision: int | None) -> OnlineApplication:
    fresh = mover.lock(M, application, related=("item", "item_version", "centre__region"))
    mover.check_revision(M, fresh, expected_revision)
    return fresh


def _reference_next(today: dt.date) -> str:
    """``W`` + the day + a 5-digit daily sequence, taken in one statement (as case numbers)."""
    prefix = f"W{today:%Y%m%d}"
    table = connection.ops.quote_name(OnlineSequence._meta.db_table)
    last = connection.ops.quote_name("last")
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (prefix, {last}) VALUES (%s, 1) "
            f"ON CONFLICT (prefix) DO UPDATE SET {last} = {table}.{last} + 1 RETURNING {last}",
            [prefix],
        )
        (seq,) = cursor.fetchone()
    return f"{prefix}{seq:05d}"


def _event(account: CitizenAccount) -> dict[str, Any]:
    return {"account": account}


def checklist_of(application: OnlineApplication) -> list[dict[str, Any]]:
    materials: list[dict[str, Any]] = application.item_version.snapshot.get("materials", [])
    return materials


def is_full_online(application: OnlineApplication) -> bool:
    from onewindow.catalog.codes import FULL_ONLINE_DEPTH

    depth = application.item_version.snapshot.get("online_depth") or []
    return set(depth) >= FULL_ONLINE_DEPTH


def centres_for_item(item: ServiceItem) -> list[ServiceCentre]:
    """The active centres that accept ``item`` (通办范围), the nearest level first."""
    centres = ServiceCentre.objects.filter(is_active=True).select_related("region")
    return [c for c in centres.order_by("-level", "code") if item_accepted_at(item=item, centre=c)]


# --- the applicant ---------------------------------------------------------------------------


def application_start(
    *,
    account: CitizenAccount,
    item_id: int,
    centre_id: int | None = None,
    company_id: int | None = None,
    now: dt.datetime | None = None,
) -> OnlineApplication:
    """A draft for the item's current version, in the account's bound name (or its company's,
    checked by ``company_act_check``), pre-reviewed by ``centre_id`` (a centre that accepts
    the item; default the first that does)."""
    person = account.person
    if person is None:
        raise ApplicationError(BIND_FIRST, code="real_name_required", status=409)
    item = (
        ServiceItem.objects.select_related("department")
        .filter(pk=item_id, status=ItemStatus.PUBLISHED)
        .first()
    )
    if item is None:
        _denied(account, "start", {"item": item_id})
        raise NotFoundOrForbidden()
    company = None
    if company_id is not None:
        company = company_act_check(
            account=account,
            company_id=company_id,
            action=AgentAction.APPLY,
            item_code=item.implementation_code,
        ).company
    if not item.is_online:
        raise ApplicationError(NOT_ONLINE, code="not_online", status=422)
    centres = centres_for_item(item)
    centre = next((c for c in centres if c.pk == centre_id), None) if centre_id else None
    if centre_id and centre is None:
        errors = ErrorList()
        errors.add("centre", "not_handled_here", _("Choose a centre that handles this item."))
        errors.raise_if_any(_("The application cannot be started as it is."))
    centre = centre or (centres[0] if centres else None)
    if centre is None:
        raise ApplicationError(
            _("No service centre handles this item yet."), code="no_centre", status=422
        )
    version = item.versions.order_by("-number").first()
    if version is None:
        raise ApplicationError(_("The item has no published version."), code="no_version")
    when = now or timezone.now()
    with transaction.atomic():
        application = OnlineApplication(
            account=account,
            applicant_type=ApplicantType.LEGAL_PERSON if company else ApplicantType.NATURAL_PERSON,
            person=person,
            company=company,
            item=item,
            item_version=version,
            centre=centre,
            state=NEW,
            created_at=when,
        )
        application.reference = _reference_next(timezone.localtime(when).date())
        mover.move(
            M,
            application,
            "start",
            actor=None,
            now=when,
            event_fields=_event(account),
            audit_detail={"account": account.pk, "item": item.pk, "version": version.number},
        )
    return application


def _postal_checked(errors: ErrorList, address: str | None) -> str:
    text = (address or "").strip()
    if has_control_characters(text):
        errors.add(
            "postal_address",
            "control_characters",
            _("This must not contain control characters (such as a NUL byte); retype it."),
        )
        return ""
    if len(text) > ADDRESS_MAX_LENGTH:
        errors.add(
            "postal_address",
            "too_long",
            _("At most %(max_length)s characters are allowed."),
            max_length=ADDRESS_MAX_LENGTH,
        )
        return ""
    return text


def application_save(
    *,
    account: CitizenAccount,
    reference: str,
    answers: dict[str, Any] | None = None,
    output_method: str | None = None,
    postal_address: str | None = None,
    expected_revision: int | None = None,
) -> OnlineApplication:
    """Save the draft: the answers given (merged over those saved; partial answers allowed),
    how to get the result, the postal address (kept only encrypted). Every problem is listed at
    once (422) and nothing is saved then."""
    application = application_of(account=account, reference=reference, action="save")
    _editable(application)
    with transaction.atomic():
        # The answers saved are read and merged under the row lock: two saves in a row each
        # keep what the other wrote.
        application = _locked(application, expected_revision)
        _editable(application)
        errors = ErrorList()
        if output_method is not None and output_method not in OutputMethod.values:
            errors.add(
                "output_method", "invalid_choice", _("Choose how you want to receive the result.")
            )
        address = _postal_checked(errors, postal_address)
        cleaned = None
        if answers is not None:
            if not isinstance(answers, dict):
                errors.add("answers", "invalid", _("The answers must be a set of named fields."))
            else:
                try:
                    merged = {**answer_store.all_answers(application), **answers}
                    cleaned = answer_store.answers_cleaned(application, merged, partial=True)
                except ApplicationError as refusal:
                    errors.extend(refusal.errors)
        errors.raise_if_any(_("The application cannot be saved as it is."))
        if cleaned is not None:
            application.answers = cleaned.plain
            answer_store.personal_store(application, cleaned.personal)
        if output_method is not None:
            application.output_method = output_method
        if postal_address is not None:
            application.postal_address_encrypted = (
                crypto.encrypt(address, context=POSTAL_CONTEXT) if address else ""
            )
            application.postal_address_masked = (
                answer_store.mask("address", address) if address else ""
            )
        mover.bump(M, application)
        audit_record(
            actor=None,
            action="online.save",
            obj=application,
            detail={
                "account": account.pk,
                "keys": sorted(answers or {}),
                "output_method": application.output_method,
            },
        )
    return application


def _material(application: OnlineApplication, name: str) -> dict[str, Any]:
    for entry in checklist_of(application):
        if entry["name"] == name:
            return entry
    errors = ErrorList()
    errors.add(
        "material",
        "unknown_material",
        _("Not on this item's checklist: %(names)s."),
        names=str(name)[:100],
    )
    raise ValidationFailed(_("The paper cannot be added as it is."), list(errors))


def _papers_full(application: OnlineApplication, name: str) -> None:
    if application.papers.filter(material_name=name).count() >= PAPERS_PER_MATERIAL:
        raise ApplicationError(
            _("At most %(count)s files per paper of the checklist."),
            code="too_many_papers",
            status=422,
            params={"count": PAPERS_PER_MATERIAL},
        )


def paper_upload(
    *,
    account: CitizenAccount,
    reference: str,
    material_name: str,
    upload: Any,
    expected_revision: int | None = None,
) -> ApplicationPaper:
    """Keep ``upload`` for the checklist material ``material_name``: content-sniffed PDF / JPEG
    / PNG within the size and page limits (``papers.services.paper_stored``); a refused file
    leaves nothing written."""
    application = application_of(account=account, reference=reference, action="paper_add")
    _editable(application)
    entry = _material(application, material_name)
    _papers_full(application, entry["name"])
    name = getattr(upload, "name", "") or ""
    with paper_stored(upload=upload, name=name, source=PaperSource.ONLINE, actor=None) as paper:
        application = _locked(application, expected_revision)
        _editable(application)
        link = ApplicationPaper.objects.create(
            application=application, material_name=entry["name"], paper=paper
        )
        mover.bump(M, application)
        mover.record(
            M,
            application,
            "paper_add",
            actor=None,
            data={"material": entry["name"], "paper": paper.pk, "sha256": paper.sha256},
            event_fields=_event(account),
            audit=True,
        )
    return link


def paper_reuse(
    *,
    account: CitizenAccount,
    reference: str,
    material_name: str,
    kept_id: int | None,
    consent: bool,
    expected_revision: int | None = None,
) -> ApplicationPaper:
    """Use a paper of the applicant's "my papers" for ``material_name``, with their consent."""
    application = application_of(account=account, reference=reference, action="paper_reuse")
    kept: PersonPaper | None = None
    if kept_id is not None and account.person is not None:
        kept = person_paper_current(person=account.person, kept_id=kept_id)
    if kept is None:
        _denied(account, "paper_reuse", {"kept": kept_id, "reference": application.reference})
        raise NotFoundOrForbidden()
    _editable(application)
    entry = _material(application, material_name)
    if not consent:
        raise ApplicationError(CONSENT_NEEDED, code="consent_needed", status=422)
    _papers_full(application, entry["name"])
    with transaction.atomic():
        application = _locked(application, expected_revision)
        _editable(application)
        link = ApplicationPaper.objects.create(
            application=application,
            material_name=entry["name"],
            paper=kept.paper,
            kept_paper=kept,
            consent_at=timezone.now(),
        )
        mover.bump(M, application)
        mover.record(
            M,
            application,
            "paper_add",
            actor=None,
            data={"material": entry["name"], "paper": kept.paper_id, "kept": kept.pk},
            event_fields=_event(account),
            audit=True,
        )
    return link


def paper_remove(
    *,
    account: CitizenAccount,
    reference: str,
    paper_id: int | None,
    expected_revision: int | None = None,
) -> None:
    """Take a wrong paper off the application (while a draft or to be corrected)."""
    application = application_of(account=account, reference=reference, action="paper_remove")
    link = application.papers.filter(pk=paper_id).first() if paper_id is not None else None
    if link is None:
        _denied(account, "paper_remove", {"paper": paper_id, "reference": application.reference})
        raise NotFoundOrForbidden()
    _editable(application)
    with transaction.atomic():
        application = _locked(application, expected_revision)
        _editable(application)
        link.delete()
        erased = _paper_orphan_erase(link.paper_id)
        mover.bump(M, application)
        mover.record(
            M,
            application,
            "paper_remove",
            actor=None,
            data={"material": link.material_name, "paper": link.paper_id, "erased": erased},
            event_fields=_event(account),
            audit=True,
        )


def _paper_orphan_erase(paper_id: int) -> bool:
    """Erase the paper (row and files, after commit) when nothing else refers to it: no other
    application's link, no case's paper, no "my papers" entry."""
    paper = Paper.objects.select_for_update().filter(pk=paper_id).first()
    if (
        paper is None
        or ApplicationPaper.objects.filter(paper_id=paper_id).exists()
        or paper.cases.exists()
        or paper.kept_by.exists()
    ):
        return False
    paper_erase(paper=paper)
    return True


def _fingerprint(application: OnlineApplication) -> str:
    papers = sorted(application.papers.values_list("material_name", "paper_id"))
    payload = {
        "reference": application.reference,
        "answers": application.answers,
        "personal": hashlib.sha256(application.personal_encrypted.encode()).hexdigest()
        if application.personal_encrypted
        else "",
        "personal_masked": application.personal_masked,
        "output_method": application.output_method,
        "postal": application.postal_address_masked,
        "papers": papers,
    }
    canonical = json.dumps(payload, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _submission_check(application: OnlineApplication) -> None:
    """Every answer the form requires, every required paper, the postal address for post."""
    errors = ErrorList()
    try:
        answer_store.answers_cleaned(
            application, answer_store.all_answers(application), partial=False
        )
    except ApplicationError as refusal:
        errors.extend(refusal.errors)
    have = set(application.papers.values_list("material_name", flat=True))
    for entry in checklist_of(application):
        # Online there is no signed promise for 容缺: a paper that may come later at a window
        # is sent with the application too.
        if entry["necessity"] != MaterialNecessity.OPTIONAL and entry["name"] not in have:
            errors.add(
                f"papers.{entry['name']}",
                "paper_missing",
                _("Add %(name)s: it is required."),
                name=entry["name"],
            )
    if application.output_method == OutputMethod.POST and not application.postal_address_masked:
        errors.add(
            "postal_address",
            "required",
            _("Give the postal address the result is to be sent to."),
        )
    errors.raise_if_any(_("The application is not complete yet."), code="application_incomplete")


def _key_checked(key: str) -> str:
    text = (key or "").strip()
    if not text or len(text) > KEY_MAX_LENGTH or not text.isascii() or has_control_characters(text):
        errors = ErrorList()
        errors.add(
            "idempotency_key",
            "invalid",
            _("Send a submission key of 1 to %(max_length)s printable ASCII characters."),
            max_length=KEY_MAX_LENGTH,
        )
        errors.raise_if_any(_("The submission key is not valid."))
    return text


def _key_reused(application: OnlineApplication, used: Submission) -> SubmissionKeyReused:
    audit_record(
        actor=None,
        action="denied:online.submit_key_reused",
        obj=application,
        allowed=False,
        detail={"key_application": used.application_id},
    )
    return SubmissionKeyReused()


def _used_key(key: str, application: OnlineApplication) -> tuple[Submission | None, bool]:
    """The submission made under ``key`` and whether it is this very one (same application,
    same content)."""
    used = Submission.objects.filter(key=key).first()
    if used is None:
        return None, False
    same = used.application_id == application.pk and used.fingerprint == _fingerprint(application)
    return used, same


def _replay(key: str, application: OnlineApplication) -> OnlineApplication | None:
    used, same = _used_key(key, application)
    if used is None:
        return None
    if not same:
        raise _key_reused(application, used)
    application.refresh_from_db()
    return application


def application_submit(
    *,
    account: CitizenAccount,
    reference: str,
    key: str,
    expected_revision: int | None = None,
    now: dt.datetime | None = None,
) -> OnlineApplication:
    """Send the application to the centre (first, or again after 补正). Idempotent under
    ``key``: a replay of the same submission answers the application as it is; another
    submission under a used key is refused (409 ``idempotency_key_reused``)."""
    key = _key_checked(key)
    application = application_of(account=account, reference=reference, action="submit")
    when = now or timezone.now()
    reused: Submission | None = None
    try:
        with transaction.atomic():
            # The row lock first, then the replay: a double click waits for the first send and
            # is answered as it, before the revision (which that send bumped) is compared.
            application = mover.lock(
                M, application, related=("item", "item_version", "centre__region")
            )
            used, same = _used_key(key, application)
            if used is not None and same:
                return application
            if used is None:
                mover.check_revision(M, application, expected_revision)
                _submission_check(application)
                fingerprint = _fingerprint(application)
                application.submitted_at = when
                Submission.objects.create(
                    key=key, application=application, fingerprint=fingerprint, at=when
                )
                mover.move(
                    M,
                    application,
                    "submit",
                    actor=None,
                    now=when,
                    event_fields=_event(account),
                    data={"papers": application.papers.count()},
                    audit_detail={"account": account.pk},
                )
            reused = used
    except IntegrityError:
        # A concurrent call under the same key committed first: answer as its replay.
        replayed = _replay(key, application)
        if replayed is None:
            raise
        return replayed
    if reused is not None:  # refused outside the transaction, so that its audit row stays
        raise _key_reused(application, reused)
    return application


def application_withdraw(
    *, account: CitizenAccount, reference: str, expected_revision: int | None = None
) -> OnlineApplication:
    application = application_of(account=account, reference=reference, action="withdraw")
    with transaction.atomic():
        application = _locked(application, expected_revision)
        mover.move(
            M,
            application,
            "withdraw",
            actor=None,
            event_fields=_event(account),
            audit_detail={"account": account.pk},
        )
    return application


# --- the centre --------------------------------------------------------------------------------


def review_application(*, user: Any, reference: str) -> OnlineApplication:
    """The application for the pre-reviewing centre's clerk; another's: the one 404 (audited)."""
    application = (
        OnlineApplication.objects.select_related(
            "item", "item_version", "centre__region", "company__organisation", "person", "case"
        )
        .filter(reference=str(reference)[:32])
        .first()
    )
    if application is None:
        audit_record(
            actor=user,
            action="denied:online.review",
            object_type="online.onlineapplication",
            object_repr=str(reference)[:32],
            allowed=False,
        )
        raise NotFoundOrForbidden()
    require(user, M.permission_for("accept"), application, hide=True)
    return application


def review_read_audit(*, user: Any, application: OnlineApplication) -> None:
    audit_record(
        actor=user,
        action="online.review_read",
        obj=application,
        detail={"person_id_masked": application.person.id_number_masked},
    )


def review_personal_reveal(
    *, user: Any, reference: str
) -> tuple[OnlineApplication, dict[str, str]]:
    """The personal answers in clear (ID numbers, phones, addresses) for the pre-reviewing
    clerk who asks to check them against the papers; another's: the one 404 (audited). Every
    reveal is audited ``online.personal_reveal`` with the fields shown, never their values."""
    application = review_application(user=user, reference=reference)
    personal = answer_store.personal_of(application)
    audit_record(
        actor=user,
        action="online.personal_reveal",
        obj=application,
        detail={
            "fields": sorted(personal),
            "person_id_masked": application.person.id_number_masked,
        },
    )
    return application, personal


def _receipts(application: OnlineApplication) -> list[MaterialReceipt]:
    have = set(application.papers.values_list("material_name", flat=True))
    receipts = []
    for entry in checklist_of(application):
        if entry["name"] in have:
            receipts.append(
                MaterialReceipt(
                    name=entry["name"],
                    status=MaterialStatus.RECEIVED,
                    receive_form=ReceiveForm.ELECTRONIC,
                )
            )
        else:
            receipts.append(MaterialReceipt(name=entry["name"], status=MaterialStatus.MISSING))
    return receipts


def review_accept(
    *,
    user: Any,
    reference: str,
    expected_revision: int | None = None,
    now: dt.datetime | None = None,
) -> OnlineApplication:
    """受理: the case is made as at a window (``case_accept``), its papers attached as case
    papers (every department of the review sees them), and the application is accepted."""
    application = review_application(user=user, reference=reference)
    when = now or timezone.now()
    with transaction.atomic():
        application = _locked(application, expected_revision)
        if M.target("accept", application.state) is None:
            raise M.not_allowed(action="accept", state=M.state_label(application.state))
        organisation = application.company.organisation if application.company else None
        case = case_accept(
            intake=Intake(
                item=application.item,
                centre=application.centre,
                clerk=user,
                materials=_receipts(application),
                applicant_type=application.applicant_type,
                person=application.person if organisation is None else None,
                organisation=organisation,
                output_method=application.output_method,
                version=application.item_version,
            ),
            now=when,
        )
        for link in application.papers.select_related("paper", "kept_paper"):
            case_paper_attach(
                case=case,
                paper=link.paper,
                material_name=link.material_name,
                actor=user,
                via="reused" if link.kept_paper_id else "online",
                kept=link.kept_paper,
                consent_at=link.consent_at,
            )
        application.case = case
        application.decided_at = when
        application.problems = []
        mover.move(
            M,
            application,
            "accept",
            actor=user,
            now=when,
            data={"case": case.number, "visit": not is_full_online(application)},
        )
    return application


def _problems_checked(
    application: OnlineApplication, problems: list[dict[str, Any]]
) -> list[dict[str, str]]:
    errors = ErrorList()
    materials = {m["name"] for m in checklist_of(application)}
    fields = {f["key"] for f in answer_store.form_fields(application)}
    cleaned: list[dict[str, str]] = []
    if not problems:
        errors.add("problems", "required", _("List at least one problem to correct."))
    if len(problems) > PROBLEMS_MAX:
        errors.add("problems", "too_many", _("At most %(count)s problems."), count=PROBLEMS_MAX)
        problems = []
    for index, problem in enumerate(problems):
        where = f"problems[{index}]"
        kind = str(problem.get("kind", ""))
        name = str(problem.get("name", ""))
        reason = str(problem.get("reason", "")).strip()
        if kind == "material" and name not in materials:
            errors.add(
                where,
                "unknown_material",
                _("Not on this item's checklist: %(names)s."),
                names=name[:100],
            )
        elif kind == "field" and name not in fields:
            errors.add(where, "unknown_field", _("The form has no field %(name)s."), name=name[:64])
        elif kind not in ("material", "field"):
            errors.add(where, "invalid_kind", _("Say whether a paper or a field is wrong."))
        if not reason:
            errors.add(where, "reason_required", _("Say what is wrong and what to do."))
        elif len(reason) > REASON_MAX_LENGTH or has_control_characters(reason, multiline=True):
            errors.add(
                where,
                "invalid_reason",
                _(
                    "The reason must be at most %(max_length)s characters, without control "
                    "characters."
                ),
                max_length=REASON_MAX_LENGTH,
            )
        cleaned.append({"kind": kind, "name": name, "reason": reason})
    errors.raise_if_any(_("The 补正 notice cannot be sent as it is."), code="problems_invalid")
    return cleaned


def review_request_correction(
    *,
    user: Any,
    reference: str,
    problems: list[dict[str, Any]],
    note: str = "",
    expected_revision: int | None = None,
) -> OnlineApplication:
    """补正: one notice listing every problem at once (per material and per field, each with
    its reason); the applicant corrects online and sends again."""
    application = review_application(user=user, reference=reference)
    cleaned = _problems_checked(application, problems)
    note = (note or "").strip()
    if len(note) > REASON_MAX_LENGTH or has_control_characters(note, multiline=True):
        errors = ErrorList()
        errors.add(
            "note",
            "invalid",
            _("At most %(max_length)s characters are allowed."),
            max_length=REASON_MAX_LENGTH,
        )
        errors.raise_if_any(_("The 补正 notice cannot be sent as it is."))
    with transaction.atomic():
        application = _locked(application, expected_revision)
        application.problems = cleaned
        application.note = note
        mover.move(
            M,
            application,
            "request_correction",
            actor=user,
            reason=note,
            data={"problems": cleaned},
        )
    return application


def review_refuse(
    *, user: Any, reference: str, reasons: str, expected_revision: int | None = None
) -> OnlineApplication:
    """不予受理 with written reasons."""
    application = review_application(user=user, reference=reference)
    text = (reasons or "").strip()
    errors = ErrorList()
    if not text:
        errors.add("reasons", "required", _("Write the reasons for not accepting."))
    elif len(text) > REASON_MAX_LENGTH or has_control_characters(text, multiline=True):
        errors.add(
            "reasons",
            "invalid",
            _("At most %(max_length)s characters are allowed."),
            max_length=REASON_MAX_LENGTH,
        )
    errors.raise_if_any(_("The refusal cannot be sent as it is."), code="reasons_required")
    with transaction.atomic():
        application = _locked(application, expected_revision)
        application.note = text
        application.decided_at = timezone.now()
        mover.move(M, application, "refuse", actor=user, reason=text)
    return application


def review_paper_open(
    *, user: Any, reference: str, paper_id: int | None
) -> tuple[ApplicationPaper, bytes]:
    """One paper of the application, for the pre-reviewing centre; every read audited."""
    from onewindow.papers.services import paper_bytes

    application = review_application(user=user, reference=reference)
    link = (
        application.papers.select_related("paper").filter(pk=paper_id).first()
        if paper_id is not None
        else None
    )
    if link is None:
        audit_record(
            actor=user,
            action="denied:online.paper_read",
            obj=application,
            allowed=False,
            detail={"paper": paper_id},
        )
        raise NotFoundOrForbidden()
    data = paper_bytes(paper=link.paper)
    audit_record(
        actor=user,
        action="online.paper_read",
        obj=application,
        detail={
            "paper": link.paper_id,
            "material": link.material_name,
            "sha256": link.paper.sha256,
        },
    )
    return link, data


def own_paper_open(
    *, account: CitizenAccount, reference: str, paper_id: int | None
) -> tuple[ApplicationPaper, bytes]:
    """One paper of the account's own application, for its applicant; every read audited."""
    from onewindow.papers.services import paper_bytes

    application = application_of(account=account, reference=reference, action="paper_read")
    link = (
        application.papers.select_related("paper").filter(pk=paper_id).first()
        if paper_id is not None
        else None
    )
    if link is None:
        _denied(account, "paper_read", {"reference": application.reference, "paper": paper_id})
        raise NotFoundOrForbidden()
    data = paper_bytes(paper=link.paper)
    audit_record(
        actor=None,
        action="online.own_paper_read",
        obj=application,
        detail={"account": account.pk, "paper": link.paper_id, "sha256": link.paper.sha256},
    )
    return link, data
