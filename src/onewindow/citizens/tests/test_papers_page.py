"""我的材料: the bound person's kept papers, opened through an authorised, audited view;
withdrawn by the citizen (new-user trial: the page said "not available yet")."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from onewindow.citizens.tests.conftest import OTHER_PHONE, PHONE, browser_sign_in
from onewindow.core.models import AuditLog
from onewindow.papers.models import PaperSource, PersonPaper
from onewindow.papers.samples import sample_pdf, sample_png
from onewindow.papers.services import paper_stored
from onewindow.testing.factories import create_person, make_resident_id

pytestmark = pytest.mark.django_db


def keep(person, label: str, *, pdf: bool = False) -> PersonPaper:
    name = "scan.pdf" if pdf else "scan.png"
    data = sample_pdf() if pdf else sample_png()
    with paper_stored(
        upload=SimpleUploadedFile(name, data), name=name, source=PaperSource.WINDOW, actor=None
    ) as paper:
        pass
    return PersonPaper.objects.create(
        person=person, paper=paper, label=label, consent_note="2026-12-01 10:00 clerk"
    )


def bound(client, phone: str = PHONE, name: str = "王小明"):
    number = make_resident_id()
    person = create_person(id_number=number, name=name, phone=phone)
    browser_sign_in(client, phone)
    assert client.post("/my/real-name/", {"name": name, "id_number": number}).status_code == 302
    return person


def test_without_a_real_name_the_page_asks_to_bind_first(client):
    browser_sign_in(client)
    text = client.get("/my/papers/").content.decode()
    assert 'id="my-papers-unbound"' in text
    assert "暂未开通" not in text


def test_my_papers_lists_the_kept_papers_and_opens_them_audited(client):
    person = bound(client)
    png = keep(person, "户口簿")
    pdf = keep(person, "结婚证", pdf=True)
    text = client.get("/my/papers/").content.decode()
    assert 'id="my-papers"' in text
    assert "户口簿" in text and "结婚证" in text and "PNG" in text and "PDF" in text
    assert f'href="/my/papers/{pdf.pk}/file/"' in text
    assert f'src="/my/papers/{png.pk}/thumbnail/"' in text
    assert AuditLog.objects.filter(action="citizens.papers_read").count() == 1
    opened = client.get(f"/my/papers/{pdf.pk}/file/")
    assert opened.status_code == 200
    assert opened["Content-Type"] == "application/pdf"
    assert opened.content.startswith(b"%PDF-")
    assert "no-store" in opened["Cache-Control"]
    assert opened["X-Content-Type-Options"] == "nosniff"
    thumb = client.get(f"/my/papers/{png.pk}/thumbnail/")
    assert thumb.status_code == 200 and "sandbox" in thumb["Content-Security-Policy"]
    assert AuditLog.objects.filter(action="citizens.paper_read").count() == 2


def test_another_accounts_paper_is_the_same_404_as_a_missing_one_and_audited(client):
    from django.test import Client

    other = bound(Client(), OTHER_PHONE, "李四")
    theirs = keep(other, "身份证")
    bound(client)
    for address in (
        f"/my/papers/{theirs.pk}/file/",
        f"/my/papers/{theirs.pk}/thumbnail/",
        "/my/papers/999999/file/",
        "/my/papers/99999999999999999999/file/",
        "/my/papers/²/file/",
    ):
        answer = client.get(address)
        assert answer.status_code == 404, address
        assert theirs.label not in answer.content.decode()
    assert AuditLog.objects.filter(action="denied:citizens.paper_read").count() == 5
    refused = client.post("/my/papers/", {"withdraw": str(theirs.pk)})
    assert refused.status_code == 404
    assert AuditLog.objects.filter(action="denied:citizens.paper_withdraw").count() == 1
    theirs.refresh_from_db()
    assert theirs.withdrawn_at is None


def test_withdrawing_a_paper_removes_it_and_is_audited(client):
    person = bound(client)
    kept = keep(person, "户口簿")
    answer = client.post("/my/papers/", {"withdraw": str(kept.pk)})
    assert answer.status_code == 302 and answer["Location"] == "/my/papers/?withdrawn=1"
    kept.refresh_from_db()
    assert kept.withdrawn_at is not None
    assert AuditLog.objects.filter(action="papers.person_paper_withdraw").count() == 1
    # The trail names who withdrew it: the citizen's account and the masked person.
    row = AuditLog.objects.get(action="citizens.paper_withdraw")
    assert (row.object_type, row.allowed) == ("citizens.citizenaccount", True)
    assert row.detail == {"kept": kept.pk, "person_id_masked": person.id_number_masked}
    text = client.get(answer["Location"]).content.decode()
    assert 'id="my-paper-withdrawn"' in text and "户口簿" not in text
    assert client.get(f"/my/papers/{kept.pk}/file/").status_code == 404


def test_withdrawing_needs_the_csrf_token(client):
    from django.test import Client

    from onewindow.citizens.auth import COOKIE_NAME

    person = bound(client)
    kept = keep(person, "户口簿")
    strict = Client(enforce_csrf_checks=True)
    strict.cookies[COOKIE_NAME] = client.cookies[COOKIE_NAME].value
    answer = strict.post("/my/papers/", {"withdraw": str(kept.pk)})
    assert answer.status_code == 403
    kept.refresh_from_db()
    assert kept.withdrawn_at is None


def test_the_page_reads_a_constant_number_of_queries(client, django_assert_max_num_queries):
    person = bound(client)
    keep(person, "一")
    with django_assert_max_num_queries(12) as one:
        client.get("/my/papers/")
    for label in ("二", "三", "四", "五"):
        keep(person, label, pdf=True)
    with django_assert_max_num_queries(len(one.captured_queries)):
        text = client.get("/my/papers/").content.decode()
    assert text.count('class="my-paper"') == 5
