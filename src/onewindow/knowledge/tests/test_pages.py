"""The staff pages, the suggestion fragment and the API: who sees what, forms refuse bad input
with 400 (never 500) and write nothing, moves are POST with CSRF, lists cost a constant
number of queries."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from onewindow.core.models import AuditLog
from onewindow.knowledge import services
from onewindow.knowledge.codes import ArticleState
from onewindow.knowledge.models import Article, ArticleVersion

LIST = "/staff/knowledge/"
SUGGEST = "/staff/knowledge/suggest/"
API = "/api/knowledge/suggest"


def text(response) -> str:
    return response.content.decode()


def page_of(article) -> str:
    return f"/staff/knowledge/{article.pk}/"


def rows(html: str) -> list[str]:
    return re.findall(r'<tr data-article="(\d+)">', html)


@pytest.fixture
def answers(lead, depts):
    """Three published answers of the scj department."""
    made = []
    for title, body in (
        ("个体户营业执照怎么办", "带身份证和租赁合同到窗口，当场办执照。"),
        ("食品经营许可要多久", "材料齐全的，10个工作日内办结。"),
        ("办执照要交钱吗？", "登记和营业执照都不收费。"),
    ):
        article = services.article_create(
            actor=lead, kind="answer", title=title, body=body, department=depts["scj"]
        )
        made.append(services.article_publish(actor=lead, article=article))
    return made


def test_signed_out_the_pages_send_to_the_sign_in(client, draft):
    for address in (LIST, page_of(draft), SUGGEST + "?q=执照", "/staff/knowledge/new/"):
        response = client.get(address)
        assert response.status_code == 302
        assert "/staff/sign-in/" in response["Location"] or "login" in response["Location"]


def test_a_role_without_the_knowledge_base_is_refused_and_audited(client, grid_worker):
    client.force_login(grid_worker)
    assert client.get(LIST).status_code == 403
    assert client.get(SUGGEST, {"q": "执照"}).status_code == 403
    assert AuditLog.objects.filter(action="denied:knowledge.view").count() == 2


def test_the_agent_lists_published_articles_only(client, agent, answers, draft):
    client.force_login(agent)
    response = client.get(LIST)
    assert response.status_code == 200
    html = text(response)
    assert rows(html) == [str(a.pk) for a in answers]
    assert "知识库" in html and "新建条目" not in html
    assert client.get(page_of(draft)).status_code == 404
    assert client.get(page_of(answers[0])).status_code == 200


def test_a_lead_sees_the_own_drafts_not_another_departments(client, lead, other_lead, draft):
    client.force_login(lead)
    assert rows(text(client.get(LIST))) == [str(draft.pk)]
    html = text(client.get(page_of(draft)))
    assert (
        "编辑（生成新版本）" in html and f'action="/staff/knowledge/{draft.pk}/do/publish/"' in html
    )
    client.force_login(other_lead)
    assert rows(text(client.get(LIST))) == []
    assert client.get(page_of(draft)).status_code == 404
    assert client.get("/staff/knowledge/999999999999/").status_code == 404


def test_the_filters_and_the_search_box(client, lead, answers, draft):
    client.force_login(lead)
    assert rows(text(client.get(LIST, {"state": "draft"}))) == [str(draft.pk)]
    assert rows(text(client.get(LIST, {"kind": "law"}))) == []
    # Malformed filters are ignored (a message says so), never a 500.
    response = client.get(LIST, {"kind": "rumour", "department": "x"})
    assert response.status_code == 200 and "部分筛选条件无法识别" in text(response)
    html = text(client.get(LIST, {"q": "个体户怎么办执照"}))
    assert f'<li data-article="{answers[0].pk}">' in html
    assert "<mark>" in html
    Article.objects.filter(pk=answers[1].pk).update(review_due="2000-01-01")
    assert rows(text(client.get(LIST, {"overdue": "1"}))) == [str(answers[1].pk)]


def test_the_list_costs_the_same_queries_for_few_or_many_articles(client, lead, depts):
    client.force_login(lead)
    client.get(LIST)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(LIST).status_code == 200
        return len(queries.captured_queries)

    services.article_create(
        actor=lead, kind="answer", title="一", body="一", department=depts["scj"]
    )
    few = count()
    for n in range(20):
        services.article_create(
            actor=lead, kind="answer", title=f"问{n}", body="答", department=depts["scj"]
        )
    assert count() == few
    assert few <= 10


def test_create_through_the_form(client, lead, depts):
    client.force_login(lead)
    assert client.get("/staff/knowledge/new/").status_code == 200
    response = client.post(
        "/staff/knowledge/new/",
        {
            "kind": "answer",
            "department": depts["scj"].pk,
            "title": "个体户要年报吗",
            "keywords": "年报",
            "body": "每年1月1日至6月30日报送上一年度年报。",
        },
    )
    article = Article.objects.get()
    assert response.status_code == 302 and response["Location"] == page_of(article)
    assert (article.state, article.owner, article.current_version.number) == (
        ArticleState.DRAFT,
        lead,
        1,
    )


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        (
            {"title": "标题\x00"},
            "此处不能含有控制字符（例如 NUL 字节），请重新输入。 / This must not contain",
        ),
        ({"title": "长" * 201}, "200"),
        ({"body": ""}, "这个字段是必填项"),
        ({"kind": "rumour"}, "rumour"),
        ({"review_due": "2026-02-31"}, "日期"),
    ],
)
def test_bad_form_input_answers_400_and_writes_nothing(client, lead, depts, fields, message):
    client.force_login(lead)
    data = {"kind": "answer", "department": depts["scj"].pk, "title": "标题", "body": "正文"}
    data.update(fields)
    response = client.post("/staff/knowledge/new/", data)
    assert response.status_code == 400
    assert message in text(response)
    assert (Article.objects.count(), ArticleVersion.objects.count()) == (0, 0)


def test_a_lead_cannot_create_for_another_department_through_the_form(client, lead, depts):
    client.force_login(lead)
    response = client.post(
        "/staff/knowledge/new/",
        {"kind": "answer", "department": depts["rsj"].pk, "title": "标题", "body": "正文"},
    )
    assert response.status_code == 400
    assert Article.objects.count() == 0


def test_edit_adds_a_version_and_a_stale_edit_is_refused(client, lead, draft):
    client.force_login(lead)
    edit = f"/staff/knowledge/{draft.pk}/edit/"
    assert 'name="based_on" value="1"' in text(client.get(edit))
    response = client.post(edit, {"title": "新标题", "body": "新正文", "based_on": "1"})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert (draft.current_version.number, draft.title) == (2, "新标题")
    response = client.post(edit, {"title": "又一个", "body": "又一个", "based_on": "1"})
    assert response.status_code == 409
    assert "该条目刚被他人修改" in text(response)
    draft.refresh_from_db()
    assert draft.current_version.number == 2
    html = text(client.get(page_of(draft)))
    assert re.findall(r'<tr data-version="(\d+)">', html) == ["2", "1"]


def test_edit_of_another_departments_article_is_refused(client, other_lead, agent, draft, lead):
    client.force_login(other_lead)
    edit = f"/staff/knowledge/{draft.pk}/edit/"
    assert client.post(edit, {"title": "改", "body": "改", "based_on": "1"}).status_code == 404
    services.article_publish(actor=lead, article=draft)
    client.force_login(agent)
    assert client.get(edit).status_code == 403
    assert client.post(edit, {"title": "改", "body": "改", "based_on": "1"}).status_code == 403
    draft.refresh_from_db()
    assert draft.current_version.number == 1


def test_the_moves_are_posts(client, lead, draft):
    client.force_login(lead)
    publish = f"/staff/knowledge/{draft.pk}/do/publish/"
    assert client.get(publish).status_code == 405
    response = client.post(publish)
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.state == ArticleState.PUBLISHED
    html = text(client.get(page_of(draft)))
    assert "条目已发布，话务员现在可以查到。" in html
    # Publishing twice: a message, no change.
    client.post(publish)
    assert "现在不能发布" in text(client.get(page_of(draft)))
    response = client.post(f"/staff/knowledge/{draft.pk}/do/review/", {"next_due": "2099-13-01"})
    assert response.status_code == 302
    review_due = draft.review_due
    draft.refresh_from_db()
    assert draft.review_due == review_due
    client.post(f"/staff/knowledge/{draft.pk}/do/review/", {"next_due": "2099-01-01"})
    draft.refresh_from_db()
    assert draft.review_due.isoformat() == "2099-01-01"
    client.post(f"/staff/knowledge/{draft.pk}/do/retire/", {"reason": "过时"})
    draft.refresh_from_db()
    assert draft.state == ArticleState.RETIRED
    assert client.post(f"/staff/knowledge/{draft.pk}/do/explode/").status_code == 404


def test_moves_need_the_csrf_token(lead, draft):
    client = Client(enforce_csrf_checks=True)
    client.force_login(lead)
    assert client.post(f"/staff/knowledge/{draft.pk}/do/publish/").status_code == 403
    draft.refresh_from_db()
    assert draft.state == ArticleState.DRAFT


def test_another_departments_lead_moves_nothing(client, other_lead, draft):
    client.force_login(other_lead)
    for move in ("publish", "retire", "review"):
        assert client.post(f"/staff/knowledge/{draft.pk}/do/{move}/").status_code == 404
    draft.refresh_from_db()
    assert draft.state == ArticleState.DRAFT


def test_the_suggestion_fragment(client, agent, answers):
    client.force_login(agent)
    response = client.get(SUGGEST, {"q": "个体户怎么办执照"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    html = text(response)
    version = answers[0].current_version
    assert f'<li data-article-version="{version.pk}" data-article="{answers[0].pk}"' in html
    assert f'class="button button--secondary kb-use" data-article-version="{version.pk}"' in html
    assert "采用此答复" in html and "<mark>" in html and "区市场监管局" in html
    assert "<html" not in html
    html = text(client.get(SUGGEST, {"q": "路灯不亮"}))
    assert "知识库中没有相关答复。" in html and "<li" not in html
    assert text(client.get(SUGGEST)).strip() == ""
    assert client.get(SUGGEST, {"q": "执照\x00"}).status_code == 400


def test_the_fragment_costs_the_same_queries_for_few_or_many_articles(
    client, agent, lead, depts, answers
):
    client.force_login(agent)
    client.get(SUGGEST, {"q": "执照"})
    with CaptureQueriesContext(connection) as few:
        client.get(SUGGEST, {"q": "执照"})
    for n in range(20):
        article = services.article_create(
            actor=lead, kind="answer", title=f"执照问答{n}", body="执照", department=depts["scj"]
        )
        services.article_publish(actor=lead, article=article)
    with CaptureQueriesContext(connection) as many:
        client.get(SUGGEST, {"q": "执照"})
    assert len(many.captured_queries) == len(few.captured_queries) <= 8


def test_the_api_suggests(client, agent, answers):
    client.force_login(agent)
    response = client.get(API, {"q": "个体户怎么办执照"})
    assert response.status_code == 200
    first = response.json()[0]
    assert (first["article_id"], first["version_id"], first["version_number"]) == (
        answers[0].pk,
        answers[0].current_version_id,
        1,
    )
    assert first["department_short_name"] == "区市场监管局"
    assert any(part["matched"] for part in first["snippet_parts"])
    assert client.get(API, {"q": "路灯不亮"}).json() == []


def test_the_api_refuses_the_signed_out_the_unpermitted_and_bad_input(client, grid_worker, agent):
    assert client.get(API, {"q": "执照"}).status_code == 401
    client.force_login(grid_worker)
    assert client.get(API, {"q": "执照"}).status_code == 403
    assert AuditLog.objects.filter(action="denied:knowledge.view").count() == 1
    client.force_login(agent)
    assert client.get(API, {"q": "执照\x00"}).status_code == 422
    assert client.get(API, {"q": "长" * 201}).status_code == 422
    assert client.get(API, {"q": "执照", "limit": "0"}).status_code == 422
    assert client.get(API, {"q": "执照", "department_id": "99999999999"}).status_code == 422
    assert client.get(API).status_code == 422
