"""A rendered paper is kept: a second download of an unchanged case renders nothing, a change
that shows on the paper renders it anew, and every download is still an audited read. Renders
are counted by ``receipts.RENDERS`` (incremented where WeasyPrint is called)."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.urls import reverse

from onewindow.cases import receipts
from onewindow.cases.services import MaterialReceipt, case_supplement_received
from onewindow.cases.tests.test_receipts import DEFERRED, accepted_lift_case, pdf_text
from onewindow.config import settings as project_settings
from onewindow.core.models import AuditLog


@pytest.fixture
def documents_cache(settings, request):
    """This test's own empty document cache (the project's is a folder under var/)."""
    settings.CACHES = {
        **settings.CACHES,
        "documents": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": f"documents-{request.node.nodeid}",
        },
    }


def url(name: str, number: str) -> str:
    return reverse(f"cases_staff:{name}", args=[number])


def reads(case) -> list[str]:
    rows = AuditLog.objects.filter(action="cases.document_read", object_id=str(case.pk))
    return [row.detail["purpose"] for row in rows.order_by("id")]


def test_a_second_download_renders_nothing_a_change_renders_anew_all_audited(
    client, city, documents_cache, tmp_path
):
    case, _due = accepted_lift_case(city)
    client.force_login(city.clerk)
    start = receipts.RENDERS.value

    first = client.get(url("case_receipt", case.number))
    assert first.status_code == 200
    assert receipts.RENDERS.value == start + 1
    second = client.get(url("case_receipt", case.number))
    assert second.status_code == 200
    assert receipts.RENDERS.value == start + 1  # served from the cache
    assert second.content == first.content
    # The notice of an accepted case is its receipt: the same paper, not rendered again.
    notice = client.get(url("case_notice", case.number))
    assert notice.content == first.content
    assert receipts.RENDERS.value == start + 1
    assert reads(case) == ["receipt", "receipt", "notice"]

    # The deferred (容缺) paper arrives: the paper lists it as received now. (The case's revision
    # does not move for it, so a cache keyed by the revision alone would serve the old paper; the
    # key is the paper's content.)
    case = case_supplement_received(
        case=case, actor=city.clerk, receipts=[MaterialReceipt(name=DEFERRED)]
    )
    third = client.get(url("case_receipt", case.number))
    assert third.status_code == 200
    assert receipts.RENDERS.value == start + 2
    assert third.content != first.content
    assert "容缺后补材料" in pdf_text(first.content, tmp_path)
    assert "容缺后补材料" not in pdf_text(third.content, tmp_path)
    assert client.get(url("case_receipt", case.number)).content == third.content
    assert receipts.RENDERS.value == start + 2
    assert reads(case) == ["receipt", "receipt", "notice", "receipt", "receipt"]


def test_a_refused_download_reads_no_cached_paper(client, city, documents_cache):
    """Another centre's clerk is refused before any paper is looked up or rendered."""
    from onewindow.cases.tests.test_staff_pages import other_street_clerk

    case, _due = accepted_lift_case(city)
    client.force_login(city.clerk)
    assert client.get(url("case_receipt", case.number)).status_code == 200
    client.force_login(other_street_clerk())
    start = receipts.RENDERS.value
    response = client.get(url("case_receipt", case.number))
    assert response.status_code == 404
    assert b"%PDF" not in response.content
    assert receipts.RENDERS.value == start
    assert reads(case) == ["receipt"]


def test_the_document_cache_is_a_folder_no_url_serves():
    """The project's document cache: files under var/, outside MEDIA_ROOT and the static
    folders (and MEDIA_URL is not routed: config/urls.py)."""
    documents = project_settings.CACHES["documents"]
    assert documents["BACKEND"] == "django.core.cache.backends.filebased.FileBasedCache"
    location = Path(str(documents["LOCATION"])).resolve()
    assert location.is_relative_to(project_settings.VAR_DIR)
    served = [
        project_settings.MEDIA_ROOT,
        project_settings.STATIC_ROOT,
        *project_settings.STATICFILES_DIRS,
    ]
    for folder in served:
        assert not location.is_relative_to(Path(folder).resolve())
        assert not Path(folder).resolve().is_relative_to(location)
