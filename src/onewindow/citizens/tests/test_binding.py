"""Real-name binding: the verifier decides, a change of binding needs a fresh code and is
told and audited, nothing half-written."""

from __future__ import annotations

import pytest

from onewindow.applicants.models import Person
from onewindow.citizens import services
from onewindow.citizens.errors import CodeRefused, RealNameRefused
from onewindow.citizens.models import BindingRecord, CitizenAccount
from onewindow.citizens.tests.conftest import OTHER_PHONE, PHONE, last_code
from onewindow.core.errors import ApplicationError, ValidationFailed
from onewindow.core.models import AuditLog
from onewindow.notify.models import Notification
from onewindow.testing.factories import create_person, make_resident_id

pytestmark = pytest.mark.django_db
ADDRESS = "203.0.113.8"


def signed_in_account(phone: str = PHONE) -> CitizenAccount:
    services.sign_in_code_request(phone=phone, address=ADDRESS)
    return services.sign_in_with_code(phone=phone, code=last_code(), address=ADDRESS).account


def test_a_registered_person_with_this_mobile_is_bound_by_the_demo_check():
    number = make_resident_id()
    person = create_person(id_number=number, name="王小明", phone=PHONE)
    account = signed_in_account()
    record = services.real_name_bind(account=account, id_number=number, name="王小明")
    account.refresh_from_db()
    assert account.person == person
    assert record is not None and record.previous_person is None
    assert (record.verifier, record.created_person) == ("demo_registry", False)
    row = AuditLog.objects.get(action="citizens.bind")
    assert row.detail["id_number_masked"] == person.id_number_masked
    assert number not in str(row.detail)
    # Binding the same person again changes nothing.
    assert services.real_name_bind(account=account, id_number=number, name="王小明") is None
    assert BindingRecord.objects.count() == 1


@pytest.mark.parametrize(
    ("name", "phone", "reason"),
    [("王大明", PHONE, "name_differs"), ("王小明", OTHER_PHONE, "phone_differs")],
)
def test_the_demo_check_refuses_another_name_or_another_mobile(name, phone, reason):
    number = make_resident_id()
    create_person(id_number=number, name="王小明", phone=PHONE)
    account = signed_in_account(phone)
    with pytest.raises(RealNameRefused) as refused:
        services.real_name_bind(account=account, id_number=number, name=name)
    assert refused.value.code == "real_name_not_verified"
    account.refresh_from_db()
    assert account.person is None
    assert BindingRecord.objects.count() == 0
    assert AuditLog.objects.get(action="denied:citizens.bind").detail["reason"] == reason


def test_an_unregistered_person_is_not_verified_on_the_demo():
    account = signed_in_account()
    with pytest.raises(RealNameRefused):
        services.real_name_bind(account=account, id_number=make_resident_id(), name="赵六")
    assert Person.objects.count() == 0


def test_a_verifier_that_confirms_registers_a_new_person_with_the_accounts_mobile(settings):
    settings.CITIZEN_REAL_NAME_VERIFIER = "onewindow.citizens.realname.AcceptAll"
    account = signed_in_account()
    number = make_resident_id()
    record = services.real_name_bind(account=account, id_number=number, name="赵六")
    person = Person.objects.get()
    assert record is not None and record.created_person is True
    assert record.reference == "test-check"
    assert person.name == "赵六" and person.phone_index == account.phone_index
    assert person.phone_masked == "139****5678"


def test_no_verifier_configured_is_a_clear_503_and_binds_nothing(settings):
    settings.CITIZEN_REAL_NAME_VERIFIER = "onewindow.citizens.realname.NotConfigured"
    account = signed_in_account()
    with pytest.raises(RealNameRefused) as refused:
        services.real_name_bind(account=account, id_number=make_resident_id(), name="赵六")
    assert (refused.value.status, refused.value.code) == (503, "real_name_unavailable")
    assert Person.objects.count() == 0


def test_a_bad_id_number_is_refused_before_any_check():
    account = signed_in_account()
    good = make_resident_id()
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")
    with pytest.raises(ValidationFailed) as refused:
        services.real_name_bind(account=account, id_number=bad, name="")
    assert sorted(e.field for e in refused.value.errors) == ["id_number", "name"]
    account.refresh_from_db()
    assert account.bind_attempts == 0


