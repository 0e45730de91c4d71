"""The printed intake papers: acceptance receipt, 补正 notice and 不予受理 notice, as PDF.

The PDFs are read back with poppler's ``pdftotext`` (Debian ``poppler-utils``), so what is
asserted is what a printer would print.
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess

import pytest
from django.utils import timezone

from onewindow.cases.models import MaterialStatus
from onewindow.cases.receipts import (
    _common_context,
    _qr_data_uri,
    case_notice_pdf,
    case_receipt_pdf,
    progress_qr_text,
    progress_url,
)
from onewindow.cases.services import (
    MaterialReceipt,
    case_accept,
    case_refuse_at_intake,
    case_request_supplement,
)
from onewindow.cases.tests.conftest import resident_id
from onewindow.core.errors import ApplicationError
from onewindow.reports.pdf import LocalOnlyFetcher

DEFERRED = "房屋安全鉴定报告"
PAPERS = ["既有住宅增设电梯申请表", "业主表决意见书", DEFERRED]


def pdf_text(pdf: bytes, tmp_path) -> str:
    """The PDF's text with all whitespace removed (CJK lines wrap anywhere)."""
    assert pdf.startswith(b"%PDF-")
    executable = shutil.which("pdftotext")
    assert executable, "pdftotext is missing: install Debian's poppler-utils"
    source = tmp_path / "document.pdf"
    source.write_bytes(pdf)
    out = subprocess.run(
        [executable, "-enc", "UTF-8", str(source), "-"], check=True, capture_output=True
    )
    return "".join(out.stdout.decode().split())


def page_count(pdf: bytes, tmp_path) -> int:
    source = tmp_path / "count.pdf"
    source.write_bytes(pdf)
    out = subprocess.run(
        [shutil.which("pdfinfo") or "pdfinfo", str(source)], check=True, capture_output=True
    )
    pages = [line for line in out.stdout.decode().splitlines() if line.startswith("Pages:")]
    return int(pages[0].split()[1])


def accepted_lift_case(city):
    due = timezone.localdate() + dt.timedelta(days=3)
    receipts = city.receipts(
        **{DEFERRED: MaterialReceipt(name=DEFERRED, status=MaterialStatus.DEFERRED, due_date=due)}
    )
    receipts[0].copies = 2
    receipts[1].receive_form = "electronic"
    return case_accept(intake=city.intake(materials=receipts, promise_signed=True)), due


def test_receipt_shows_the_case_the_papers_and_the_promise_with_a_masked_id(city, tmp_path):
    case, deferred_due = accepted_lift_case(city)
    pdf = case_receipt_pdf(case=case)
    text = pdf_text(pdf, tmp_path)

    assert page_count(pdf, tmp_path) == 1
    assert case.number in text
    assert "既有住宅增设电梯" in text
    assert "街道中心" in text  # the accepting centre issues it
    assert "陈大文" in text
    assert city.person.id_number_masked in text
    assert city.person.id_number_masked == resident_id()[:6] + "*" * 8 + resident_id()[-4:]
    assert resident_id() not in text
    assert "13800138000" not in text
    promised = timezone.localtime(case.due_at).date().isoformat()
    assert promised in text
    assert timezone.localtime(case.accepted_at).strftime("%Y-%m-%d%H:%M") in text
    for paper in PAPERS:
        assert paper in text
    assert deferred_due.isoformat() in text
    assert case.query_code in text
    assert "".join(progress_url(case=case).split()) in text


def test_progress_url_is_absolute_from_the_public_base_url(city, settings):
    case, _due = accepted_lift_case(city)
    settings.PUBLIC_BASE_URL = "https://zwfw.example.gov.cn/"
    assert progress_url(case=case) == (
        f"https://zwfw.example.gov.cn/progress/?number={case.number}"
    )


def test_the_qr_code_carries_the_query_code_only_in_the_fragment(city, settings):
    case, _due = accepted_lift_case(city)
    settings.PUBLIC_BASE_URL = "https://zwfw.example.gov.cn"
    text = progress_qr_text(case=case)
    assert text == (
        f"https://zwfw.example.gov.cn/progress/?number={case.number}#code={case.query_code}"
    )
    address, fragment = text.split("#")
    assert case.query_code not in address
    assert fragment == f"code={case.query_code}"
    # The receipt's QR image is made from exactly that text, and the printed address has no code.
    context = _common_context(case)
    assert context["qr_data_uri"] == _qr_data_uri(text)
    assert context["progress_url"] == address


