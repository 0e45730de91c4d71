"""Each service of the procedure: the happy path, and each refusal with nothing changed."""

from __future__ import annotations

import datetime as dt
import decimal
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.utils import timezone

from onewindow.core.errors import NotFoundOrForbidden, PermissionDenied, ValidationFailed
from onewindow.core.models import AuditLog
from onewindow.enforcement.errors import EnforcementRefused, StaleTask, TaskNotAllowed
from onewindow.enforcement.models import (
    EnforcementTask,
    Inspection,
    Party,
    PenaltyDecision,
    RectificationNotice,
    Reinspection,
    TaskEvent,
    TaskPhoto,
)
from onewindow.enforcement.selectors import company_penalties
from onewindow.enforcement.services import (
    LegalBasis,
    inspection_record,
    notice_issue,
    party_id_number_reveal,
    penalty_decide,
    reinspection_record,
    task_concluded,
    task_drop,
)
from onewindow.enforcement.tests.conftest import COMPANY_USCC, PERSON_ID, PHOTO_PNG, company, person
from onewindow.papers.models import Paper

pytestmark = pytest.mark.django_db
BASIS = LegalBasis("广州市违法建设查处条例", "第二十条")


def codes(exc_info) -> list[tuple[str, str]]:
    return [(e.field, e.code) for e in exc_info.value.errors]


def snapshot(task: EnforcementTask) -> tuple:
    task.refresh_from_db()
    return (
        task.state,
        task.revision,
        Party.objects.count(),
        Inspection.objects.count(),
        RectificationNotice.objects.count(),
        Reinspection.objects.count(),
        PenaltyDecision.objects.count(),
        TaskPhoto.objects.count(),
        Paper.objects.count(),
        TaskEvent.objects.filter(task=task).count(),
    )


def inspect(scene, task, **kw):
    values = {
        "actor": scene.officer,
        "task": task,
        "revision": task.revision,
        "at": timezone.now(),
        "place": "多宝路88号天台",
        "officers": [scene.officer, scene.officer2],
        "findings": "天台东侧新建铁皮房约30平方米，未见规划许可。",
        "party": company(),
        "violation_found": True,
    }
    values.update(kw)
    return inspection_record(**values)


def notify(scene, task, **kw):
    values = {
        "actor": scene.officer,
        "task": task,
        "revision": task.revision,
        "deadline": timezone.localdate() + dt.timedelta(days=10),
        "requirements": "限期自行拆除天台铁皮房，恢复原状。",
        "legal_basis": BASIS,
    }
    values.update(kw)
    return notice_issue(**values)


def reinspect(scene, task, *, rectified, later_days=11, **kw):
    now = timezone.now() + dt.timedelta(days=later_days)
    values = {
        "actor": scene.officer,
        "task": task,
        "revision": task.revision,
        "at": now - dt.timedelta(hours=1),
        "officers": [scene.officer2.pk, scene.officer3.pk],
        "rectified": rectified,
        "findings": "铁皮房仍在，未拆除。" if not rectified else "已自行拆除。",
        "now": now,
    }
    values.update(kw)
    return reinspection_record(**values)


def decide(scene, task, **kw):
    values = {
        "actor": scene.lead,
        "task": task,
        "revision": task.revision,
        "legal_basis": BASIS,
        "facts": "当事人未经规划许可在天台搭建铁皮房，逾期未拆除。",
        "kind": "fine",
        "amount": "20000",
        "now": timezone.now() + dt.timedelta(days=12),
    }
    values.update(kw)
    return penalty_decide(**values)


# --- opening ------------------------------------------------------------------------------


def test_the_dispatcher_opens_a_task_for_the_team_numbered_by_the_day(scene):
    task = scene.task()
    assert re.fullmatch(rf"ZF{timezone.localdate():%Y%m%d}\d{{6}}", task.number)
    assert (task.state, task.revision, task.team, task.origin) == (
        "open",
        1,
        scene.team,
        "WG20261202000001",
    )
    assert (task.longitude, task.latitude, task.opened_by) == (113.2341, 23.1187, scene.dispatcher)
    assert list(task.events.values_list("action", "from_state", "to_state")) == [
        ("open", "new", "open")
    ]
    assert (
        AuditLog.objects.filter(action="enforcement.task_open", actor=scene.dispatcher).count() == 1
    )
    assert not task_concluded(task)


def test_an_officer_of_the_team_opens_a_task_on_patrol(scene):
    task = scene.task(actor=scene.officer, origin="", due_at=None)
    assert (task.state, task.origin, task.due_at) == ("open", "", None)


