"""Regressions of the hostile review: access that ended, one person's data shown to another,
a double-clicked send, a malformed revision, removed papers kept for ever."""

from __future__ import annotations

import datetime as dt
import threading
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.utils import timezone

from onewindow.citizens.models import AgentGrant, CompanyAccount
from onewindow.core.audit import AuditLog
from onewindow.core.errors import NotFoundOrForbidden
from onewindow.online import services
from onewindow.online.models import ApplicationPaper, OnlineApplication, Submission
from onewindow.online.tests.conftest import (
    APPLICATION_FORM,
    PHONE,
    filled,
    signed_in,
    stream,
)
from onewindow.online.transitions import OnlineState
from onewindow.papers.models import Paper, PersonPaper
from onewindow.papers.samples import sample_pdf
from onewindow.papers.services import person_paper_keep
from onewindow.testing.factories import create_organisation


def _company(city):
    organisation = create_organisation(
        name="晓敏商贸有限公司", legal_representative_id=city.id_number
    )
    return CompanyAccount.objects.create(organisation=organisation, representative=city.account)


def _grant(city, company, *, days: int = 30) -> AgentGrant:
    agent = city.other_account.person
    return AgentGrant.objects.create(
        company=company,
        agent_id_index=agent.id_number_index,
        agent_id_masked=agent.id_number_masked,
        agent_name=agent.name,
        actions=["apply"],
        item_codes=[city.item.implementation_code],
        expires_on=timezone.localdate() + dt.timedelta(days=days),
        granted_by=city.account,
    )


def _files() -> list[Path]:
    root = Path(settings.MEDIA_ROOT) / "papers"
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


# --- 1. access to a company's application ends with the grant or the representation --------


@pytest.mark.django_db
def test_an_agent_whose_grant_ended_loses_the_company_application_they_started(city):
    company = _company(city)
    grant = _grant(city, company)
    application = services.application_start(
        account=city.other_account, item_id=city.item.pk, company_id=company.pk
    )
    assert services.application_of(account=city.other_account, reference=application.reference)
    grant.expires_on = timezone.localdate() - dt.timedelta(days=1)
    grant.save(update_fields=["expires_on"])
    with pytest.raises(NotFoundOrForbidden):
        services.application_of(account=city.other_account, reference=application.reference)
    with pytest.raises(NotFoundOrForbidden):
        services.application_save(
            account=city.other_account,
            reference=application.reference,
            answers={"shop_name": "期满之后"},
        )
    page = signed_in(Client(), city.other_account).get(f"/my/online/{application.reference}/form/")
    assert page.status_code == 404
    assert "晓敏商贸" not in page.content.decode()
    application.refresh_from_db()
    assert application.answers == {}
    assert AuditLog.objects.filter(action="denied:online.save", allowed=False).count() == 1
    assert AuditLog.objects.filter(action="denied:online.form", allowed=False).count() == 1
    # The representative still has it.
    assert services.application_of(account=city.account, reference=application.reference)


@pytest.mark.django_db
def test_a_former_representative_loses_the_company_and_its_applications(city):
    company = _company(city)
    application = services.application_start(
        account=city.account, item_id=city.item.pk, company_id=company.pk
    )
    client = signed_in(Client(), city.account)
    before = client.get(f"/my/online/start/{city.item.pk}/")
    assert before.status_code == 200
    assert f'<option value="{company.pk}">晓敏商贸有限公司</option>' in before.content.decode()
    # The registry names another legal representative.
    organisation = company.organisation
    organisation.legal_representative_id_index = "another-person"
    organisation.save(update_fields=["legal_representative_id_index"])
    with pytest.raises(NotFoundOrForbidden):
        services.application_of(account=city.account, reference=application.reference)
    assert client.get(f"/my/online/{application.reference}/").status_code == 404
    start = client.get(f"/my/online/start/{city.item.pk}/").content.decode()
    assert 'name="company"' not in start
    assert "晓敏商贸有限公司" not in start


# --- 2. pre-fill never carries one person's data to another ---------------------------------


