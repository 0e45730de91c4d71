"""Electronic papers in a real headless Chromium: the window's clerk uploads a scan on the case
page and sees its thumbnail and the viewer; a PDF opens in the page's viewer frame; a joint
department's approver sees the same paper; a file that is not what its name says is refused
on the page in both languages."""

from __future__ import annotations

import re

import pytest

from onewindow.cases.models import CasePaper
from onewindow.cases.services import case_accept
from onewindow.cases.tests.test_browser_walks import Desk
from onewindow.papers.samples import sample_pdf, sample_png
from onewindow.testing.audit import audit_mark, audit_since

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FORM = "既有住宅增设电梯申请表"


def loaded(image) -> bool:
    return bool(image.evaluate("img => img.complete && img.naturalWidth > 0"))


def test_a_scan_uploaded_at_the_case_page_shows_its_thumbnail_and_viewer(
    browser, live_server, city
):
    case = case_accept(intake=city.intake())
    desk = Desk(browser, live_server, city.clerk)
    try:
        page = desk.go(f"/staff/cases/{case.number}/")
        form = page.locator("#paper-upload")
        form.locator("select[name=material]").select_option(label=FORM)
        form.locator("input[type=file]").set_input_files(
            {"name": "申请表.png", "mimeType": "image/png", "buffer": sample_png(400, 300)}
        )
        form.locator("button[type=submit]").click()
        page.wait_for_url(re.compile(rf"/staff/cases/{case.number}/#e-papers$"))
        link = CasePaper.objects.get(case=case)
        item = page.locator(f"#e-paper-{link.pk}")
        assert FORM in item.inner_text()
        thumbnail = item.locator("img.e-paper__thumbnail")
        thumbnail.wait_for()
        page.wait_for_function(
            "img => img.complete && img.naturalWidth > 0", arg=thumbnail.element_handle()
        )
        assert thumbnail.evaluate("img => [img.naturalWidth, img.naturalHeight]") == [320, 240]
        mark = audit_mark()
        item.locator(".e-paper__viewer summary").click()
        full = item.locator("img.e-paper__image")
        page.wait_for_function(
            "img => img.complete && img.naturalWidth > 0", arg=full.element_handle()
        )
        assert full.evaluate("img => img.naturalWidth") == 400
        assert audit_since(mark).filter(action="cases.paper_read", actor=city.clerk).count() == 1

        # A PDF: no thumbnail but a badge, and the viewer frame loads the authorised file.
        form = page.locator("#paper-upload")
        form.locator("input[type=file]").set_input_files(
            {"name": "表决.pdf", "mimeType": "application/pdf", "buffer": sample_pdf(pages=2)}
        )
        form.locator("button[type=submit]").click()
        page.wait_for_load_state()
        pdf = CasePaper.objects.filter(case=case).order_by("-id").first()
        item = page.locator(f"#e-paper-{pdf.pk}")
        assert item.locator(".e-paper__badge").inner_text() == "PDF"
        assert "2 页" in item.inner_text()
        url = f"/staff/cases/{case.number}/papers/{pdf.pk}/"
        with page.expect_response(lambda r: r.url.endswith(url)) as answer:
            item.locator(".e-paper__viewer summary").click()
        assert answer.value.status == 200
        assert answer.value.headers["content-type"] == "application/pdf"
        assert item.locator("iframe.e-paper__pdf").get_attribute("src") == url

        # A PNG named .pdf: refused on the page, in Chinese and English, nothing kept.
        form = page.locator("#paper-upload")
        form.locator("input[type=file]").set_input_files(
            {"name": "身份证.pdf", "mimeType": "application/pdf", "buffer": sample_png()}
        )
        form.locator("button[type=submit]").click()
        page.wait_for_load_state()
        error = page.locator("#e-papers .staff-error, #e-papers [role=alert]").first
        text = error.inner_text()
        assert "与文件名不符" in text and "it is not what its name says" in text
        assert CasePaper.objects.filter(case=case).count() == 2
    finally:
        desk.close()

    approver = city.approvers[city.joint_departments[0].pk]
    other = Desk(browser, live_server, approver)
    try:
        page = other.go(f"/staff/cases/{case.number}/")
        thumbnail = page.locator(f"#e-paper-{link.pk} img.e-paper__thumbnail")
        thumbnail.wait_for()
        page.wait_for_function(
            "img => img.complete && img.naturalWidth > 0", arg=thumbnail.element_handle()
        )
        assert page.locator("#paper-upload").count() == 0  # departments read, the window adds
    finally:
        other.close()