@pytest.mark.parametrize("who", ["other_officer", "lead", "chief", "auditor"])
def test_anyone_else_may_not_open_one_and_nothing_is_written(scene, who):
    with pytest.raises(PermissionDenied):
        scene.task(actor=getattr(scene, who))
    assert EnforcementTask.objects.count() == 0
    assert AuditLog.objects.filter(action="denied:enforcement.work", allowed=False).count() == 1


def test_a_department_that_is_no_enforcement_team_is_refused(scene):
    with pytest.raises(EnforcementRefused) as exc:
        scene.task(team=scene.not_team)
    assert exc.value.code == "not_enforcement_team"
    assert EnforcementTask.objects.count() == 0


def test_bad_input_to_open_is_refused_at_once_with_every_problem(scene):
    with pytest.raises(ValidationFailed) as exc:
        scene.task(
            matter="违法\x00搭建",
            region_code="999999999999",
            longitude=200,
            latitude=None,
            origin="WG-1/2",
            due_at=dt.datetime(2026, 12, 9, 17, 0),
        )
    assert codes(exc) == [
        ("matter", "control_characters"),
        ("region_code", "unknown"),
        ("origin", "invalid"),
        ("longitude", "out_of_range"),
        ("due_at", "invalid"),
    ]
    assert EnforcementTask.objects.count() == 0


# --- the inspection -----------------------------------------------------------------------


def test_an_inspection_with_two_officers_and_a_company_finds_a_violation(scene):
    task = inspect(scene, scene.task())
    assert (task.state, task.revision) == ("inspected", 2)
    inspection = task.inspection
    assert set(inspection.officers.all()) == {scene.officer, scene.officer2}
    party = inspection.party
    assert (party.kind, party.name, party.uscc, party.legal_representative) == (
        "company",
        "广州市荔湾区多宝餐饮有限公司",
        COMPANY_USCC,
        "李大明",
    )
    assert party.phone_masked == "020****4567"
    assert "81234567" not in party.phone_encrypted
    event = task.events.get(action="inspect")
    assert event.data == {
        "officers": sorted([scene.officer.pk, scene.officer2.pk]),
        "party": party.pk,
    }


def test_a_person_party_is_kept_encrypted_with_a_blind_index_and_masked(scene):
    task = inspect(scene, scene.task(), party=person())
    party = task.inspection.party
    assert party.id_number_masked == f"{PERSON_ID[:6]}********{PERSON_ID[-4:]}"
    assert party.id_number_clear() == PERSON_ID
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {Party._meta.db_table} WHERE id = %s", [party.pk])
        row = " ".join(str(v) for v in cursor.fetchone())
    assert PERSON_ID not in row and "13800138000" not in row
    # The same blind index as the applicants' and the hotline callers' (one look-up finds them).
    from onewindow.applicants.models import ID_NUMBER_INDEX_CONTEXT
    from onewindow.core import crypto

    assert party.id_number_index == crypto.blind_index(PERSON_ID, context=ID_NUMBER_INDEX_CONTEXT)


def test_reading_a_persons_full_id_is_audited_and_kept_from_city_wide_readers(scene):
    task = inspect(scene, scene.task(), party=person())
    party = task.inspection.party
    assert party_id_number_reveal(actor=scene.officer, party=party, purpose="送达") == PERSON_ID
    read = AuditLog.objects.get(action="enforcement.party_id_read", allowed=True)
    assert (read.actor, read.detail["party"], read.detail["id_number"]) == (
        scene.officer,
        party.pk,
        party.id_number_masked,
    )
    for outsider in (scene.chief, scene.other_officer):
        with pytest.raises(NotFoundOrForbidden):
            party_id_number_reveal(actor=outsider, party=party)
    assert AuditLog.objects.filter(action="enforcement.party_id_read", allowed=True).count() == 1


def test_no_violation_found_concludes_the_task(scene):
    task = inspect(scene, scene.task(), party=None, violation_found=False)
    assert (task.state, task.outcome, task_concluded(task)) == ("concluded", "no_violation", True)
    assert task.concluded_at is not None


@pytest.mark.parametrize(
    ("officers", "expected"),
    [
        ("one", [("officers", "too_few")]),
        ("same_twice", [("officers", "too_few")]),
        ("other_team", [("officers", "not_officer")]),
        ("lead", [("officers", "not_officer")]),
        ("junk", [("officers", "invalid")]),
    ],
)
def test_an_inspection_needs_two_officers_of_the_team(scene, officers, expected):
    task = scene.task()
    before = snapshot(task)
    chosen = {
        "one": [scene.officer],
        "same_twice": [scene.officer, scene.officer.pk],
        "other_team": [scene.officer, scene.other_officer],
        "lead": [scene.officer, scene.lead],
        "junk": [scene.officer, "2"],
    }[officers]
    with pytest.raises(ValidationFailed) as exc:
        inspect(scene, task, officers=chosen)
    assert codes(exc) == expected
    assert snapshot(task) == before