@pytest.mark.django_db
def test_the_agent_never_sees_nor_stores_the_representatives_private_answers_or_record(city):
    own = services.application_start(account=city.account, item_id=city.item.pk)
    services.application_save(
        account=city.account, reference=own.reference, answers={"shop_name": "林的私人小店"}
    )
    company = _company(city)
    _grant(city, company)
    shared = services.application_start(
        account=city.account, item_id=city.item.pk, company_id=company.pk
    )
    client = signed_in(Client(), city.other_account)
    url = f"/my/online/{shared.reference}/form/"
    page = client.get(url)
    assert page.status_code == 200
    body = page.content.decode()
    for secret in ("林的私人小店", city.person.id_number_masked, "138****8000", PHONE, "林晓敏"):
        assert secret not in body, secret
    saved = client.post(
        url,
        {
            "revision": shared.revision,
            "f_operator_name": "",
            "f_operator_id": "",
            "f_phone": "",
            "f_shop_name": "",
            "f_employees": "",
            "output_method": "electronic",
        },
    )
    assert saved.status_code == 302, saved.content.decode()
    shared.refresh_from_db()
    assert "林的私人小店" not in str(shared.answers)
    assert shared.personal_masked == {}
    assert shared.personal_encrypted == ""
    # Neither the representative's record nor that of the agent was read for this form.
    assert not AuditLog.objects.filter(
        action="applicants.citizen_own_read", detail__online_reference=shared.reference
    ).exists()


@pytest.mark.django_db
def test_fill_once_uses_only_the_same_accounts_applications_for_the_same_company(city):
    own = services.application_start(account=city.account, item_id=city.item.pk)
    services.application_save(
        account=city.account, reference=own.reference, answers={"shop_name": "林的私人小店"}
    )
    company = _company(city)
    first = services.application_start(
        account=city.account, item_id=city.item.pk, company_id=company.pk
    )
    services.application_save(
        account=city.account, reference=first.reference, answers={"shop_name": "晓敏商贸一店"}
    )
    second = services.application_start(
        account=city.account, item_id=city.item.pk, company_id=company.pk
    )
    from onewindow.online import selectors

    rows = {r.field["key"]: r for r in selectors.form_rows(second, city.account)}
    assert (rows["shop_name"].value, rows["shop_name"].source) == ("晓敏商贸一店", "previous")
    private = services.application_start(account=city.account, item_id=city.item.pk)
    rows = {r.field["key"]: r for r in selectors.form_rows(private, city.account)}
    assert (rows["shop_name"].value, rows["shop_name"].source) == ("林的私人小店", "previous")
    agent_rows = {r.field["key"]: r for r in selectors.form_rows(second, city.other_account)}
    assert [(k, r.value, r.masked, r.source) for k, r in agent_rows.items()] == [
        (key, "", "", "")
        for key in ("operator_name", "operator_id", "phone", "shop_name", "employees")
    ]


# --- 3. a double-clicked send is answered as the first ---------------------------------------


