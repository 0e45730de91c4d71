"""The knowledge base in a real headless Chromium: a department lead writes and publishes an
answer; an agent types a caller's question and the suggestion (htmx) offers it with the
"采用此答复" button; a street-light question gets the "no answer" line."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from onewindow.cases.tests.test_browser_walks import Desk
from onewindow.knowledge.models import Article

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _no_second_factor(settings):
    settings.STAFF_SECOND_FACTOR_ROLES = []


def test_a_lead_publishes_an_answer_and_an_agent_finds_it_while_typing(
    browser: Any, live_server: Any, lead: Any, agent: Any, depts: Any
) -> None:
    desk = Desk(browser, live_server, lead)
    try:
        page = desk.go("/staff/knowledge/new/")
        page.locator("#id_kind").select_option("answer")
        page.locator("#id_department").select_option(str(depts["scj"].pk))
        page.locator("#id_title").fill("个体户营业执照怎么办")
        page.locator("#id_keywords").fill("个体户 办执照")
        page.locator("#id_body").fill(
            "办个体户营业执照：带身份证和租赁合同到区政务服务中心，材料齐全当场发照，不收费。"
        )
        page.get_by_role("button", name="保存").click()
        expect(page.locator("[data-state]")).to_have_text("草稿")
        page.get_by_role("button", name="发布").click()
        expect(page.locator(".messages")).to_contain_text("条目已发布，话务员现在可以查到。")
        expect(page.locator("[data-state]")).to_have_text("已发布")
    finally:
        desk.close()
    article = Article.objects.get()
    desk = Desk(browser, live_server, agent)
    try:
        page = desk.go("/staff/knowledge/")
        page.locator("#kb-q").press_sequentially("个体户怎么办执照", delay=20)
        hit = page.locator(
            f'#kb-suggestions li[data-article-version="{article.current_version_id}"]'
        )
        expect(hit).to_contain_text("个体户营业执照怎么办")
        expect(hit.locator("mark").first).to_be_visible()
        expect(hit.locator("button.kb-use")).to_have_text("采用此答复")
        page.locator("#kb-q").fill("")
        page.locator("#kb-q").press_sequentially("路灯不亮", delay=20)
        expect(page.locator("#kb-suggestions")).to_contain_text("知识库中没有相关答复。")
        expect(page.locator("#kb-suggestions li")).to_have_count(0)
    finally:
        desk.close()
