"""Suggestions while the agent types, on the demo city's knowledge base (seeded by the demo
generator from its catalogue and the duties file)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from onewindow.demo.generator import build_demo_city
from onewindow.knowledge import services
from onewindow.knowledge.codes import ArticleState
from onewindow.knowledge.models import Article
from onewindow.knowledge.selectors import article_suggest
from onewindow.org.models import Department, Role
from onewindow.testing.factories import staff_with_role

PENSION = {"城乡居民基本养老保险待遇核定", "企业职工基本养老保险待遇申领"}


@pytest.fixture
def city(db):
    build_demo_city(seed=2026, scale=0.05)


def titles(text: str, **kwargs) -> list[str]:
    return [hit.title for hit in article_suggest(text, **kwargs)]


def test_the_demo_city_is_seeded(city):
    assert Article.objects.filter(state=ArticleState.PUBLISHED).count() > 40
    assert Article.objects.filter(source_key="duty:cgj").exists()


@pytest.mark.parametrize("text", ["退休金怎么领", "养老金", "退休金", "pension"])
def test_pension_questions_find_the_pension_answers_first(city, text):
    hits = article_suggest(text)
    assert {hit.title for hit in hits[:2]} == PENSION
    assert {hit.department_short_name for hit in hits[:2]} == {"区人社局"}
    assert {hit.kind for hit in hits[:2]} == {"answer"}


def test_an_individual_business_licence_finds_its_registration(city):
    assert titles("个体户怎么办执照")[0] == "个体工商户设立登记"
    assert titles("办执照要交钱吗")[0] == "办执照要交钱吗？"


@pytest.mark.parametrize(
    "text", ["路灯不亮", "路灯坏了", "我想问一下路灯坏了不亮怎么办", "我家门口的路灯坏了一直不亮"]
)
def test_a_broken_street_light_has_no_answer_at_all(city, text):
    assert article_suggest(text) == []


@pytest.mark.parametrize(
    ("text", "title"),
    [
        ("楼下有人摆摊", "区城管执法局的职责（市容、占道经营、违法建设）"),
        ("下水道堵了", "区水务局的职责（排水、内涝、河涌）"),
        ("拖欠工资", "区人社局的职责（就业、社保、劳动维权）"),
    ],
)
def test_matters_of_a_department_find_its_duties(city, text, title):
    assert titles(text)[0] == title


def test_a_hit_carries_what_the_agent_reads_and_the_order_records(city):
    hit = article_suggest("退休金怎么领")[0]
    article = Article.objects.select_related("current_version").get(pk=hit.article_id)
    assert (hit.code, hit.version_id, hit.version_number) == (
        article.code,
        article.current_version_id,
        1,
    )
    assert str(hit.kind_label) in ("Answers (问答口径)", "问答口径")
    assert len(hit.snippet) <= 82
    assert "".join(text for text, _ in hit.snippet_parts) == hit.snippet
    marked = {text for text, matched in hit.snippet_parts if matched}
    assert marked and marked <= {"养老金", "养老保险", "退休金", "退休"}


def test_only_published_articles_are_suggested(city):
    admin = staff_with_role(Role.ADMIN)
    first = article_suggest("个体户怎么办执照")[0]
    article = Article.objects.get(pk=first.article_id)
    services.article_retire(actor=admin, article=article)
    assert "个体工商户设立登记" not in titles("个体户怎么办执照")
    draft = services.article_create(
        actor=admin, kind="answer", title="个体户执照年报", body="每年6月30日前年报。"
    )
    assert draft.pk not in [hit.article_id for hit in article_suggest("个体户执照")]


def test_a_revision_is_suggested_at_its_new_version(city):
    admin = staff_with_role(Role.ADMIN)
    hit = article_suggest("办执照要交钱吗")[0]
    article = Article.objects.get(pk=hit.article_id)
    version = services.article_revise(
        actor=admin, article=article, title=hit.title, body="登记、执照和年报都不收费。"
    )
    again = article_suggest("办执照要交钱吗")[0]
    assert (again.article_id, again.version_id, again.version_number) == (
        article.pk,
        version.pk,
        2,
    )


def test_the_department_filter_and_the_users_permission(city):
    rsj = Department.objects.get(short_name="区人社局")
    hits = article_suggest("个体户怎么办执照", department_id=rsj.pk)
    assert hits and {hit.department_short_name for hit in hits} == {"区人社局"}
    assert "个体工商户设立登记" not in [hit.title for hit in hits]
    grid = staff_with_role(Role.GRID_WORKER, region=rsj.region)
    assert article_suggest("养老金", user=grid) == []
    agent = staff_with_role(Role.HOTLINE_AGENT)
    assert titles("养老金", user=agent)[:2] != []


@pytest.mark.parametrize("text", ["", "   ", "，。！", "\u3000"])
def test_an_empty_text_asks_nothing(city, text, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert article_suggest(text) == []


def test_a_suggestion_costs_three_queries_whatever_the_number_of_articles(
    city, django_assert_max_num_queries
):
    with django_assert_max_num_queries(3):
        few = article_suggest("养老金")
    admin = staff_with_role(Role.ADMIN)
    for n in range(40):
        article = services.article_create(
            actor=admin, kind="answer", title=f"养老金问答{n}", body=f"养老金第{n}条口径。"
        )
        services.article_publish(actor=admin, article=article)
    with CaptureQueriesContext(connection) as many:
        hits = article_suggest("养老金", limit=20)
    assert len(many.captured_queries) == 3
    assert len(hits) == 20 and len(few) == 5


def test_the_catalogue_reads_the_query_for_other_indexes():
    from onewindow.catalog.search import query_groups, search_terms

    groups = query_groups("退休金怎么领")
    assert [group.word for group in groups] == ["退休金"]
    assert [(term.text, term.kind) for term in groups[0].terms] == [
        ("退休金", "word"),
        ("退休", "fragment"),
        ("养老金", "synonym"),
        ("养老保险", "synonym"),
    ]
    assert [group.word for group in query_groups("pension")] == ["pension"]
    # Latin letters are read as English words; with no English word left there is only the
    # pinyin reading, which needs a pinyin index the knowledge base does not have.
    assert [group.word for group in query_groups("ylj")] == ["ylj"]
    assert query_groups("how do i") == []
    assert query_groups("，。") == []
    assert search_terms(["领养老金。"]) == ["领养老金", "领", "养老", "老金", "养老金"]
