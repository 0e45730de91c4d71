"""Seeding from the catalogue and the duties file: one article per item of the basic directory
and per FAQ, one per department duty; idempotent; a person's text is never overwritten."""

from __future__ import annotations

from pathlib import Path

import pytest

from onewindow.catalog.models import ItemFAQ, ServiceItem
from onewindow.catalog.services import ItemContent, item_publish, item_save
from onewindow.core.errors import PermissionDenied
from onewindow.core.models import AuditLog
from onewindow.knowledge import services
from onewindow.knowledge.codes import ArticleKind, ArticleState
from onewindow.knowledge.errors import DutiesFileError
from onewindow.knowledge.models import Article, ArticleVersion
from onewindow.knowledge.seeding import duties_load
from onewindow.testing.factories import DepartmentFactory, item_instance, material

GUIDE = {
    "guide_summary": "自己开小店、摆档口、开网店，先办个体户营业执照。",
    "guide_you_get": "个体工商户营业执照。",
    "guide_who": "想自己做小生意的人。",
    "guide_bring": "身份证、店铺的租赁合同。",
    "guide_how_long": "当场拿执照。",
    "guide_how_much": "不收费。",
}


def make_item(*, department, publish=True, faqs=(), **overrides) -> ServiceItem:
    item = item_instance(department=department, **overrides)
    content = ItemContent(
        item=item,
        materials=[material()],
        faqs=[ItemFAQ(question=q, answer=a, order=i) for i, (q, a) in enumerate(faqs)],
    )
    item = item_save(content=content)
    if publish:
        item_publish(item=item)
        item.refresh_from_db()
    return item


@pytest.fixture
def catalogue(depts):
    sole_trader = make_item(
        department=depts["scj"],
        basic_code="000000000101",
        name="个体工商户设立登记",
        keywords="个体户 办执照 营业执照",
        faqs=[("办执照要交钱吗？", "登记和营业执照都不收费。")],
        **GUIDE,
    )
    streets = [DepartmentFactory(name=f"测试街道{n}办事处") for n in (1, 2)]
    street_items = [
        make_item(
            department=street,
            basic_code="000000000202",
            name="居住证申领",
            guide_summary="外地来的住满半年，办居住证。",
            faqs=[("要住多久？", "连续居住半年以上。")],
        )
        for street in streets
    ]
    make_item(department=depts["scj"], publish=False, basic_code="000000000303", **GUIDE)
    no_guide = make_item(department=depts["rsj"], basic_code="000000000404")
    return {"sole_trader": sole_trader, "street_items": street_items, "no_guide": no_guide}


def test_seeding_builds_one_answer_per_item_and_faq_and_the_duties(catalogue, depts):
    result = services.knowledge_seed()
    by_key = {a.source_key: a for a in Article.objects.select_related("current_version")}
    sole_trader = catalogue["sole_trader"]
    faq = sole_trader.faqs.get()
    street_faq = catalogue["street_items"][0].faqs.get()
    assert set(by_key) == {
        "item-guide:000000000101",
        f"item-faq:{faq.pk}",
        "item-guide:000000000202",
        f"item-faq:{street_faq.pk}",
        "duty:cgj",
        "duty:scj",
        "duty:rsj",
    }
    assert (result.created, result.updated, result.unchanged) == (7, 0, 0)
    assert result.skipped == ["zjj", "swj", "mzj", "wjj", "hbj"]
    guide = by_key["item-guide:000000000101"]
    assert (guide.kind, guide.state, guide.title, guide.department, guide.item) == (
        ArticleKind.ANSWER,
        ArticleState.PUBLISHED,
        "个体工商户设立登记",
        depts["scj"],
        sole_trader,
    )
    assert guide.current_version.body == (
        "自己开小店、摆档口、开网店，先办个体户营业执照。\n"
        "能拿到什么：个体工商户营业执照。\n"
        "谁可以办：想自己做小生意的人。\n"
        "要带什么：身份证、店铺的租赁合同。\n"
        "要多久：当场拿执照。\n"
        "收费吗：不收费。\n"
        "办理部门：荔湾区市场监督管理局"
    )
    assert guide.keywords == "个体户 办执照 营业执照"
    assert guide.review_due is not None and guide.owner is None
    assert guide.current_version.changed_by is None
    assert guide.current_version.note == "由事项目录导入"
    answer = by_key[f"item-faq:{faq.pk}"]
    assert (answer.title, answer.current_version.body, answer.keywords) == (
        "办执照要交钱吗？",
        "登记和营业执照都不收费。\n相关事项：个体工商户设立登记",
        "",
    )
    # An item two street offices implement: one article, of no single department.
    street = by_key["item-guide:000000000202"]
    assert street.department is None
    assert street.current_version.body.endswith("办理部门：测试街道1办事处等2个部门")
    duty = by_key["duty:cgj"]
    assert (duty.kind, duty.department) == (ArticleKind.DUTY, depts["cgj"])
    assert "路灯" not in duty.current_version.body and "路灯" not in duty.keywords
    assert sorted(a.code for a in by_key.values()) == [f"ZS{n:06d}" for n in range(1, 8)]
    row = AuditLog.objects.get(action="knowledge.seed")
    assert row.detail == {
        "created": 7,
        "updated": 0,
        "unchanged": 0,
        "skipped": ["zjj", "swj", "mzj", "wjj", "hbj"],
    }