def test_checks_are_rationed_per_day(settings):
    settings.CITIZEN_BIND_ATTEMPTS_PER_DAY = 2
    account = signed_in_account()
    for _ in range(2):
        with pytest.raises(RealNameRefused):
            services.real_name_bind(account=account, id_number=make_resident_id(), name="赵六")
    with pytest.raises(ApplicationError) as refused:
        services.real_name_bind(account=account, id_number=make_resident_id(), name="赵六")
    assert (refused.value.status, refused.value.code) == (429, "too_many_checks")


def test_a_change_of_binding_needs_a_fresh_code_and_is_told_and_audited(settings):
    settings.CITIZEN_REAL_NAME_VERIFIER = "onewindow.citizens.realname.AcceptAll"
    account = signed_in_account()
    first, second = make_resident_id(), make_resident_id()
    services.real_name_bind(account=account, id_number=first, name="赵六")
    account.refresh_from_db()
    bound = account.person

    with pytest.raises(ValidationFailed) as no_code:
        services.real_name_bind(account=account, id_number=second, name="钱七")
    assert [e.field for e in no_code.value.errors] == ["code"]
    with pytest.raises(CodeRefused) as not_sent:
        services.real_name_bind(account=account, id_number=second, name="钱七", code="123456")
    assert not_sent.value.code == "code_missing"
    account.refresh_from_db()
    assert account.person == bound

    services.rebind_code_request(account=account, address=ADDRESS)
    code = last_code(template="citizen_code_rebind")
    # A sign-in code does not serve a change of binding, nor the other way round.
    with pytest.raises(CodeRefused):
        services.sign_in_with_code(phone=PHONE, code=code, address=ADDRESS)
    record = services.real_name_bind(account=account, id_number=second, name="钱七", code=code)
    account.refresh_from_db()
    assert record is not None and record.previous_person == bound
    assert account.person.name == "钱七"
    notice = Notification.objects.get(template_code="citizen_rebound_notice")
    assert notice.subject_type == "citizens.account"
    assert account.person.id_number_masked in notice.text_shown
    row = AuditLog.objects.get(action="citizens.rebind")
    assert row.detail["previous_id_number_masked"] == bound.id_number_masked
    # The code is used up.
    with pytest.raises(CodeRefused) as replay:
        services.real_name_bind(account=account, id_number=first, name="赵六", code=code)
    assert replay.value.code == "code_used"


def test_a_person_bound_to_another_account_stays_there(settings):
    settings.CITIZEN_REAL_NAME_VERIFIER = "onewindow.citizens.realname.AcceptAll"
    number = make_resident_id()
    first = signed_in_account(PHONE)
    services.real_name_bind(account=first, id_number=number, name="赵六")
    second = signed_in_account(OTHER_PHONE)
    with pytest.raises(RealNameRefused) as refused:
        services.real_name_bind(account=second, id_number=number, name="赵六")
    assert (refused.value.status, refused.value.code) == (409, "person_bound_elsewhere")
    second.refresh_from_db()
    assert second.person is None
    assert BindingRecord.objects.count() == 1


def test_a_registered_name_that_differs_is_never_renamed(settings):
    settings.CITIZEN_REAL_NAME_VERIFIER = "onewindow.citizens.realname.AcceptAll"
    number = make_resident_id()
    person = create_person(id_number=number, name="王小明", phone=OTHER_PHONE)
    account = signed_in_account()
    with pytest.raises(ApplicationError) as refused:
        services.real_name_bind(account=account, id_number=number, name="王晓明")
    assert (refused.value.status, refused.value.code) == (409, "registered_name_differs")
    person.refresh_from_db()
    assert person.name == "王小明"
    account.refresh_from_db()
    assert account.person is None


@pytest.mark.django_db(transaction=True)
def test_two_accounts_binding_one_person_at_once_bind_it_once(settings):
    import threading

    from django.db import connection

    settings.CITIZEN_REAL_NAME_VERIFIER = "onewindow.citizens.realname.AcceptAll"
    number = make_resident_id()
    accounts = [signed_in_account(PHONE), signed_in_account(OTHER_PHONE)]
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def bind(account: CitizenAccount) -> None:
        barrier.wait()
        try:
            services.real_name_bind(account=account, id_number=number, name="赵六")
            outcomes.append("bound")
        except RealNameRefused as refused:
            outcomes.append(refused.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=bind, args=(account,)) for account in accounts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["bound", "person_bound_elsewhere"]
    assert CitizenAccount.objects.filter(person__isnull=False).count() == 1
    assert BindingRecord.objects.count() == 1
    assert Person.objects.count() == 1
