"""htmx pages keep working under the Content-Security-Policy, in a real headless Chromium
(Debian's), and the browser reports no violation of the policy."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from onewindow.catalog.models import CatalogImportJob, ImportStatus
from onewindow.org.models import Role
from onewindow.testing.factories import create_item, staff_with_role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "pass-1234-word"  # UserFactory's
DESKTOP = {"width": 1366, "height": 900}
# Collects every violation the page reports (an init script is not itself subject to the CSP).
WATCH_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(event.violatedDirective + " " + event.blockedURI);
});
"""


@pytest.fixture
def desk(browser):
    context = browser.new_context(viewport=DESKTOP, locale="zh-CN", timezone_id="Asia/Shanghai")
    context.set_default_timeout(10_000)
    context.add_init_script(WATCH_VIOLATIONS)
    page = context.new_page()
    console: list[str] = []
    page.on("console", lambda message: console.append(f"{message.type}: {message.text}"))
    page.console_messages = console
    yield page
    context.close()


def violations(page) -> list[str]:
    reported = page.evaluate("window.__cspViolations")
    logged = [line for line in page.console_messages if "Content Security Policy" in line]
    return reported + logged


def test_the_staff_import_page_polls_with_htmx_under_the_csp_with_no_violation(desk, live_server):
    admin = staff_with_role(Role.ADMIN)
    job = CatalogImportJob.objects.create(
        file="catalog/imports/x.xlsx",
        original_name="x.xlsx",
        status=ImportStatus.RUNNING,
        processed_rows=30,
        total_rows=60,
    )
    page = desk
    page.goto(f"{live_server.url}/staff/sign-in/?next=/staff/catalog/import/{job.pk}/")
    page.locator("#id_username").fill(admin.username)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("#id_password").press("Enter")
    page.wait_for_url(f"{live_server.url}/staff/catalog/import/{job.pk}/")
    htmx_config = page.evaluate("document.querySelector('meta[name=htmx-config]').content")
    assert htmx_config == '{"includeIndicatorStyles": false, "allowEval": false}'
    expect(page.locator("#import-progress strong[data-status]")).to_have_text("正在校验并导入")
    expect(page.locator("#import-progress progress")).to_have_attribute("value", "50")

    # The job finishes; the page's htmx poll (every second) brings the news without a reload.
    CatalogImportJob.objects.filter(pk=job.pk).update(
        status=ImportStatus.DONE, processed_rows=60, summary={"items": 60}
    )
    expect(page.locator("#import-progress strong[data-status]")).to_have_text("已导入")
    expect(page.locator("#import-progress .message--success")).to_have_text("工作簿已导入。")
    expect(page.locator("#import-progress")).not_to_have_attribute("hx-trigger", "every 1s")
    # htmx injected no <style> of its own (the policy would refuse it).
    assert page.evaluate("document.querySelectorAll('style').length") == 0
    assert violations(page) == []


def test_the_public_search_shows_live_results_under_the_csp_with_no_violation(desk, live_server):
    create_item(name="既有住宅增设电梯")
    create_item(name="食品经营许可")
    page = desk
    response = page.goto(f"{live_server.url}/search/")
    assert response is not None
    assert "script-src 'self'" in response.headers["content-security-policy"]
    page.locator("#q").press_sequentially("电梯")
    # Live results arrive by htmx (hx-get on input), without a page load.
    expect(page.locator("#search-results")).to_contain_text("既有住宅增设电梯")
    expect(page.locator("#search-results")).not_to_contain_text("食品经营许可")
    assert page.evaluate("performance.getEntriesByType('navigation').length") == 1
    assert violations(page) == []


def test_the_admin_item_page_runs_under_the_csp_with_no_violation(desk, live_server):
    admin = staff_with_role(Role.ADMIN)
    item = create_item(name="既有住宅增设电梯")
    page = desk
    change = f"/admin/catalog/serviceitem/{item.pk}/change/"
    page.goto(f"{live_server.url}/staff/sign-in/?next={change}")
    page.locator("#id_username").fill(admin.username)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("#id_password").press("Enter")
    page.wait_for_url(f"{live_server.url}{change}")
    expect(page.locator("#id_name")).to_have_value("既有住宅增设电梯")
    # The admin's scripts ran: the two-box pickers of filter_horizontal are built by them.
    expect(page.locator("#id_topics_from")).to_be_attached()
    assert violations(page) == []