@pytest.mark.parametrize(
    ("party", "expected"),
    [
        (company(uscc="91440103MA5ABCDE1X"), [("party_uscc", "invalid_checksum")]),
        (company(uscc="9144"), [("party_uscc", "invalid_length")]),
        (company(legal_representative=""), [("party_representative", "required")]),
        (person(id_number="440103198001010000"), [("party_id", "invalid_checksum")]),
        (person(id_number=""), [("party_id", "required")]),
        (person(phone="12345"), [("party_phone", "invalid_phone")]),
        (person(uscc=COMPANY_USCC), [("party_uscc", "person_with_company")]),
        (None, [("party_kind", "required")]),
    ],
)
def test_a_bad_party_is_refused_and_nothing_changes(scene, party, expected):
    task = scene.task()
    before = snapshot(task)
    with pytest.raises(ValidationFailed) as exc:
        inspect(scene, task, party=party)
    assert codes(exc) == expected
    assert snapshot(task) == before


def test_a_time_in_the_future_or_before_the_task_is_refused(scene):
    task = scene.task()
    before = snapshot(task)
    with pytest.raises(ValidationFailed) as exc:
        inspect(scene, task, at=timezone.now() + dt.timedelta(hours=2))
    assert codes(exc) == [("at", "future")]
    with pytest.raises(ValidationFailed) as exc:
        inspect(scene, task, at=task.opened_at - dt.timedelta(days=1), findings="\x07")
    assert codes(exc) == [("at", "too_early"), ("findings", "control_characters")]
    assert snapshot(task) == before


def test_a_stale_page_or_a_second_inspection_is_refused(scene):
    task = scene.task()
    before = snapshot(task)
    with pytest.raises(StaleTask):
        inspect(scene, task, revision=task.revision - 1)
    with pytest.raises(StaleTask):
        inspect(scene, task, revision=None)
    assert snapshot(task) == before
    task = inspect(scene, task)
    with pytest.raises(TaskNotAllowed):
        inspect(scene, task)


def test_another_teams_officer_gets_the_same_answer_as_for_a_missing_task(scene):
    task = scene.task()
    before = snapshot(task)
    with pytest.raises(NotFoundOrForbidden) as exc:
        inspect(scene, task, actor=scene.other_officer)
    assert (exc.value.status, exc.value.code) == (404, "not_found")
    with pytest.raises(NotFoundOrForbidden):
        notify(scene, task, actor=scene.other_officer)
    with pytest.raises(NotFoundOrForbidden):
        decide(scene, task, actor=scene.other_lead)
    assert snapshot(task) == before
    assert AuditLog.objects.filter(allowed=False, action="denied:enforcement.work").count() == 2


def test_photos_are_kept_as_papers_and_a_refused_record_keeps_none(scene, settings):
    task = scene.task()
    photo = SimpleUploadedFile("roof.png", PHOTO_PNG, content_type="image/png")
    before = snapshot(task)
    with pytest.raises(ValidationFailed):
        inspect(scene, task, officers=[scene.officer], photos=[(photo, "roof.png")])
    assert snapshot(task) == before
    root = Path(settings.MEDIA_ROOT) / "papers"
    assert not root.exists() or not any(p.is_file() for p in root.rglob("*"))
    photo = SimpleUploadedFile("roof.png", PHOTO_PNG, content_type="image/png")
    task = inspect(scene, task, photos=[(photo, "roof.png")])
    kept = TaskPhoto.objects.get()
    assert (kept.task, kept.inspection, kept.paper.content_type) == (
        task,
        task.inspection,
        "image/png",
    )
    assert AuditLog.objects.filter(action="enforcement.photo_add").count() == 1


def test_a_file_that_is_no_photo_refuses_the_whole_inspection(scene):
    task = scene.task()
    before = snapshot(task)
    fake = SimpleUploadedFile("roof.png", b"not an image at all", content_type="image/png")
    with pytest.raises(ValidationFailed):
        inspect(scene, task, photos=[(fake, "roof.png")])
    assert snapshot(task) == before


# --- the notice ---------------------------------------------------------------------------