def test_supplement_notice_lists_every_wanting_paper_and_the_deadline(city, tmp_path):
    receipts = city.receipts(
        **{
            "业主表决意见书": MaterialReceipt(name="业主表决意见书", status=MaterialStatus.MISSING),
            "既有住宅增设电梯申请表": MaterialReceipt(
                name="既有住宅增设电梯申请表", status=MaterialStatus.FAULTY, problem="缺业主签名"
            ),
        }
    )
    deadline = timezone.localdate() + dt.timedelta(days=10)
    case = case_request_supplement(intake=city.intake(materials=receipts), deadline=deadline)
    pdf = case_notice_pdf(case=case)
    text = pdf_text(pdf, tmp_path)

    assert case.number in text
    assert "既有住宅增设电梯" in text
    assert "第三十二条" in text
    assert "业主表决意见书" in text
    assert "既有住宅增设电梯申请表" in text
    assert "缺业主签名" in text
    assert deadline.isoformat() in text
    assert city.person.id_number_masked in text
    assert resident_id() not in text
    # Not accepted: no acceptance receipt exists for it.
    with pytest.raises(ApplicationError) as caught:
        case_receipt_pdf(case=case)
    assert caught.value.code == "not_accepted"


def test_refusal_notice_gives_the_reasons(city, tmp_path):
    case = case_refuse_at_intake(
        intake=city.intake(), reasons="申请事项不属于本机关职权范围，请向市住房和城乡建设局申请。"
    )
    text = pdf_text(case_notice_pdf(case=case), tmp_path)
    assert case.number in text
    assert "既有住宅增设电梯" in text
    assert "申请事项不属于本机关职权范围，请向市住房和城乡建设局申请。" in text
    assert city.person.id_number_masked in text
    assert resident_id() not in text
    assert case.query_code not in text  # nothing to follow: the case ends here


def test_notice_of_an_accepted_case_is_its_receipt(city, tmp_path):
    case, _due = accepted_lift_case(city)
    text = pdf_text(case_notice_pdf(case=case), tmp_path)
    assert timezone.localtime(case.due_at).date().isoformat() in text
    assert case.query_code in text


def test_rendering_fetches_nothing_from_outside():
    fetcher = LocalOnlyFetcher()
    for url in ("http://127.0.0.1:8000/static/css/onewindow.css", "file:///etc/passwd"):
        with pytest.raises(ValueError):
            fetcher.fetch(url)
    assert fetcher.fetch("data:text/plain,ok") is not None


def test_a_department_reprint_hides_the_query_code_the_window_prints_it(city, tmp_path, client):
    # The code is the applicant's key to the progress page: the window that hands the paper
    # over prints it; a department of the joint review that opens the receipt sees it masked,
    # and its QR code holds the number only.
    case, _ = accepted_lift_case(city)
    client.force_login(city.clerk)
    at_window = pdf_text(client.get(f"/staff/cases/{case.number}/receipt.pdf").content, tmp_path)
    assert case.query_code in at_window
    client.force_login(city.approvers[city.joint_departments[3].pk])
    answer = client.get(f"/staff/cases/{case.number}/receipt.pdf")
    assert answer.status_code == 200
    elsewhere = pdf_text(answer.content, tmp_path)
    assert case.query_code not in elsewhere
    assert "******" in elsewhere
    assert case.number in elsewhere
    masked = _common_context(case, with_query_code=False)
    assert masked["qr_data_uri"] == _qr_data_uri(progress_url(case=case))


def test_the_intake_result_page_masks_the_code_for_a_department(city, client):
    # The result page of the window shows the code to the clerk who hands it over; a joint
    # department that opens the same address sees the mask (review: it showed the code).
    case, _ = accepted_lift_case(city)
    client.force_login(city.clerk)
    at_window = client.get(f"/staff/intake/done/{case.number}/", follow=True)
    assert at_window.status_code == 200
    assert case.query_code in at_window.content.decode()
    client.force_login(city.approvers[city.joint_departments[3].pk])
    elsewhere = client.get(f"/staff/intake/done/{case.number}/", follow=True)
    assert elsewhere.status_code == 200
    body = elsewhere.content.decode()
    assert case.query_code not in body
    assert '<dd class="mono query-code">******</dd>' in body
