"""The writes: create, revise, publish, retire, confirm the review — permission first, input
checked at the edge, one audit row, nothing half-written."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from onewindow.core.errors import NotFoundOrForbidden, PermissionDenied, ValidationFailed
from onewindow.core.models import AuditLog
from onewindow.knowledge import services
from onewindow.knowledge.codes import ArticleState
from onewindow.knowledge.errors import ArticleNotAllowed, StaleArticle
from onewindow.knowledge.models import Article, ArticleVersion


def snapshot(article: Article) -> tuple:
    article.refresh_from_db()
    return (
        article.state,
        article.title,
        article.current_version_id,
        article.review_due,
        article.versions.count(),
    )


def test_create_makes_a_draft_with_its_first_version_owned_by_the_author(draft, lead, depts):
    assert draft.code == "ZS000001"
    assert (draft.state, draft.owner, draft.department) == (
        ArticleState.DRAFT,
        lead,
        depts["scj"],
    )
    version = draft.current_version
    assert (version.number, version.title, version.body, version.changed_by) == (
        1,
        "办执照要交钱吗？",
        "登记和营业执照都不收费。",
        lead,
    )
    assert "执照" in draft.search_title.split() and "收费" in draft.search_keywords.split()
    row = AuditLog.objects.get(action="knowledge.article_create")
    assert (row.actor, row.object_id, row.detail) == (
        lead,
        str(draft.pk),
        {"kind": "answer", "version": 1},
    )


def test_codes_follow_one_another(draft, lead, depts):
    second = services.article_create(
        actor=lead, kind="policy", title="个体户扶持政策", body="正文", department=depts["scj"]
    )
    assert second.code == "ZS000002"


@pytest.mark.parametrize("who", ["other_lead", "agent", "approver", "anonymous"])
def test_create_for_a_department_outside_ones_scope_is_refused_audited_and_writes_nothing(
    request, depts, who
):
    from django.contrib.auth.models import AnonymousUser

    actor = AnonymousUser() if who == "anonymous" else request.getfixturevalue(who)
    with pytest.raises(PermissionDenied):
        services.article_create(
            actor=actor, kind="answer", title="标题", body="正文", department=depts["scj"]
        )
    assert (Article.objects.count(), ArticleVersion.objects.count()) == (0, 0)
    assert AuditLog.objects.filter(action="denied:knowledge.edit", allowed=False).count() == 1


def test_an_article_of_no_department_is_the_administrators(lead, admin):
    with pytest.raises(PermissionDenied):
        services.article_create(actor=lead, kind="law", title="条例", body="正文")
    law = services.article_create(actor=admin, kind="law", title="条例", body="正文")
    assert law.department is None


def test_bad_input_names_every_problem_and_writes_nothing(lead, depts):
    with pytest.raises(ValidationFailed) as caught:
        services.article_create(
            actor=lead,
            kind="rumour",
            title="标题\x00",
            body="",
            keywords="x" * 501,
            department=depts["scj"],
            review_due=timezone.localdate() - dt.timedelta(days=1),
        )
    fields = {(error.field, error.code) for error in caught.value.errors}
    assert fields == {
        ("kind", "invalid"),
        ("title", "control_characters"),
        ("body", "required"),
        ("keywords", "too_long"),
        ("review_due", "out_of_range"),
    }
    messages = [error.as_dict() for error in caught.value.errors]
    assert {m["field"]: m["message"] for m in messages}["body"] == "此项必填。"
    assert {m["field"]: m["message_en"] for m in messages}["body"] == "This is required."
    assert (Article.objects.count(), ArticleVersion.objects.count()) == (0, 0)


def test_a_body_keeps_its_line_breaks_but_not_other_control_characters(lead, depts):
    article = services.article_create(
        actor=lead, kind="answer", title="标题", body="第一行\n第二行\t续", department=depts["scj"]
    )
    assert article.current_version.body == "第一行\n第二行\t续"
    with pytest.raises(ValidationFailed):
        services.article_revise(actor=lead, article=article, title="标题", body="正文\x07")
    assert article.versions.count() == 1


def test_revise_adds_a_version_and_moves_the_current_one(draft, lead):
    first = draft.current_version
    version = services.article_revise(
        actor=lead,
        article=draft,
        title="办营业执照要交钱吗？",
        body="登记和营业执照都不收费，网上申请也免费。",
        keywords="执照 收费 免费",
        note="补充网上申请",
        based_on=1,
    )
    draft.refresh_from_db()
    assert (version.number, draft.current_version, draft.title) == (
        2,
        version,
        "办营业执照要交钱吗？",
    )
    assert "免费" in draft.search_keywords.split()
    first.refresh_from_db()
    assert (first.number, first.title, first.body) == (
        1,
        "办执照要交钱吗？",
        "登记和营业执照都不收费。",
    )
    assert list(draft.versions.values_list("number", flat=True)) == [2, 1]
    assert AuditLog.objects.get(action="knowledge.article_revise").detail == {"version": 2}


def test_a_version_is_never_changed(draft):
    version = draft.current_version
    version.body = "改写"
    with pytest.raises(ValueError):
        version.save()
    version.refresh_from_db()
    assert version.body == "登记和营业执照都不收费。"


def test_a_revision_based_on_an_older_version_is_stale_and_changes_nothing(draft, lead):
    services.article_revise(actor=lead, article=draft, title="二", body="二", based_on=1)
    before = snapshot(draft)
    with pytest.raises(StaleArticle):
        services.article_revise(actor=lead, article=draft, title="三", body="三", based_on=1)
    assert snapshot(draft) == before


def test_publish_sets_the_next_review_from_the_setting(draft, lead, settings):
    settings.KNOWLEDGE_REVIEW_DAYS = 30
    article = services.article_publish(actor=lead, article=draft)
    assert article.state == ArticleState.PUBLISHED
    assert article.review_due == timezone.localdate() + dt.timedelta(days=30)
    assert article.published_at is not None
    with pytest.raises(ArticleNotAllowed) as caught:
        services.article_publish(actor=lead, article=article)
    assert caught.value.status == 409
    assert str(caught.value) == (
        "该条目当前为“已发布”，现在不能发布。请刷新页面。 / "
        "The article is Published; it cannot be published now. Reload the page."
    )


def test_retire_stops_revisions_and_publish_brings_it_back(published, lead):
    services.article_retire(actor=lead, article=published, reason="政策调整")
    published.refresh_from_db()
    assert published.state == ArticleState.RETIRED
    row = AuditLog.objects.get(action="knowledge.article_retire")
    assert row.detail == {"from": "published", "reason": "政策调整"}
    before = snapshot(published)
    with pytest.raises(ArticleNotAllowed):
        services.article_revise(actor=lead, article=published, title="新", body="新")
    with pytest.raises(ArticleNotAllowed):
        services.article_retire(actor=lead, article=published)
    with pytest.raises(ArticleNotAllowed):
        services.article_review_confirm(actor=lead, article=published)
    assert snapshot(published) == before
    services.article_publish(actor=lead, article=published)
    published.refresh_from_db()
    assert published.state == ArticleState.PUBLISHED


def test_review_confirm_moves_the_next_review(published, lead):
    today = timezone.localdate()
    services.article_review_confirm(actor=lead, article=published)
    published.refresh_from_db()
    assert published.review_due == today + dt.timedelta(days=180)
    chosen = today + dt.timedelta(days=10)
    services.article_review_confirm(actor=lead, article=published, next_due=chosen)
    published.refresh_from_db()
    assert published.review_due == chosen
    with pytest.raises(ValidationFailed):
        services.article_review_confirm(actor=lead, article=published, next_due=today)
    published.refresh_from_db()
    assert published.review_due == chosen
    assert AuditLog.objects.filter(action="knowledge.article_review_confirm").count() == 2


@pytest.mark.parametrize("move", ["revise", "publish", "retire", "review"])
def test_another_departments_lead_learns_nothing_of_a_draft_and_changes_nothing(
    draft, other_lead, move
):
    before = snapshot(draft)
    with pytest.raises(NotFoundOrForbidden):
        _do(move, other_lead, draft)
    assert snapshot(draft) == before
    assert AuditLog.objects.filter(action="denied:knowledge.edit", allowed=False).count() == 1


@pytest.mark.parametrize("move", ["revise", "publish", "retire", "review"])
def test_a_reader_of_a_published_article_may_not_change_it(published, other_lead, agent, move):
    for reader in (other_lead, agent):
        before = snapshot(published)
        with pytest.raises(PermissionDenied):
            _do(move, reader, published)
        assert snapshot(published) == before
    assert AuditLog.objects.filter(action="denied:knowledge.edit", allowed=False).count() == 2


@pytest.mark.parametrize("move", ["revise", "publish", "retire", "review"])
def test_anonymous_may_change_nothing(draft, move):
    from django.contrib.auth.models import AnonymousUser

    before = snapshot(draft)
    with pytest.raises(NotFoundOrForbidden):
        _do(move, AnonymousUser(), draft)
    assert snapshot(draft) == before


def test_the_administrator_keeps_every_departments_articles(draft, admin):
    services.article_revise(actor=admin, article=draft, title="改", body="改")
    services.article_publish(actor=admin, article=draft)
    draft.refresh_from_db()
    assert (draft.state, draft.current_version.number) == (ArticleState.PUBLISHED, 2)


def _do(move: str, actor, article) -> None:
    if move == "revise":
        services.article_revise(actor=actor, article=article, title="改", body="改")
    elif move == "publish":
        services.article_publish(actor=actor, article=article)
    elif move == "retire":
        services.article_retire(actor=actor, article=article)
    else:
        services.article_review_confirm(actor=actor, article=article)