def test_a_notice_sets_the_rectification_deadline_and_its_number(scene):
    task = notify(scene, inspect(scene, scene.task()))
    notice = task.notice
    year = timezone.localdate().year
    assert notice.number == f"荔综执改字〔{year}〕第1号"
    assert (task.state, notice.law, notice.article) == ("notified", BASIS.law, BASIS.article)
    deadline = timezone.localdate() + dt.timedelta(days=10)
    assert timezone.localtime(task.rectify_due_at).date() == deadline
    assert (timezone.localtime(task.rectify_due_at).hour, notice.deadline) == (23, deadline)


@pytest.mark.parametrize(
    ("deadline", "code"),
    [
        (0, "not_after_issue"),
        (-3, "not_after_issue"),
        (400, "too_far"),
        (None, "required"),
    ],
)
def test_a_deadline_not_after_the_notice_is_refused(scene, deadline, code):
    task = inspect(scene, scene.task())
    before = snapshot(task)
    day = None if deadline is None else timezone.localdate() + dt.timedelta(days=deadline)
    with pytest.raises(ValidationFailed) as exc:
        notify(scene, task, deadline=day)
    assert codes(exc) == [("deadline", code)]
    assert snapshot(task) == before


def test_a_notice_needs_its_legal_basis_and_requirements(scene):
    task = inspect(scene, scene.task())
    before = snapshot(task)
    with pytest.raises(ValidationFailed) as exc:
        notify(scene, task, legal_basis=LegalBasis("", "第二十条"), requirements=" ")
    assert codes(exc) == [("requirements", "required"), ("law", "required")]
    with pytest.raises(TaskNotAllowed):
        notify(scene, scene.task())
    assert snapshot(task) == before


# --- the re-inspection --------------------------------------------------------------------


def test_rectified_on_reinspection_concludes_the_task(scene):
    task = notify(scene, inspect(scene, scene.task()))
    task = reinspect(scene, task, rectified=True, later_days=3)
    assert (task.state, task.outcome, task.rectify_due_at) == ("concluded", "rectified", None)
    assert set(task.reinspection.officers.all()) == {scene.officer2, scene.officer3}
    assert task_concluded(task)


def test_not_rectified_is_recorded_only_after_the_deadline(scene):
    task = notify(scene, inspect(scene, scene.task()))
    before = snapshot(task)
    with pytest.raises(ValidationFailed) as exc:
        reinspect(scene, task, rectified=False, later_days=10)
    assert codes(exc) == [("rectified", "deadline_running")]
    assert snapshot(task) == before
    task = reinspect(scene, task, rectified=False, later_days=11)
    assert (task.state, task.outcome, task.rectify_due_at) == ("to_penalise", "", None)


def test_a_reinspection_with_one_officer_is_refused(scene):
    task = notify(scene, inspect(scene, scene.task()))
    before = snapshot(task)
    with pytest.raises(ValidationFailed) as exc:
        reinspect(scene, task, rectified=True, later_days=2, officers=[scene.officer2])
    assert codes(exc) == [("officers", "too_few")]
    assert snapshot(task) == before


# --- the penalty --------------------------------------------------------------------------


def test_the_lead_decides_a_fine_on_the_company_and_the_task_concludes(scene):
    task = reinspect(scene, notify(scene, inspect(scene, scene.task())), rectified=False)
    task = decide(scene, task)
    decision = task.penalty
    year = timezone.localdate().year
    assert decision.number == f"荔综执罚决字〔{year}〕第1号"
    assert (decision.kind, decision.amount, decision.decided_by) == (
        "fine",
        decimal.Decimal("20000.00"),
        scene.lead,
    )
    assert (decision.party, decision.disclosable) == (task.inspection.party, True)
    assert (task.state, task.outcome, task_concluded(task)) == ("concluded", "penalised", True)
    assert list(company_penalties(uscc=COMPANY_USCC)) == [decision]
    assert list(company_penalties(uscc=COMPANY_USCC.lower())) == [decision]
    assert list(company_penalties(uscc="91440103MA5ABCDE1X")) == []
    assert [e.action for e in task.events.all()] == [
        "open",
        "inspect",
        "notify",
        "reinspect_unrectified",
        "penalise",
    ]


def test_a_persons_penalty_is_not_disclosable(scene):
    task = inspect(scene, scene.task(), party=person())
    task = decide(
        scene, reinspect(scene, notify(scene, task), rectified=False), kind="warning", amount=0
    )
    assert task.penalty.disclosable is False
    assert PenaltyDecision.objects.filter(disclosable=True).count() == 0


