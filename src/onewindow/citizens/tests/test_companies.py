"""Company accounts: the legal representative opens it and authorises agents; an agent acts
within the scope granted; every grant, revocation and refusal audited."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from onewindow.citizens import selectors, services
from onewindow.citizens.errors import AgentOutOfScope
from onewindow.citizens.models import AgentGrant, CitizenAccount, CompanyAccount
from onewindow.citizens.tests.conftest import OTHER_PHONE, PHONE, case_for, last_code
from onewindow.core.errors import ApplicationError, NotFoundOrForbidden, ValidationFailed
from onewindow.core.models import AuditLog
from onewindow.testing.factories import (
    DepartmentFactory,
    create_item,
    create_organisation,
    create_person,
    make_resident_id,
    material,
)

pytestmark = pytest.mark.django_db
ADDRESS = "203.0.113.9"
REP_ID = make_resident_id(birth="19800101", serial=11)
AGENT_ID = make_resident_id(birth="19850202", serial=22)


def bound(phone: str, id_number: str, name: str) -> CitizenAccount:
    create_person(id_number=id_number, name=name, phone=phone)
    services.sign_in_code_request(phone=phone, address=ADDRESS)
    account = services.sign_in_with_code(phone=phone, code=last_code(), address=ADDRESS).account
    services.real_name_bind(account=account, id_number=id_number, name=name)
    account.refresh_from_db()
    return account


@pytest.fixture
def scene():
    organisation = create_organisation(
        legal_representative_name="李四", legal_representative_id=REP_ID
    )
    representative = bound(PHONE, REP_ID, "李四")
    agent = bound(OTHER_PHONE, AGENT_ID, "周八")
    company = services.company_claim(account=representative, uscc=organisation.uscc)
    department = DepartmentFactory()
    licence = create_item(department=department, materials=[material(name="申请书")])
    other_item = create_item(department=department, materials=[material(name="申请书")])
    licence_case = case_for(organisation=organisation, item=licence)
    other_case = case_for(organisation=organisation, item=other_item)
    return {
        "organisation": organisation,
        "representative": representative,
        "agent": agent,
        "company": company,
        "licence": licence,
        "licence_case": licence_case,
        "other_case": other_case,
    }


def grant(scene, **overrides):
    fields = {
        "account": scene["representative"],
        "company_id": scene["company"].pk,
        "id_number": AGENT_ID,
        "name": "周八",
        "actions": ["view_cases"],
        "item_codes": [scene["licence"].implementation_code],
        "expires_on": timezone.localdate() + dt.timedelta(days=30),
    }
    fields.update(overrides)
    return services.agent_grant(**fields)


def test_only_the_registered_legal_representative_opens_the_company_account(scene):
    assert scene["company"].representative == scene["representative"]
    assert AuditLog.objects.filter(action="citizens.company_claim").count() == 1
    with pytest.raises(NotFoundOrForbidden):
        services.company_claim(account=scene["agent"], uscc=scene["organisation"].uscc)
    row = (
        AuditLog.objects.filter(action="applicants.citizen_representative_check")
        .order_by("-id")
        .first()
    )
    assert (row.allowed, row.detail["outcome"]) == (False, "not_representative")
    assert CompanyAccount.objects.count() == 1


def test_an_unbound_account_cannot_open_a_company_account(scene):
    services.sign_in_code_request(phone="13612345678", address=ADDRESS)
    account = services.sign_in_with_code(
        phone="13612345678", code=last_code(), address=ADDRESS
    ).account
    with pytest.raises(ApplicationError) as refused:
        services.company_claim(account=account, uscc=scene["organisation"].uscc)
    assert (refused.value.status, refused.value.code) == (403, "real_name_required")


def test_an_agent_sees_the_cases_of_the_items_granted_only(scene):
    with pytest.raises(NotFoundOrForbidden):
        selectors.company_cases(account=scene["agent"], company_id=scene["company"].pk)
    grant(scene)
    role, rows = selectors.company_cases(account=scene["agent"], company_id=scene["company"].pk)
    assert role.representative is False
    assert [r.number for r in rows] == [scene["licence_case"].number]
    _role, all_rows = selectors.company_cases(
        account=scene["representative"], company_id=scene["company"].pk
    )
    assert sorted(r.number for r in all_rows) == sorted(
        [scene["licence_case"].number, scene["other_case"].number]
    )
    with pytest.raises(NotFoundOrForbidden):
        selectors.my_case_progress(
            account=scene["agent"],
            number=scene["other_case"].number,
            company_id=scene["company"].pk,
        )
    view = selectors.my_case_progress(
        account=scene["agent"], number=scene["licence_case"].number, company_id=scene["company"].pk
    )
    assert view.number == scene["licence_case"].number


def test_an_agent_acting_outside_the_scope_is_refused_and_audited(scene):
    grant(scene)
    with pytest.raises(AgentOutOfScope) as refused:
        services.company_act_check(
            account=scene["agent"],
            company_id=scene["company"].pk,
            action="apply",
            item_code=scene["licence"].implementation_code,
        )
    assert refused.value.status == 403
    row = AuditLog.objects.filter(action="denied:citizens.company_act").order_by("-id").first()
    assert row.detail["reason"] == "out_of_scope"
    assert row.detail["action"] == "apply"
    # Within the scope:
    role = services.company_act_check(
        account=scene["agent"],
        company_id=scene["company"].pk,
        action="view_cases",
        item_code=scene["licence"].implementation_code,
    )
    assert role.allows("view_cases", scene["licence"].implementation_code)
    assert not role.allows("view_cases", "OTHER-ITEM")


def test_a_revoked_or_expired_grant_gives_nothing(scene):
    given = grant(scene)
    services.agent_revoke(
        account=scene["representative"], company_id=scene["company"].pk, grant_id=given.pk
    )
    with pytest.raises(NotFoundOrForbidden):
        services.company_act_check(
            account=scene["agent"], company_id=scene["company"].pk, action="view_cases"
        )
    later = grant(scene)
    AgentGrant.objects.filter(pk=later.pk).update(
        expires_on=timezone.localdate() - dt.timedelta(days=1)
    )
    with pytest.raises(NotFoundOrForbidden):
        services.company_act_check(
            account=scene["agent"], company_id=scene["company"].pk, action="view_cases"
        )
    actions = list(
        AuditLog.objects.filter(action__startswith="citizens.agent_")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == ["citizens.agent_grant", "citizens.agent_revoke", "citizens.agent_grant"]


def test_only_the_representative_grants_and_revokes_checked_before_the_input(scene):
    with pytest.raises(NotFoundOrForbidden):
        grant(scene, account=scene["agent"], id_number="nonsense")
    given = grant(scene)
    with pytest.raises(NotFoundOrForbidden):
        services.agent_revoke(
            account=scene["agent"], company_id=scene["company"].pk, grant_id=given.pk
        )
    given.refresh_from_db()
    assert given.revoked_at is None
    assert (
        AuditLog.objects.filter(
            action__in=["denied:citizens.agent_grant", "denied:citizens.agent_revoke"]
        ).count()
        == 2
    )


def test_a_bad_grant_lists_every_problem_and_writes_nothing(scene):
    with pytest.raises(ValidationFailed) as refused:
        grant(
            scene,
            id_number=REP_ID[:-1] + ("0" if REP_ID[-1] != "0" else "1"),
            name="",
            actions=[],
            item_codes=["NO-SUCH-ITEM"],
            expires_on=timezone.localdate(),
        )
    assert sorted(e.field for e in refused.value.errors) == [
        "actions",
        "expires_on",
        "id_number",
        "item_codes",
        "name",
    ]
    with pytest.raises(ValidationFailed) as own:
        grant(scene, id_number=REP_ID, name="李四")
    assert [e.code for e in own.value.errors] == ["is_representative"]
    assert AgentGrant.objects.count() == 0


def test_the_company_pages_show_agents_to_the_representative_and_cases_to_the_agent(scene, client):
    from onewindow.citizens.models import SignInCode
    from onewindow.citizens.tests.conftest import browser_sign_in

    grant(scene)
    SignInCode.objects.update(created_at=SignInCode.objects.first().created_at.replace(year=2020))
    browser_sign_in(client, OTHER_PHONE)
    page = client.get(f"/my/companies/{scene['company'].pk}/")
    assert page.status_code == 200
    text = page.content.decode()
    assert scene["licence_case"].number in text and scene["other_case"].number not in text
    assert 'id="grant-form"' not in text
    # An agent's POST to grant is refused like a missing company, and writes nothing.
    refused = client.post(
        f"/my/companies/{scene['company'].pk}/",
        {
            "name": "某人",
            "id_number": make_resident_id(),
            "actions": ["apply"],
            "expires_on": "2099-01-01",
        },
    )
    assert refused.status_code == 404
    assert AgentGrant.objects.count() == 1


def test_an_agent_without_view_cases_sees_the_company_but_not_its_cases(scene, client):
    from onewindow.citizens.models import SignInCode
    from onewindow.citizens.tests.conftest import browser_sign_in

    grant(scene, actions=["apply"])
    SignInCode.objects.update(created_at=SignInCode.objects.first().created_at.replace(year=2020))
    browser_sign_in(client, OTHER_PHONE)
    companies = client.get("/my/companies/").content.decode()
    assert scene["organisation"].name in companies
    page = client.get(f"/my/companies/{scene['company'].pk}/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "您对该企业的授权不包括此项。" in text
    assert scene["licence_case"].number not in text
    detail = client.get(f"/my/cases/{scene['licence_case'].number}/?company={scene['company'].pk}")
    assert detail.status_code == 403
    assert "您对该企业的授权不包括此项。" in detail.content.decode()
    row = AuditLog.objects.filter(action="denied:citizens.company_act").order_by("-id").first()
    assert row.detail["reason"] == "out_of_scope"


def test_a_representative_replaced_at_the_registry_loses_the_company_at_once(scene):
    from onewindow.applicants.services import _organisation_set_representative_id

    organisation = scene["organisation"]
    representative = scene["representative"]
    company_id = scene["company"].pk
    assert [e.company.pk for e in selectors.my_companies(account=representative)] == [company_id]
    # The registry records a new legal representative; nobody has claimed the account yet.
    _organisation_set_representative_id(
        organisation, id_type=scene["agent"].person.id_type, number=AGENT_ID
    )
    organisation.legal_representative_name = "周八"
    organisation.save()
    assert selectors.my_companies(account=representative) == []
    with pytest.raises(NotFoundOrForbidden):
        selectors.company_for_representative(account=representative, company_id=company_id)
    with pytest.raises(NotFoundOrForbidden):
        services.company_act_check(account=representative, company_id=company_id, action="apply")
    with pytest.raises(NotFoundOrForbidden):
        grant(scene)
    assert AgentGrant.objects.count() == 0
    refused = AuditLog.objects.filter(
        action="denied:citizens.company_act", detail__reason="not_found"
    )
    assert refused.count() == 1
    # The new representative claims it and may act at once.
    company = services.company_claim(account=scene["agent"], uscc=organisation.uscc)
    assert company.pk == company_id
    role = services.company_act_check(account=scene["agent"], company_id=company_id, action="apply")
    assert role.representative is True
