"""Who applies: a company through its representative or an agent within scope; fill once from
earlier applications; withdrawal; the SMS texts; an item done wholly online."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from onewindow.cases.models import ApplicantType
from onewindow.catalog.codes import FULL_ONLINE_DEPTH, OnlineDepth
from onewindow.citizens.errors import AgentOutOfScope
from onewindow.citizens.models import AgentGrant, CompanyAccount
from onewindow.core.audit import AuditLog
from onewindow.core.errors import ApplicationError, NotFoundOrForbidden
from onewindow.notify.models import Notification
from onewindow.online import selectors, services
from onewindow.online.notifications import message_for_event
from onewindow.online.tests.conftest import filled
from onewindow.online.transitions import OnlineState
from onewindow.testing.factories import create_organisation

pytestmark = pytest.mark.django_db


def company_of(city, representative_account):
    organisation = create_organisation(
        name="晓敏商贸有限公司", legal_representative_id=city.id_number
    )
    return CompanyAccount.objects.create(
        organisation=organisation, representative=representative_account
    )


def test_the_representative_applies_for_the_company_and_the_case_is_the_companys(city):
    company = company_of(city, city.account)
    application = services.application_start(
        account=city.account, item_id=city.item.pk, company_id=company.pk
    )
    assert application.applicant_type == ApplicantType.LEGAL_PERSON
    assert application.company == company


def test_an_agent_outside_the_scope_is_refused_and_audited(city):
    company = company_of(city, city.account)
    other = city.other_account.person
    agent = AgentGrant.objects.create(
        company=company,
        agent_id_index=other.id_number_index,  # the grant names the agent by blind index
        agent_id_masked=other.id_number_masked,
        agent_name=other.name,
        actions=["apply"],
        item_codes=["another-item"],
        expires_on=timezone.localdate() + dt.timedelta(days=30),
        granted_by=city.account,
    )
    with pytest.raises(AgentOutOfScope):
        services.application_start(
            account=city.other_account, item_id=city.item.pk, company_id=company.pk
        )
    assert AuditLog.objects.filter(action="denied:citizens.company_act").count() == 1
    agent.item_codes = [city.item.implementation_code]
    agent.save()
    started = services.application_start(
        account=city.other_account, item_id=city.item.pk, company_id=company.pk
    )
    assert started.company == company and started.person == other
    # The representative sees and may act on the agent's application for the company.
    found = services.application_of(account=city.account, reference=started.reference)
    assert found == started


def test_a_company_nobody_granted_is_the_404(city):
    company = company_of(city, city.account)
    with pytest.raises(NotFoundOrForbidden):
        services.application_start(
            account=city.other_account, item_id=city.item.pk, company_id=company.pk
        )
    assert not services.OnlineApplication.objects.exists()


def test_an_unbound_account_is_asked_to_bind_first(city):
    city.other_account.person = None
    city.other_account.save()
    with pytest.raises(ApplicationError) as refused:
        services.application_start(account=city.other_account, item_id=city.item.pk)
    assert (refused.value.code, refused.value.status) == ("real_name_required", 409)


def test_an_item_not_online_cannot_be_started(city):
    city.item.is_online = False
    city.item.save(update_fields=["is_online"])
    with pytest.raises(ApplicationError) as refused:
        services.application_start(account=city.account, item_id=city.item.pk)
    assert refused.value.code == "not_online"


def test_fill_once_from_the_record_and_from_an_earlier_application(city):
    filled(city, employees=3)
    later = services.application_start(account=city.account, item_id=city.item.pk)
    rows = {row.field["key"]: row for row in selectors.form_rows(later, city.account)}
    assert (rows["operator_name"].value, rows["operator_name"].source) == ("林晓敏", "record")
    assert (rows["phone"].masked, rows["phone"].source) == ("138****8000", "record")
    assert rows["phone"].value == ""
    assert (rows["shop_name"].value, rows["shop_name"].source) == ("晓敏小卖部", "previous")
    assert (rows["employees"].value, rows["employees"].source) == (3, "previous")
    read = AuditLog.objects.filter(action="applicants.citizen_own_read").last()
    assert read.detail["online_reference"] == later.reference
    assert "person.phone" in read.detail["keys"]


def test_the_applicant_withdraws_and_then_nothing_moves(city):
    application = filled(city)
    services.application_submit(account=city.account, reference=application.reference, key="k")
    done = services.application_withdraw(account=city.account, reference=application.reference)
    assert done.state == OnlineState.WITHDRAWN
    with pytest.raises(ApplicationError) as refused:
        services.review_accept(user=city.clerk, reference=application.reference)
    assert refused.value.code == "transition_not_allowed"
    assert refused.value.status == 409
    done.refresh_from_db()
    assert done.case is None


def test_the_sms_texts(city, django_capture_on_commit_callbacks, settings):
    settings.NOTIFY_LANGUAGE = "zh-hans"
    with django_capture_on_commit_callbacks(execute=True):
        application = filled(city)
        services.application_submit(account=city.account, reference=application.reference, key="k")
        services.review_refuse(
            user=city.clerk, reference=application.reference, reasons="经营场所不符合规定"
        )
    events = {e.action: e for e in application.events.all()}
    ref = application.reference
    assert message_for_event(events["submit"]) == (
        "submit",
        f"您的个体工商户设立登记网上申请{ref}已提交街道中心预审。",
    )
    assert message_for_event(events["refuse"]) == (
        "refuse",
        f"您的个体工商户设立登记网上申请{ref}不予受理，理由请在“我的申请”中查看。",
    )
    sent = Notification.objects.filter(subject_type="online.application").order_by("id")
    assert [n.recipient_masked for n in sent] == ["138****8000", "138****8000"]


def test_an_item_done_wholly_online_needs_no_visit(city, django_capture_on_commit_callbacks):
    version = city.item.versions.get()
    version.snapshot = {**version.snapshot, "online_depth": sorted(FULL_ONLINE_DEPTH)}
    version.save(update_fields=["snapshot"])
    assert OnlineDepth.HANDLE in version.snapshot["online_depth"]
    with django_capture_on_commit_callbacks(execute=True):
        application = filled(city)
        services.application_submit(account=city.account, reference=application.reference, key="k")
        accepted = services.review_accept(user=city.clerk, reference=application.reference)
    event = accepted.events.get(action="accept")
    assert event.data == {"case": accepted.case.number, "visit": False}
    code, text = message_for_event(event)
    assert code == "accept"
    assert text.endswith("无需到现场。")