def test_a_penalty_before_a_reinspection_found_it_not_rectified_is_refused(scene):
    task = notify(scene, inspect(scene, scene.task()))
    before = snapshot(task)
    with pytest.raises(TaskNotAllowed):
        decide(scene, task)
    assert snapshot(task) == before
    rectified = reinspect(scene, notify(scene, inspect(scene, scene.task())), rectified=True)
    with pytest.raises(TaskNotAllowed):
        decide(scene, rectified)
    rectified.refresh_from_db()
    assert (rectified.state, rectified.outcome) == ("concluded", "rectified")
    assert PenaltyDecision.objects.count() == 0


def test_an_officer_may_not_decide_a_penalty(scene):
    task = reinspect(scene, notify(scene, inspect(scene, scene.task())), rectified=False)
    before = snapshot(task)
    with pytest.raises(NotFoundOrForbidden):
        decide(scene, task, actor=scene.officer)
    assert snapshot(task) == before


@pytest.mark.parametrize(
    ("kind", "amount", "code"),
    [
        ("fine", "-1", "out_of_range"),
        ("fine", "10000000.01", "out_of_range"),
        ("fine", "12.345", "precision"),
        ("fine", "0", "fine_zero"),
        ("fine", "abc", "invalid"),
        ("fine", True, "invalid"),
        ("fine", float("nan"), "invalid"),
        ("fine", "NaN", "invalid"),
        ("warning", "100", "no_amount"),
        ("demolition", "5", "no_amount"),
    ],
)
def test_a_bad_amount_is_refused(scene, kind, amount, code):
    task = reinspect(scene, notify(scene, inspect(scene, scene.task())), rectified=False)
    before = snapshot(task)
    with pytest.raises(ValidationFailed) as exc:
        decide(scene, task, kind=kind, amount=amount)
    assert codes(exc) == [("amount", code)]
    assert snapshot(task) == before


def test_an_unknown_penalty_kind_is_refused(scene):
    task = reinspect(scene, notify(scene, inspect(scene, scene.task())), rectified=False)
    with pytest.raises(ValidationFailed) as exc:
        decide(scene, task, kind="jail", amount="0")
    assert codes(exc) == [("kind", "invalid_choice")]


# --- dropping -----------------------------------------------------------------------------


def test_the_lead_drops_a_task_with_the_reason(scene):
    task = inspect(scene, scene.task())
    task = task_drop(actor=scene.lead, task=task, revision=task.revision, reason="属住建部门管辖")
    assert (task.state, task.outcome, task.drop_reason) == ("dropped", "dropped", "属住建部门管辖")
    assert not task_concluded(task)
    assert task.events.get(action="drop").reason == "属住建部门管辖"


def test_the_dispatcher_drops_a_task_whose_grid_case_went_elsewhere(scene):
    task = scene.task()
    task = task_drop(actor=scene.dispatcher, task=task, revision=task.revision, reason="二次派遣")
    assert task.state == "dropped"


def test_dropping_needs_a_reason_and_the_lead(scene):
    task = scene.task()
    before = snapshot(task)
    with pytest.raises(ValidationFailed):
        task_drop(actor=scene.lead, task=task, revision=task.revision, reason="  ")
    with pytest.raises(NotFoundOrForbidden):
        task_drop(actor=scene.officer, task=task, revision=task.revision, reason="不管")
    with pytest.raises(NotFoundOrForbidden):
        task_drop(actor=scene.other_lead, task=task, revision=task.revision, reason="不管")
    assert snapshot(task) == before
    done = inspect(scene, scene.task(), party=None, violation_found=False)
    with pytest.raises(TaskNotAllowed):
        task_drop(actor=scene.lead, task=done, revision=done.revision, reason="重复")


def test_settings_carry_no_document_prefix_by_default():
    assert getattr(settings, "ENFORCEMENT_DOCUMENT_PREFIX", "荔综执") == "荔综执"


def test_a_persons_address_is_kept_encrypted_and_shown_masked(scene):
    from django.db import connection

    from onewindow.core import crypto
    from onewindow.enforcement.models import PARTY_ADDRESS_CONTEXT, Party

    task = scene.task()
    inspection_record(
        actor=scene.officer,
        task=task,
        revision=task.revision,
        at=timezone.now(),
        place="多宝路88号",
        officers=[scene.officer, scene.officer2],
        findings="天台加建",
        party=person(address="广州市荔湾区多宝路88号301房"),
        violation_found=True,
    )
    party = Party.objects.get()
    assert crypto.decrypt(party.address_encrypted, context=PARTY_ADDRESS_CONTEXT) == (
        "广州市荔湾区多宝路88号301房"
    )
    assert party.address != "" and "301" not in party.address
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {Party._meta.db_table}")
        assert not any("301房" in str(value) for value in cursor.fetchone())
