"""Issue 9's "done when", in a real headless Chromium at phone size: a citizen signs in by SMS
code and applies online for 个体工商户设立登记 with two uploaded papers; the centre pre-reviews
and asks for one 补正; the citizen re-uploads and sends again; the centre accepts; the
department reviews opening the scans; the result is delivered electronically; the citizen
sees every step in "my cases"."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from onewindow.cases.models import Case, CasePaper, TaskOutcome
from onewindow.cases.services import case_deliver, task_claim, task_complete
from onewindow.cases.transitions import CaseState, TaskState
from onewindow.citizens.tests.conftest import last_code
from onewindow.core.audit import AuditLog
from onewindow.online.models import OnlineApplication
from onewindow.online.tests.conftest import APPLICATION_FORM, ID_PROOF, PHONE
from onewindow.online.transitions import OnlineState
from onewindow.org.models import Role
from onewindow.papers.samples import sample_pdf, sample_png
from onewindow.testing.factories import staff_with_role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "pass-1234-word"  # UserFactory's


def staff_page(browser: Any, live_server: Any, user: Any) -> Any:
    context = browser.new_context(
        viewport={"width": 1366, "height": 900}, locale="zh-CN", timezone_id="Asia/Shanghai"
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.goto(f"{live_server.url}/staff/sign-in/?next=/staff/")
    page.locator("#id_username").fill(user.username)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("#id_password").press("Enter")
    page.wait_for_url(re.compile(r"/staff/$"))
    return page


def upload_in(page: Any, material: str, path: Any) -> None:
    box = page.locator(f'li.online-material[data-material="{material}"]')
    box.locator('input[type="file"]').set_input_files(str(path))
    box.locator(".online-upload__send").click()
    page.wait_for_selector(f'li.online-material[data-material="{material}"] .online-paper')


def no_sideways_scroll(page: Any) -> bool:
    return bool(page.evaluate("() => document.scrollingElement.scrollWidth <= window.innerWidth"))


def work_the_department(case: Case, approver: Any, lead: Any) -> None:
    users = {Role.DEPT_APPROVER: approver, Role.DEPT_LEAD: lead}
    while (task := case.tasks.filter(state=TaskState.OPEN).order_by("id").first()) is not None:
        user = users[task.role]
        task_claim(task=task, actor=user)
        task.refresh_from_db()
        task_complete(task=task, actor=user, outcome=TaskOutcome.APPROVE, opinion="同意")
        case.refresh_from_db()


def test_a_citizen_applies_online_is_asked_for_one_correction_and_gets_the_result(
    browser, live_server, phone_page, city, tmp_path
):
    form_file = tmp_path / "申请书.pdf"
    form_file.write_bytes(sample_pdf())
    blurred = tmp_path / "身份证.png"
    blurred.write_bytes(sample_png())
    sharp = tmp_path / "身份证-清晰.pdf"
    sharp.write_bytes(sample_pdf(pages=2))
    base = live_server.url

    # The guide → apply online → sign in by SMS code → back at the start.
    phone_page.goto(f"{base}/items/{city.item.pk}/")
    phone_page.locator("#item-apply-online").click()
    phone_page.wait_for_selector("#sign-in-phone")
    phone_page.fill("#sign-in-phone", PHONE)
    phone_page.locator("#sign-in-send").click()
    phone_page.wait_for_selector("#sign-in-code")
    phone_page.fill("#sign-in-code", last_code())
    phone_page.locator("#sign-in-submit").click()
    phone_page.wait_for_selector("#online-start")
    assert phone_page.locator("#online-item").inner_text() == "个体工商户设立登记"
    phone_page.locator("#online-start").click()

    # The form: filled once from the record (name in clear, ID and phone masked).
    phone_page.wait_for_selector("#online-form")
    assert phone_page.locator("#f-operator_name").input_value() == "林晓敏"
    assert phone_page.locator("#f-phone-kept").inner_text().startswith("来自您的档案：138****8000")
    assert no_sideways_scroll(phone_page)
    phone_page.screenshot(path="/tmp/online-form-phone.png", full_page=True)
    phone_page.fill("#f-shop_name", "晓敏小卖部")
    phone_page.locator("#output-electronic").check()
    phone_page.locator("#online-save-next").click()

    # Two papers uploaded, then review and send.
    phone_page.wait_for_selector("#online-materials")
    upload_in(phone_page, APPLICATION_FORM, form_file)
    upload_in(phone_page, ID_PROOF, blurred)
    assert no_sideways_scroll(phone_page)
    phone_page.screenshot(path="/tmp/online-papers-phone.png", full_page=True)
    phone_page.locator("#online-papers-next").click()
    phone_page.wait_for_selector("#online-review")
    assert phone_page.locator('#online-review dd[data-key="phone"]').inner_text() == "138****8000"
    phone_page.locator("#online-submit").click()
    phone_page.wait_for_selector("#online-sent")
    assert phone_page.locator("#online-state").inner_text() == "待预审"
    application = OnlineApplication.objects.get()
    reference = application.reference

    # The centre pre-reviews and asks for one 补正.
    clerk = staff_page(browser, live_server, city.clerk)
    clerk.goto(f"{base}/staff/online/")
    clerk.locator(f'#online-queue tr[data-reference="{reference}"] a').click()
    clerk.wait_for_selector("#online-decide")
    assert "138****8000" in clerk.locator("#online-answers").inner_text()
    clerk.screenshot(path="/tmp/online-pre-review.png", full_page=True)
    clerk.locator(f'input[name="problem"][value="m:{ID_PROOF}"]').check()
    clerk.locator(f'input[name="reason:m:{ID_PROOF}"]').fill("照片模糊，请上传清晰的扫描件")
    clerk.locator("#online-correction").click()
    clerk.wait_for_selector("#online-queue-empty")

    # The citizen sees what to correct, replaces the paper and sends again.
    phone_page.goto(f"{base}/my/online/{reference}/")
    problem = phone_page.locator(f'#online-problems li[data-material="{ID_PROOF}"]')
    assert problem.inner_text() == f"{ID_PROOF}：照片模糊，请上传清晰的扫描件"
    phone_page.locator("#online-edit-papers").click()
    box = phone_page.locator(f'li.online-material[data-material="{ID_PROOF}"]')
    box.locator(".online-remove").click()
    phone_page.wait_for_selector(f'li.online-material[data-material="{ID_PROOF}"] .online-upload')
    assert (
        phone_page.locator(f'li.online-material[data-material="{ID_PROOF}"] .online-paper').count()
        == 0
    )
    upload_in(phone_page, ID_PROOF, sharp)
    phone_page.locator("#online-papers-next").click()
    phone_page.locator("#online-submit").click()
    phone_page.wait_for_selector("#online-sent")

    # The centre opens the new scan and accepts: the case exists, the papers are on it.
    clerk.goto(f"{base}/staff/online/{reference}/")
    with clerk.expect_popup() as opened:
        clerk.locator(f'li[data-material="{ID_PROOF}"] .online-paper__open').click()
    opened.value.close()
    clerk.locator("#online-accept").click()
    clerk.wait_for_url(re.compile(r"/staff/cases/"))
    case = Case.objects.get()
    assert clerk.url.endswith(f"/staff/cases/{case.number}/")
    assert case.state == CaseState.ACCEPTED and case.output_method == "electronic"
    application.refresh_from_db()
    assert application.state == OnlineState.ACCEPTED and application.case == case

    # The department reviews, opening the scans (each view audited), and decides.
    approver = city.approver
    lead = staff_with_role(Role.DEPT_LEAD, department=city.department)
    reviewer = Client()
    reviewer.force_login(approver)
    for link in CasePaper.objects.filter(case=case):
        scan = reviewer.get(reverse("cases_staff:case_paper_file", args=[case.number, link.pk]))
        assert scan.status_code == 200
        assert scan["Content-Type"] == link.paper.content_type
    assert AuditLog.objects.filter(action="cases.paper_read", actor=approver).count() == 2
    work_the_department(case, approver, lead)
    assert case.state == CaseState.DECIDED
    case_deliver(case=case, actor=city.output_clerk, method="electronic")
    case.refresh_from_db()
    assert case.state == CaseState.DELIVERED

    # The citizen sees every step: the application's and the case's.
    phone_page.goto(f"{base}/my/online/{reference}/")
    steps = phone_page.locator("#online-steps .timeline__label").all_inner_texts()
    assert steps == [
        "已创建草稿",
        "已添加材料",
        "已添加材料",
        "已提交中心",
        "中心要求您补正申请",
        "已移除材料",
        "已添加材料",
        "已提交中心",
        "已受理：已生成办件",
    ]
    assert phone_page.locator("#online-visit").count() == 1
    phone_page.screenshot(path="/tmp/online-detail-phone.png", full_page=True)
    phone_page.locator("#online-case-link").click()
    phone_page.wait_for_selector(".timeline")
    labels = phone_page.locator(".timeline__label").all_inner_texts()
    assert labels == [
        "申请已受理",
        "有部门完成了本环节的办理",
        "有部门完成了本环节的办理",
        "有部门完成了本环节的办理",
        "已作出决定，正在准备办理结果",
        "办理结果已交付",
    ]
    assert no_sideways_scroll(phone_page)
    phone_page.goto(f"{base}/my/")
    row = phone_page.locator(f'#my-cases .my-case[data-number="{case.number}"]')
    assert row.count() == 1
    phone_page.screenshot(path="/tmp/online-my-cases-phone.png", full_page=True)
    clerk.context.close()
