"""Changes of a person's identity details are verified, kept in a history and told to the
citizen at the old phone; never silent."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from django.db import connection
from django.utils import timezone

from onewindow.applicants.identity import IdentityResult
from onewindow.applicants.models import (
    PERSON_CHANGE_NEW_CONTEXT,
    PERSON_CHANGE_OLD_CONTEXT,
    ChangeMethod,
    ChangeStatus,
    Person,
    PersonChange,
)
from onewindow.applicants.services import (
    person_change_approve,
    person_change_confirm_code,
    person_change_send_code,
    person_register,
    person_reveal,
)
from onewindow.core import crypto
from onewindow.core.errors import (
    ApplicationError,
    NotFoundOrForbidden,
    PermissionDenied,
    ValidationFailed,
)
from onewindow.core.models import AuditLog
from onewindow.notify.backends import MemoryBackend
from onewindow.notify.models import Notification
from onewindow.org.models import Role
from onewindow.testing.factories import CentreFactory, staff_with_role

pytestmark = pytest.mark.django_db

ID_NUMBER = "44010319900307007X"
OLD_PHONE = "13800138000"
NEW_PHONE = "13912345678"
ADDRESS = "广东省广州市荔湾区中山八路1号"
NEW_ADDRESS = "广东省广州市越秀区北京路100号"
CODE_RE = re.compile(r"code (\d{6})")


@pytest.fixture(autouse=True)
def _sms(settings):
    settings.NOTIFY_BACKEND = "onewindow.notify.backends.MemoryBackend"
    settings.NOTIFY_LANGUAGE = "en"
    settings.IDENTITY_VERIFIER = "onewindow.applicants.identity.NotConfigured"
    MemoryBackend.outbox.clear()
    yield
    MemoryBackend.outbox.clear()


class AgreeingVerifier:
    """The official identity service, as a test stands it in: confirms every name."""

    calls: list[tuple[str, str, str]] = []

    def verify(self, id_type: str, id_number: str, name: str) -> IdentityResult:
        AgreeingVerifier.calls.append((id_type, id_number, name))
        return IdentityResult(verified=True, reference="GA-0001")


class DisagreeingVerifier:
    def verify(self, id_type: str, id_number: str, name: str) -> IdentityResult:
        return IdentityResult(verified=False, reference="GA-0002", code="name_mismatch")


@pytest.fixture
def centre():
    return CentreFactory()


@pytest.fixture
def clerk(centre):
    return staff_with_role(Role.INTAKE_CLERK, centre=centre)


@pytest.fixture
def person(clerk, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return person_register(
            id_type="111",
            id_number=ID_NUMBER,
            name="张三",
            phone=OLD_PHONE,
            address=ADDRESS,
            identity_check="card_read",
            actor=clerk,
        )


def change(person, clerk, centre, capture, **values):
    fields = {"name": person.name, "phone": "", "address": "", **values}
    with capture(execute=True):
        return person_register(
            id_type="111",
            id_number=ID_NUMBER,
            actor=clerk,
            centre=centre,
            looked_up=person,
            **fields,
        )


def sent():
    return [(phone, text) for phone, text, _id in MemoryBackend.outbox]


def sent_code(phone=OLD_PHONE):
    texts = [text for to, text in sent() if to == phone and "OneWindow code" in text]
    assert texts, sent()
    match = CODE_RE.search(texts[-1])
    assert match
    return match.group(1)


def raw_rows(table):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
        return json.dumps([list(map(str, row)) for row in cursor.fetchall()], ensure_ascii=False)


def audit_text(prefix="applicants.person_change"):
    rows = AuditLog.objects.filter(action__contains="person_change")
    return json.dumps(
        [(row.action, row.object_repr, row.detail) for row in rows], ensure_ascii=False
    )


def stored():
    return Person.objects.get()


# --- name -----------------------------------------------------------------------------------


def test_a_new_name_without_an_identity_check_is_refused_and_nothing_changes(
    person, clerk, centre, django_capture_on_commit_callbacks
):
    MemoryBackend.outbox.clear()
    with pytest.raises(ValidationFailed) as caught:
        change(
            person,
            clerk,
            centre,
            django_capture_on_commit_callbacks,
            name="张叁",
            reason="改名",
        )
    assert caught.value.code == "name_change_needs_identity_check"
    assert [(e.field, e.code) for e in caught.value.errors] == [
        ("name", "name_change_needs_identity_check")
    ]
    message = caught.value.errors[0].as_dict()
    assert message["message"] == "姓名变更须在窗口读取身份证或经官方身份核验后方可登记。"
    assert message["message_en"] == (
        "A new name is recorded only after the ID card is read at the window or an official "
        "identity check confirms it."
    )
    assert stored().name == "张三"
    assert PersonChange.objects.count() == 0
    assert sent() == []


def test_a_new_name_with_the_card_read_is_applied_kept_in_history_and_told_at_the_old_phone(
    person, clerk, centre, django_capture_on_commit_callbacks
):
    MemoryBackend.outbox.clear()
    change(
        person,
        clerk,
        centre,
        django_capture_on_commit_callbacks,
        name="张叁",
        reason="户籍更名",
        identity_check="card_read",
    )
    assert stored().name == "张叁"
    history = PersonChange.objects.get()
    assert (history.field, history.status, history.method) == (
        "name",
        ChangeStatus.APPLIED,
        ChangeMethod.CARD_READ,
    )
    assert (history.old_value_masked, history.new_value_masked) == ("张*", "张*")
    assert crypto.decrypt(
        history.old_value_encrypted, context=PERSON_CHANGE_OLD_CONTEXT.format(field="name")
    ) == ("张三")
    assert crypto.decrypt(
        history.new_value_encrypted, context=PERSON_CHANGE_NEW_CONTEXT.format(field="name")
    ) == ("张叁")
    assert (history.requested_by, history.decided_by, history.reason) == (clerk, clerk, "户籍更名")
    assert len(sent()) == 1
    phone, text = sent()[0]
    assert phone == OLD_PHONE
    assert text.startswith("The name registered for you at OneWindow was changed on ")
    assert text.endswith(". If you did not ask for this, call 12345.")
    # The history adds no clear copy of the old or the new name.
    raw = raw_rows(PersonChange._meta.db_table)
    assert "张三" not in raw and "张叁" not in raw
    applied = AuditLog.objects.get(action="applicants.person_change_apply")
    assert applied.detail["old_masked"] == "张*"
    assert "张三" not in audit_text() and "张叁" not in audit_text()


def test_a_new_name_confirmed_by_the_identity_service_is_applied(
    person, clerk, centre, settings, django_capture_on_commit_callbacks
):
    settings.IDENTITY_VERIFIER = f"{__name__}.AgreeingVerifier"
    AgreeingVerifier.calls.clear()
    change(
        person,
        clerk,
        centre,
        django_capture_on_commit_callbacks,
        name="张叁",
        reason="户籍更名",
        identity_check="identity_service",
    )
    assert AgreeingVerifier.calls == [("111", ID_NUMBER, "张叁")]
    assert stored().name == "张叁"
    assert PersonChange.objects.get().method == ChangeMethod.IDENTITY_SERVICE


def test_a_new_name_the_identity_service_does_not_confirm_is_refused_and_audited(
    person, clerk, centre, settings, django_capture_on_commit_callbacks
):
    settings.IDENTITY_VERIFIER = f"{__name__}.DisagreeingVerifier"
    with pytest.raises(ValidationFailed) as caught:
        change(
            person,
            clerk,
            centre,
            django_capture_on_commit_callbacks,
            name="张叁",
            reason="户籍更名",
            identity_check="identity_service",
        )
    assert caught.value.code == "identity_check_refused"
    assert stored().name == "张三"
    assert PersonChange.objects.count() == 0
    refused = AuditLog.objects.get(action="applicants.person_change_refuse")
    assert refused.allowed is False
    assert refused.detail["reference"] == "GA-0002"
    assert refused.detail["new_masked"] == "张*"


def test_the_default_identity_service_is_not_configured_and_says_so(
    person, clerk, centre, django_capture_on_commit_callbacks
):
    with pytest.raises(ValidationFailed) as caught:
        change(
            person,
            clerk,
            centre,
            django_capture_on_commit_callbacks,
            name="张叁",
            reason="户籍更名",
            identity_check="identity_service",
        )
    assert caught.value.code == "identity_service_not_configured"
    assert caught.value.errors[0].as_dict()["message_en"] == (
        "No official identity service is connected to OneWindow: read the ID card at the "
        "window to change the name."
    )
    assert stored().name == "张三"


# --- phone ----------------------------------------------------------------------------------


def ask_phone(person, clerk, centre, capture, confirmation="code"):
    MemoryBackend.outbox.clear()
    change(
        person,
        clerk,
        centre,
        capture,
        phone=NEW_PHONE,
        reason="换了手机号",
        phone_confirmation=confirmation,
        # Without the registered phone's code, the card is read and a colleague approves.
        identity_check="card_read" if confirmation == "colleague" else "",
    )
    return PersonChange.objects.get(field="phone", status=ChangeStatus.PENDING)


def test_a_new_phone_waits_and_the_code_goes_to_the_registered_phone_never_in_clear_elsewhere(
    person, clerk, centre, django_capture_on_commit_callbacks
):
    pending = ask_phone(person, clerk, centre, django_capture_on_commit_callbacks)
    assert stored().phone_masked == "138****8000"  # not applied yet
    # The citizen agrees at the phone registered before; a phone the clerk holds proves nothing.
    assert [phone for phone, _text in sent()] == [OLD_PHONE]
    code = sent_code()
    assert sent()[0][1] == (
        f"OneWindow code {code}: give it to the clerk only if you asked to change your "
        "registered mobile number to 139****5678. Valid for 10 minutes. If you did not ask "
        "for it, give it to no one and call 12345."
    )
    message = Notification.objects.get(template_code="person_change_code")
    assert code not in message.text_shown
    assert code not in pending.code_hash
    assert pending.expires_at == pending.code_sent_at + dt.timedelta(minutes=10)
    assert (pending.old_value_masked, pending.new_value_masked) == ("138****8000", "139****5678")
    raw = raw_rows(PersonChange._meta.db_table)
    for secret in (OLD_PHONE, NEW_PHONE, code):
        assert secret not in raw
    assert NEW_PHONE not in audit_text() and code not in audit_text()


def test_the_right_code_applies_the_phone_and_the_old_phone_is_told(
    person, clerk, centre, django_capture_on_commit_callbacks
):
    pending = ask_phone(person, clerk, centre, django_capture_on_commit_callbacks)
    code = sent_code()
    MemoryBackend.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        person_change_confirm_code(change_id=pending.pk, code=code, actor=clerk)
    assert stored().phone_masked == "139****5678"
    assert person_reveal(person=stored(), field="phone", actor=clerk, purpose="核对") == NEW_PHONE
    pending.refresh_from_db()
    assert (pending.status, pending.method, pending.outcome) == (
        ChangeStatus.APPLIED,
        ChangeMethod.SMS_CODE,
        "code_confirmed",
    )
    assert crypto.decrypt(
        pending.old_value_encrypted, context=PERSON_CHANGE_OLD_CONTEXT.format(field="phone")
    ) == (OLD_PHONE)
    assert [phone for phone, _text in sent()] == [OLD_PHONE]
    assert sent()[0][1].startswith(
        "The mobile number registered for you at OneWindow was changed on "
    )


def test_a_wrong_code_is_counted_and_the_fifth_refuses_the_change(
    person, clerk, centre, django_capture_on_commit_callbacks
):
    pending = ask_phone(person, clerk, centre, django_capture_on_commit_callbacks)
    code = sent_code()
    wrong = "000000" if code != "000000" else "111111"
    with pytest.raises(ValidationFailed) as caught:
        person_change_confirm_code(change_id=pending.pk, code=wrong, actor=clerk)
    assert caught.value.code == "code_wrong"
    assert caught.value.errors[0].as_dict()["message_en"] == "The code is not right; 4 tries left."
    pending.refresh_from_db()
    assert (pending.code_attempts, pending.status) == (1, ChangeStatus.PENDING)
    for _ in range(3):
        with pytest.raises(ValidationFailed):
            person_change_confirm_code(change_id=pending.pk, code=wrong, actor=clerk)
    with pytest.raises(ValidationFailed) as caught:
        person_change_confirm_code(change_id=pending.pk, code=wrong, actor=clerk)
    assert caught.value.code == "too_many_attempts"
    pending.refresh_from_db()
    assert (pending.code_attempts, pending.status, pending.outcome) == (
        5,
        ChangeStatus.REFUSED,
        "too_many_attempts",
    )
    # Even the right code no longer applies it.
    with pytest.raises(ApplicationError) as late:
        person_change_confirm_code(change_id=pending.pk, code=code, actor=clerk)
    assert (type(late.value), late.value.status, late.value.code) == (
        ApplicationError,
        409,
        "change_not_pending",
    )
    assert stored().phone_masked == "138****8000"
    assert AuditLog.objects.filter(action="applicants.person_change_code_wrong").count() == 5


def test_an_expired_code_refuses_the_change(
    person, clerk, centre, django_capture_on_commit_callbacks
):
    pending = ask_phone(person, clerk, centre, django_capture_on_commit_callbacks)
    code = sent_code()
    PersonChange.objects.filter(pk=pending.pk).update(
        expires_at=timezone.now() - dt.timedelta(seconds=1)
    )
    with pytest.raises(ValidationFailed) as caught:
        person_change_confirm_code(change_id=pending.pk, code=code, actor=clerk)
    assert caught.value.code == "change_expired"
    pending.refresh_from_db()
    assert (pending.status, pending.outcome) == (ChangeStatus.EXPIRED, "expired")
    assert stored().phone_masked == "138****8000"


def test_a_second_staff_member_at_the_centre_approves_the_new_phone(
    person, clerk, centre, django_capture_on_commit_callbacks
):
    pending = ask_phone(
        person, clerk, centre, django_capture_on_commit_callbacks, confirmation="colleague"
    )
    assert sent() == []  # no code asked for
    colleague = staff_with_role(Role.CENTRE_MANAGER, centre=centre)
    with django_capture_on_commit_callbacks(execute=True):
        person_change_approve(change_id=pending.pk, actor=colleague)
    assert stored().phone_masked == "139****5678"
    pending.refresh_from_db()
    assert (pending.status, pending.method, pending.decided_by) == (
        ChangeStatus.APPLIED,
        ChangeMethod.SECOND_STAFF,
        colleague,
    )
    assert [phone for phone, _text in sent()] == [OLD_PHONE]


def test_the_one_who_asked_cannot_approve_the_change(
    person, clerk, centre, django_capture_on_commit_callbacks
):
    pending = ask_phone(
        person, clerk, centre, django_capture_on_commit_callbacks, confirmation="colleague"
    )
    with pytest.raises(PermissionDenied):
        person_change_approve(change_id=pending.pk, actor=clerk)
    pending.refresh_from_db()
    assert pending.status == ChangeStatus.PENDING
    assert stored().phone_masked == "138****8000"
    denied = AuditLog.objects.get(action="denied:applicants.person_change_approve")
    assert denied.actor == clerk


def test_staff_of_another_centre_cannot_approve_the_change(
    person, clerk, centre, django_capture_on_commit_callbacks
):
    pending = ask_phone(
        person, clerk, centre, django_capture_on_commit_callbacks, confirmation="colleague"
    )
    elsewhere = staff_with_role(Role.INTAKE_CLERK, centre=CentreFactory())
    # Another centre's change answers as a missing one does (and is audited).
    for change_id in (pending.pk, pending.pk + 1000):
        with pytest.raises(NotFoundOrForbidden):
            person_change_approve(change_id=change_id, actor=elsewhere)
    assert (
        AuditLog.objects.filter(
            actor=elsewhere, action="denied:applicants.person_change_approve", allowed=False
        ).count()
        == 2
    )
    auditor = staff_with_role(Role.AUDITOR)
    with pytest.raises(PermissionDenied):
        person_change_approve(change_id=pending.pk, actor=auditor)
    pending.refresh_from_db()
    assert pending.status == ChangeStatus.PENDING
    assert stored().phone_masked == "138****8000"


def test_a_code_can_be_sent_later_for_a_change_waiting_for_a_colleague(
    person, clerk, centre, django_capture_on_commit_callbacks
):
    pending = ask_phone(
        person, clerk, centre, django_capture_on_commit_callbacks, confirmation="colleague"
    )
    with django_capture_on_commit_callbacks(execute=True):
        person_change_send_code(change_id=pending.pk, actor=clerk)
    with django_capture_on_commit_callbacks(execute=True):
        person_change_confirm_code(change_id=pending.pk, code=sent_code(), actor=clerk)
    assert stored().phone_masked == "139****5678"


def test_a_new_request_replaces_the_one_still_waiting(
    person, clerk, centre, django_capture_on_commit_callbacks
):
    first = ask_phone(person, clerk, centre, django_capture_on_commit_callbacks)
    second = ask_phone(person, clerk, centre, django_capture_on_commit_callbacks)
    first.refresh_from_db()
    assert (first.status, first.outcome) == (ChangeStatus.REFUSED, "superseded")
    assert second.status == ChangeStatus.PENDING


# --- address, several at once, nothing half-written ------------------------------------------


def test_a_new_address_is_applied_with_its_reason_and_history(
    person, clerk, centre, django_capture_on_commit_callbacks
):
    MemoryBackend.outbox.clear()
    change(
        person,
        clerk,
        centre,
        django_capture_on_commit_callbacks,
        address=NEW_ADDRESS,
        reason="搬家",
    )
    assert person_reveal(person=stored(), field="address", actor=clerk, purpose="核对") == (
        NEW_ADDRESS
    )
    history = PersonChange.objects.get()
    assert (history.method, history.reason, history.old_value_masked) == (
        ChangeMethod.AT_WINDOW,
        "搬家",
        "广东省广州市…",
    )
    assert [phone for phone, _text in sent()] == [OLD_PHONE]
    assert ADDRESS not in raw_rows(PersonChange._meta.db_table)
    assert ADDRESS not in audit_text() and NEW_ADDRESS not in audit_text()


def test_a_change_without_a_reason_is_refused(
    person, clerk, centre, django_capture_on_commit_callbacks
):
    with pytest.raises(ValidationFailed) as caught:
        change(person, clerk, centre, django_capture_on_commit_callbacks, address=NEW_ADDRESS)
    assert caught.value.code == "change_reason_required"
    assert PersonChange.objects.count() == 0


def test_one_missing_check_leaves_every_other_change_unwritten(
    person, clerk, centre, django_capture_on_commit_callbacks
):
    MemoryBackend.outbox.clear()
    with pytest.raises(ValidationFailed) as caught:
        change(
            person,
            clerk,
            centre,
            django_capture_on_commit_callbacks,
            name="张叁",
            phone=NEW_PHONE,
            address=NEW_ADDRESS,
            reason="全部更新",
            phone_confirmation="code",
        )
    assert [e.code for e in caught.value.errors] == ["name_change_needs_identity_check"]
    assert PersonChange.objects.count() == 0
    assert person_reveal(person=stored(), field="address", actor=clerk, purpose="核对") == ADDRESS
    assert sent() == []
    assert Notification.objects.filter(template_code__startswith="person_change").count() == 0


def test_all_three_at_once_apply_name_and_address_and_open_the_phone_change(
    person, clerk, centre, django_capture_on_commit_callbacks
):
    MemoryBackend.outbox.clear()
    change(
        person,
        clerk,
        centre,
        django_capture_on_commit_callbacks,
        name="张叁",
        phone=NEW_PHONE,
        address=NEW_ADDRESS,
        reason="全部更新",
        identity_check="card_read",
        phone_confirmation="code",
    )
    statuses = dict(PersonChange.objects.values_list("field", "status"))
    assert statuses == {"name": "applied", "address": "applied", "phone": "pending"}
    register = AuditLog.objects.filter(action="applicants.person_register").latest("id")
    assert (register.detail["changed"], register.detail["pending"]) == (
        ["name", "address"],
        ["phone"],
    )
    assert sorted(phone for phone, _text in sent()) == [OLD_PHONE, OLD_PHONE, OLD_PHONE]


def test_staff_without_a_personal_data_role_cannot_register_or_change(person):
    grid = staff_with_role(Role.GRID_WORKER)
    with pytest.raises(PermissionDenied):
        person_register(id_type="111", id_number=ID_NUMBER, name="张叁", actor=grid)
    assert stored().name == "张三"


def test_a_change_sends_at_most_three_codes(
    person, clerk, centre, django_capture_on_commit_callbacks
):
    pending = ask_phone(person, clerk, centre, django_capture_on_commit_callbacks)
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            person_change_send_code(change_id=pending.pk, actor=clerk)
    with pytest.raises(ValidationFailed) as caught:
        person_change_send_code(change_id=pending.pk, actor=clerk)
    assert caught.value.code == "too_many_codes"
    assert caught.value.as_dict()["message_en"] == (
        "3 codes were sent already: ask a colleague to approve instead."
    )
    assert len(sent()) == 3
    pending.refresh_from_db()
    assert pending.code_sends == 3