def test_seeding_again_adds_nothing(catalogue):
    services.knowledge_seed()
    before = (Article.objects.count(), ArticleVersion.objects.count())
    result = services.knowledge_seed()
    assert (result.created, result.updated, result.unchanged) == (0, 0, 7)
    assert (Article.objects.count(), ArticleVersion.objects.count()) == before


def test_a_changed_guide_adds_a_version_but_a_persons_text_wins(catalogue, admin):
    services.knowledge_seed()
    sole_trader = catalogue["sole_trader"]
    guide = Article.objects.get(source_key="item-guide:000000000101")
    faq_article = Article.objects.get(source_key__startswith="item-faq:", item=sole_trader)
    services.article_revise(actor=admin, article=faq_article, title="办执照收费吗？", body="免费。")
    ServiceItem.objects.filter(pk=sole_trader.pk).update(guide_how_much="免费。")
    ItemFAQ.objects.filter(item=sole_trader).update(answer="不收任何费用。")
    result = services.knowledge_seed()
    assert (result.created, result.updated, result.unchanged) == (0, 1, 6)
    guide.refresh_from_db()
    assert guide.current_version.number == 2
    assert "收费吗：免费。" in guide.current_version.body
    assert guide.current_version.note == "随事项目录更新"
    faq_article.refresh_from_db()
    assert (faq_article.current_version.number, faq_article.current_version.body) == (2, "免费。")


def test_a_retired_seeded_article_stays_retired(catalogue, admin):
    services.knowledge_seed()
    guide = Article.objects.get(source_key="item-guide:000000000101")
    services.article_retire(actor=admin, article=guide)
    ServiceItem.objects.filter(pk=catalogue["sole_trader"].pk).update(guide_how_much="免费。")
    services.knowledge_seed()
    guide.refresh_from_db()
    assert (guide.state, guide.current_version.number) == (ArticleState.RETIRED, 1)


def test_seeding_can_be_limited_to_some_items(catalogue):
    result = services.knowledge_seed(items=ServiceItem.objects.filter(basic_code="000000000101"))
    assert result.created == 2 + 3  # the guide and its FAQ, and the three duties
    assert not Article.objects.filter(source_key="item-guide:000000000202").exists()


def test_only_a_city_wide_editor_seeds(catalogue, lead, admin):
    with pytest.raises(PermissionDenied):
        services.knowledge_seed(actor=lead)
    assert Article.objects.count() == 0
    assert AuditLog.objects.filter(action="denied:knowledge.edit").count() == 1
    assert services.knowledge_seed(actor=admin).created == 7


def test_the_duties_file_covers_demo_departments_and_never_street_lights():
    duties = duties_load()
    assert [d.key for d in duties] == ["cgj", "zjj", "swj", "scj", "rsj", "mzj", "wjj", "hbj"]
    assert all("路灯" not in d.body + d.title + d.keywords for d in duties)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("[[duty]\n", "not valid TOML"),
        ('[[duty]]\nkey = "a"\n', "keys key, department, title, keywords, body"),
        (
            '[[duty]]\nkey = "a"\ndepartment = "d"\ntitle = "t"\nkeywords = ""\nbody = "b"\n',
            "keywords must be a non-empty text",
        ),
        (
            '[[duty]]\nkey = "a"\ndepartment = "d"\ntitle = "t\\u0000"\nkeywords = "k"\n'
            'body = "b"\n',
            "title holds a control character",
        ),
        (
            '[[duty]]\nkey = "a"\ndepartment = "d"\ntitle = "t"\nkeywords = "k"\nbody = "b"\n'
            '[[duty]]\nkey = "a"\ndepartment = "d"\ntitle = "t"\nkeywords = "k"\nbody = "b"\n',
            "the key 'a' twice",
        ),
    ],
)
def test_a_broken_duties_file_is_refused_with_where_and_why(tmp_path: Path, text, problem):
    (tmp_path / "duties.toml").write_text(text, encoding="utf-8")
    with pytest.raises(DutiesFileError) as caught:
        duties_load(tmp_path)
    assert problem in str(caught.value)


def test_a_missing_duties_file_is_refused(tmp_path: Path):
    with pytest.raises(DutiesFileError, match="the file is missing"):
        duties_load(tmp_path)