def _press_twice(city, application, key: str) -> list[str]:
    revision = application.revision
    results: list[str] = []

    def press() -> None:
        try:
            sent = services.application_submit(
                account=city.account,
                reference=application.reference,
                key=key,
                expected_revision=revision,
            )
            results.append(sent.state)
        except BaseException as exc:  # reported by the test's own assertion
            results.append(f"{type(exc).__name__}:{getattr(exc, 'code', '')}")

    if connection.vendor == "postgresql":
        start = threading.Barrier(2)

        def client() -> None:
            try:
                start.wait()
                press()
            finally:
                connection.close()

        threads = [threading.Thread(target=client) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    else:  # SQLite writes one transaction at a time: the second press comes after the first
        press()
        press()
    return results


@pytest.mark.django_db(transaction=True)
def test_a_double_clicked_send_is_answered_as_the_first_send(city):
    for attempt in range(3):
        application = filled(city)
        results = _press_twice(city, application, f"double-{attempt}")
        assert results == [OnlineState.SUBMITTED, OnlineState.SUBMITTED]
        application.refresh_from_db()
        assert application.state == OnlineState.SUBMITTED
        assert Submission.objects.filter(application=application).count() == 1
        assert application.events.filter(action="submit").count() == 1


@pytest.mark.django_db
def test_another_submission_under_a_used_key_stays_refused(city):
    first = filled(city)
    services.application_submit(account=city.account, reference=first.reference, key="used")
    second = filled(city)
    with pytest.raises(Exception) as refused:
        services.application_submit(
            account=city.account,
            reference=second.reference,
            key="used",
            expected_revision=second.revision,
        )
    assert (refused.value.code, refused.value.status) == ("idempotency_key_reused", 409)
    second.refresh_from_db()
    assert second.state == OnlineState.DRAFT
    assert (
        AuditLog.objects.filter(
            action="denied:online.submit_key_reused", object_id=str(second.pk)
        ).count()
        == 1
    )


# --- 4. a missing or malformed revision is refused ------------------------------------------

BAD_REVISIONS = ["", "abc", "1234567890", "-1", "１"]
REVISION_ZH = "页面未说明它显示的是申请的哪个版本。"
REVISION_EN = "The page did not say which version of the application it showed."


@pytest.mark.django_db
@pytest.mark.parametrize("revision", BAD_REVISIONS)
def test_the_staff_decision_needs_the_revision_the_page_showed(city, revision):
    application = filled(city)
    services.application_submit(account=city.account, reference=application.reference, key="k")
    application.refresh_from_db()
    staff = Client()
    staff.force_login(city.clerk)
    answer = staff.post(
        f"/staff/online/{application.reference}/decide/",
        {"decision": "accept", "revision": revision},
    )
    assert answer.status_code == 422
    page = answer.content.decode()
    assert REVISION_ZH in page and REVISION_EN in page
    application.refresh_from_db()
    assert (application.state, application.case_id) == (OnlineState.SUBMITTED, None)


@pytest.mark.django_db
@pytest.mark.parametrize("revision", BAD_REVISIONS)
def test_the_citizens_posts_need_the_revision_the_page_showed(city, revision):
    application = filled(city)
    before = (application.revision, application.answers, application.papers.count())
    client = signed_in(Client(), city.account)
    base = f"/my/online/{application.reference}"
    posts = [
        (f"{base}/form/", {"f_shop_name": "改了", "output_method": "electronic"}),
        (f"{base}/papers/", {"material": APPLICATION_FORM, "file": stream(sample_pdf(), "a.pdf")}),
        (f"{base}/papers/", {"action": "remove", "paper": application.papers.first().pk}),
        (f"{base}/review/", {"key": "a-key"}),
    ]
    for url, data in posts:
        answer = client.post(url, {**data, "revision": revision})
        assert answer.status_code == 422, url
        page = answer.content.decode()
        assert REVISION_ZH in page and REVISION_EN in page
    application.refresh_from_db()
    assert (application.revision, application.answers, application.papers.count()) == before
    assert application.state == OnlineState.DRAFT
    assert Paper.objects.count() == 2


@pytest.mark.django_db
def test_two_saves_each_keep_what_the_other_wrote(city):
    application = services.application_start(account=city.account, item_id=city.item.pk)
    services.application_save(
        account=city.account, reference=application.reference, answers={"shop_name": "甲"}
    )
    services.application_save(
        account=city.account, reference=application.reference, answers={"employees": 4}
    )
    application.refresh_from_db()
    assert application.answers == {"shop_name": "甲", "employees": 4}


# --- 5. a removed paper nothing else refers to is erased --------------------------------------


@pytest.mark.django_db
def test_a_removed_paper_is_erased_row_and_files(city, django_capture_on_commit_callbacks):
    application = services.application_start(account=city.account, item_id=city.item.pk)
    link = services.paper_upload(
        account=city.account,
        reference=application.reference,
        material_name=APPLICATION_FORM,
        upload=stream(sample_pdf(), "申请书.pdf"),
    )
    stored = [Path(settings.MEDIA_ROOT) / link.paper.file_name]
    if link.paper.thumbnail_name:
        stored.append(Path(settings.MEDIA_ROOT) / link.paper.thumbnail_name)
    assert _files() == sorted(stored)
    with django_capture_on_commit_callbacks(execute=True):
        services.paper_remove(
            account=city.account, reference=application.reference, paper_id=link.pk
        )
    assert (Paper.objects.count(), ApplicationPaper.objects.count(), _files()) == (0, 0, [])
    event = application.events.get(action="paper_remove")
    assert event.data == {"material": APPLICATION_FORM, "paper": link.paper_id, "erased": True}


@pytest.mark.django_db
def test_a_removed_paper_kept_in_my_papers_stays(city, django_capture_on_commit_callbacks):
    application = services.application_start(account=city.account, item_id=city.item.pk)
    link = services.paper_upload(
        account=city.account,
        reference=application.reference,
        material_name=APPLICATION_FORM,
        upload=stream(sample_pdf(), "申请书.pdf"),
    )
    person_paper_keep(
        person=city.person, paper=link.paper, label="申请书", consent=True, actor=city.clerk
    )
    files = _files()
    with django_capture_on_commit_callbacks(execute=True):
        services.paper_remove(
            account=city.account, reference=application.reference, paper_id=link.pk
        )
    assert ApplicationPaper.objects.count() == 0
    assert list(Paper.objects.values_list("pk", flat=True)) == [link.paper_id]
    assert PersonPaper.objects.filter(paper_id=link.paper_id).count() == 1
    assert _files() == files and files != []
    assert (
        OnlineApplication.objects.get(pk=application.pk)
        .events.get(action="paper_remove")
        .data["erased"]
        is False
    )
