"""The public catalogue pages, through the Django test client.

UI wording is checked on the English pages (``/en/``): the Chinese pages show whatever the
zh-Hans catalogue translates, so they are checked on data content only.
"""

from __future__ import annotations

import re
from datetime import date
from html import unescape

import pytest
from django.contrib.staticfiles import finders
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from onewindow.catalog.codes import (
    Audience,
    CaseType,
    ItemStatus,
    ItemType,
    MaterialNecessity,
    MaterialType,
    OnlineDepth,
)
from onewindow.catalog.models import ItemFAQ, ServiceItem
from onewindow.catalog.search import item_search
from onewindow.catalog.services import ItemContent, item_cancel, item_publish, item_save
from onewindow.catalog.views import public as views
from onewindow.org.models import CentreLevel, Role
from onewindow.testing.factories import (
    CentreFactory,
    DepartmentFactory,
    StreetFactory,
    TopicFactory,
    create_item,
    fee,
    item_instance,
    material,
    staff_with_role,
)

pytestmark = pytest.mark.django_db


def html_of(response) -> str:
    return unescape(response.content.decode())


def page_url(name: str, *args, language: str = "zh-hans") -> str:
    with translation.override(language):
        return reverse(name, args=args)


def full_item(**overrides) -> ServiceItem:
    """A published item that fills in every part of the guide, stored through the services."""
    department = overrides.pop("department", None) or DepartmentFactory(
        name="广州市荔湾区民政局", name_en="Liwan District Civil Affairs Bureau"
    )
    joint = DepartmentFactory(name="广州市荔湾区卫生健康局")
    topic = overrides.pop("topic", None) or TopicFactory(
        code="marriage", name="婚姻登记", name_en="Getting married"
    )
    fields = {
        "department": department,
        "basic_code": "000107001000",
        "name": "内地居民婚姻登记",
        "name_en": "Marriage registration for mainland residents",
        "business_code": "000107001000-01",
        "entrusted_department": "无",
        "power_source": "法定本级行使",
        "legal_basis": "《婚姻登记条例》第四条",
        "conditions": "双方均无配偶",
        "charges_fee": True,
        "fee_basis": "价格主管部门文件",
        "statutory_limit_note": "不含补正时间",
        "promised_limit_note": "材料齐全当场受理",
        "special_procedures": "无",
        "handling_location": "荔湾区政务服务中心一楼",
        "handling_hours": "周一至周五 9:00-17:00",
        "consult_phone": "020-81000001",
        "complaint_phone": "020-81000002",
        "intermediary_services": "无中介服务",
        "result_name": "结婚证",
        "guide_summary": "两个人结婚，到这里领结婚证。",
        "guide_you_get": "两本结婚证，一人一本。",
        "guide_who": "年满法定婚龄的男女双方。",
        "guide_bring": "两人都要带身份证和户口本。",
        "guide_how_long": "一般当天就能办好。",
        "guide_how_much": "每对9元。",
        "keywords": "结婚 领证",
        "effective_date": date(2024, 3, 1),
    }
    fields.update(overrides)
    item = item_instance(**fields)
    materials = [
        material(
            name="申请结婚登记声明书",
            blank_form=ContentFile(b"form", name="declaration.docx"),
            sample_file=ContentFile(b"sample", name="declaration-sample.pdf"),
            notes="由双方当场签名",
        ),
        material(
            name="居民户口簿",
            material_type=MaterialType.CERTIFICATE,
            paper_copies=2,
            paper_spec="原件及复印件",
            source_channel="公安机关",
        ),
        material(
            name="婚检证明",
            material_type=MaterialType.CERTIFICATE,
            necessity=MaterialNecessity.DEFERRABLE,
        ),
    ]
    content = ItemContent(
        item=item,
        materials=materials,
        fee_items=[
            fee(name="结婚证工本费", standard="9元/对", basis="发改价格文件", reducible=True)
        ],
        faqs=[ItemFAQ(question="可以异地办理吗？", answer="可以在全省任一婚姻登记处办理。")],
        topic_ids=[topic.pk],
        joint_department_ids=[joint.pk],
    )
    item = item_save(content=content)
    item_publish(item=item)
    item.refresh_from_db()
    return item


# --- Home ----------------------------------------------------------------------------------


def test_home_lists_life_events_departments_and_power_list_link(client):
    individual = TopicFactory(
        code="birth", name="生育", name_en="Having a baby", audience=Audience.NATURAL_PERSON
    )
    business = TopicFactory(
        code="shop", name="开办企业", name_en="Opening a business", audience=Audience.LEGAL_PERSON
    )
    TopicFactory(code="empty", name="空主题", audience=Audience.NATURAL_PERSON)
    published = create_item(name="出生登记")
    published.topics.add(individual)
    shop_item = create_item(name="企业设立登记", department=published.department)
    shop_item.topics.add(business)
    draft_only_department = DepartmentFactory(name="只有草稿的局")
    draft = create_item(name="草稿事项", department=draft_only_department, publish=False)
    draft.topics.add(business)

    response = client.get("/")

    assert response.status_code == 200
    html = html_of(response)
    assert '<html lang="zh-hans">' in html
    assert 'href="/topics/birth/"><span class="tile__name">生育</span>' in html
    assert 'href="/topics/shop/"><span class="tile__name">开办企业</span>' in html
    assert "空主题" not in html  # a life event with no published service is left out
    assert f'href="/departments/{published.department_id}/"' in html
    assert "只有草稿的局" not in html
    assert "草稿事项" not in html
    assert 'href="/power-list/"' in html
    assert 'action="/search/"' in html
    # Individuals' life events come before businesses'.
    assert html.index("生育") < html.index("开办企业")


def test_home_in_english_uses_english_names_and_labels(client):
    topic = TopicFactory(code="birth", name="生育", name_en="Having a baby")
    department = DepartmentFactory(name="荔湾区卫生健康局", name_en="Liwan Health Bureau")
    no_english = DepartmentFactory(name="荔湾区档案馆", name_en="")
    create_item(department=department).topics.add(topic)
    create_item(department=no_english)

    html = html_of(client.get("/en/"))

    assert '<html lang="en">' in html
    assert "For individuals: by life event" in html
    assert '<span class="tile__name">Having a baby</span>' in html
    assert "1 service</span>" in html
    assert "<span>Liwan Health Bureau</span>" in html
    assert "<span>荔湾区档案馆</span>" in html  # no English name: the Chinese one
    assert "生育" not in html
    assert 'href="/en/power-list/"' in html
    assert 'action="/en/search/"' in html


def test_language_switch_links_to_the_same_page_in_the_other_language(client):
    item = create_item()

    zh = html_of(client.get(f"/items/{item.pk}/"))
    en = html_of(client.get(f"/en/items/{item.pk}/"))
    search_en = html_of(client.get("/en/search/", {"q": "测试"}))

    assert f'<a href="/en/items/{item.pk}/" hreflang="en" lang="en">English</a>' in zh
    assert f'<a href="/items/{item.pk}/" hreflang="zh-hans" lang="zh-hans">简体中文</a>' in en
    assert '<a href="/search/?q=%E6%B5%8B%E8%AF%95" hreflang="zh-hans"' in search_en


# --- Item guide ----------------------------------------------------------------------------


def test_item_guide_puts_plain_language_first_then_every_official_field(client):
    street = StreetFactory(name="沙面街道")
    CentreFactory(
        name="荔湾区政务服务中心",
        level=CentreLevel.DISTRICT_HALL,
        address="荔湾区芳村大道",
        opening_hours="9:00-17:00",
    )
    CentreFactory(name="沙面街政务服务中心", level=CentreLevel.STREET_CENTRE, region=street)
    CentreFactory(name="某社区服务站", level=CentreLevel.COMMUNITY_POINT, region=street)
    item = full_item()

    response = client.get(f"/items/{item.pk}/")

    assert response.status_code == 200
    html = html_of(response)
    plain, official = html.index('id="plain"'), html.index('id="official"')
    assert plain < official
    plain_part, official_part = html[plain:official], html[official:]
    for text in (
        "两个人结婚，到这里领结婚证。",
        "两本结婚证，一人一本。",
        "年满法定婚龄的男女双方。",
        "两人都要带身份证和户口本。",
        "一般当天就能办好。",
        "每对9元。",
        "申请结婚登记声明书",
        "居民户口簿",
        "原件及复印件",
        "公安机关",
        "婚检证明",
        "由双方当场签名",
        "荔湾区政务服务中心",
        "荔湾区芳村大道",
        "沙面街政务服务中心",
    ):
        assert text in plain_part, text
    assert "某社区服务站" not in html  # community points do not accept this item
    for text in (
        "内地居民婚姻登记",
        "000107001000",
        item.implementation_code,
        "000107001000-01",
        "广州市荔湾区民政局",
        item.department.uscc,
        "法定本级行使",
        "《婚姻登记条例》第四条",
        "双方均无配偶",
        "不含补正时间",
        "材料齐全当场受理",
        "价格主管部门文件",
        "结婚证工本费",
        "9元/对",
        "发改价格文件",
        "广州市荔湾区卫生健康局",
        "无中介服务",
        "结婚证",
        "荔湾区政务服务中心一楼",
        "周一至周五 9:00-17:00",
        "020-81000001",
        "020-81000002",
        "可以异地办理吗？",
        "可以在全省任一婚姻登记处办理。",
        "婚姻登记",
    ):
        assert text in official_part, text
    declaration = item.materials.get(name="申请结婚登记声明书")
    # Forms are offered through the item's own address, never from /media/ (ADR 0010).
    files = f"/items/{item.pk}/materials/{declaration.pk}"
    assert f'href="{files}/blank-form/" download' in html
    assert f'href="{files}/sample/" download' in html
    assert "/media/" not in html
    assert 'href="/topics/marriage/"' in html


def test_item_guide_in_english_shows_english_labels_and_code_values(client):
    item = full_item()

    html = html_of(client.get(f"/en/items/{item.pk}/"))

    assert '<html lang="en">' in html
    assert "<h1>Marriage registration for mainland residents</h1>" in html
    assert '<p class="item-head__dept">Liwan District Civil Affairs Bureau</p>' in html
    plain = html[html.index('id="plain"') : html.index('id="official"')]
    assert "In plain words" in plain
    assert "Within 10 working days after your application is accepted." in plain
    assert "At most 1 time. Why: 核验原件" in plain
    assert "2 paper copies · 原件及复印件 · 公安机关" in plain
    # The deferrable paper is marked, and only that one.
    assert plain.count("Can be brought later (容缺后补)") == 1
    deferrable = plain.index("婚检证明")
    assert plain.index("Can be brought later (容缺后补)") > deferrable
    assert "结婚证工本费: 9元/对" in plain
    assert "At any window of: District service hall, Street service centre." in plain
    official = html[html.index('id="official"') :]
    assert "<dt>Item type</dt><dd>Administrative licensing</dd>" in official
    assert "<dt>Exercise level</dt><dd>County / district</dd>" in official
    assert "<dt>Case type</dt><dd>Promised item</dd>" in official
    assert "<dt>Statutory time limit</dt><dd>20 working days · 不含补正时间</dd>" in official
    assert "<dt>Promised time limit</dt><dd>10 working days · 材料齐全当场受理</dd>" in official
    assert '<td data-label="Necessity">May be supplied later (容缺后补)</td>' in official
    assert '<td data-label="May be reduced or waived">Yes</td>' in official
    # Steps with the role that works each one.
    steps = re.findall(
        r'<li value="(\d)"><span class="steps__name">([^<]+)</span> '
        r'<span class="steps__meta">([^<]+)</span></li>',
        official,
    )
    # Standard step names read in English on English pages (catalog.names.step_text).
    assert steps == [
        ("1", "Accept", "handled by Intake clerk"),
        ("2", "Review", "handled by Department approver"),
        ("3", "Decide", "handled by Department lead"),
        ("4", "Complete", "handled by Department approver"),
        ("5", "Deliver", "handled by Output clerk"),
    ]
    assert "Version 1 · in force since 2024-03-01" in official


def test_instant_free_online_item_says_so_in_plain_words(client):
    item = create_item(
        name="个人社保参保证明打印",
        case_type=CaseType.INSTANT,
        promised_limit=0,
        visits=0,
        visit_reason="",
        is_online=True,
        online_depth=[
            OnlineDepth.RECEIVE,
            OnlineDepth.ACCEPT,
            OnlineDepth.HANDLE,
            OnlineDepth.RESULT_FEEDBACK,
        ],
        online_mobile_url="https://m.example.gov.cn/apply/1",
        online_pc_url="javascript:alert(1)",
    )

    html = html_of(client.get(f"/en/items/{item.pk}/"))

    assert "<p>Done on the spot at the window.</p>" in html
    assert "<p>You do not need to come in person.</p>" in html
    assert "<p>No, it is free.</p>" in html
    assert (
        '<a class="button" href="https://m.example.gov.cn/apply/1" rel="noopener noreferrer">'
        "Apply on your phone</a>" in html
    )
    # Not an http(s) address: never a link.
    assert "javascript:" not in html
    assert "<dt>Promised time limit</dt><dd>Instant (done on the spot)</dd>" in html


def test_draft_item_is_hidden_from_the_public_and_from_other_departments(client):
    item = create_item(name="未发布事项", publish=False)
    other_department_lead = staff_with_role(Role.DEPT_LEAD, department=DepartmentFactory())
    own_department_lead = staff_with_role(Role.DEPT_LEAD, department=item.department)

    assert client.get(f"/items/{item.pk}/").status_code == 404
    assert client.get(f"/en/items/{item.pk}/").status_code == 404
    client.force_login(other_department_lead)
    assert client.get(f"/items/{item.pk}/").status_code == 404

    client.force_login(own_department_lead)
    response = client.get(f"/en/items/{item.pk}/")
    assert response.status_code == 200
    html = html_of(response)
    assert "<h1>未发布事项</h1>" in html
    assert "This service is not published (status: Draft). Only staff can see this page." in html
    item.refresh_from_db()
    assert item.status == ItemStatus.DRAFT


def test_cancelled_and_missing_items_answer_404(client):
    item = create_item()
    item_cancel(item=item, reason="法规废止")

    assert client.get(f"/items/{item.pk}/").status_code == 404
    assert client.get(f"/items/{item.pk + 1000}/").status_code == 404
    assert client.post(f"/items/{item.pk}/").status_code == 405


# --- Search --------------------------------------------------------------------------------


def test_search_page_lists_hits_in_the_order_item_search_gives(client):
    department = DepartmentFactory(name="荔湾区人力资源和社会保障局")
    create_item(name="退休人员养老金领取资格认证", department=department, keywords="养老金 认证")
    create_item(name="城乡居民养老保险参保登记", department=department, keywords="养老 参保")
    create_item(name="失业保险金申领", department=department, keywords="失业")
    create_item(name="养老金草稿事项", department=department, publish=False)

    response = client.get("/search/", {"q": "养老"})

    assert response.status_code == 200
    html = html_of(response)
    expected = [hit.item.name for hit in item_search("养老", limit=views.SEARCH_LIMIT)]
    assert len(expected) == 2
    shown = re.findall(r'<span class="item-card__name">([^<]+)</span>', html)
    assert shown == expected
    assert "养老金草稿事项" not in html
    assert "失业保险金申领" not in html
    assert 'value="养老"' in html
    assert "<html" in html


def test_a_full_result_list_says_best_matches_not_a_count(client, monkeypatch):
    # The list stops at the limit: "找到3项" would be the limit, not the number of services.
    monkeypatch.setattr(views, "SEARCH_LIMIT", 3)
    department = DepartmentFactory(name="荔湾区人力资源和社会保障局")
    for n in range(4):
        create_item(name=f"养老服务事项{n}", department=department, keywords="养老")
    full = html_of(client.get("/search/", {"q": "养老"}))
    assert "与“养老”最相关的前3项服务" in full
    assert "找到3项" not in full
    monkeypatch.setattr(views, "SEARCH_LIMIT", 10)
    assert "找到4项与“养老”有关的服务" in html_of(client.get("/search/", {"q": "养老"}))
    monkeypatch.setattr(views, "SEARCH_LIMIT", 3)
    english = html_of(client.get("/en/search/", {"q": "养老"}))
    assert "The best 3 matches for “养老”" in english


def test_search_answers_htmx_with_the_results_fragment_only(client):
    create_item(name="城乡居民养老保险参保登记")

    fragment = client.get("/en/search/", {"q": "养老"}, headers={"HX-Request": "true"})
    restore = client.get(
        "/en/search/",
        {"q": "养老"},
        headers={"HX-Request": "true", "HX-History-Restore-Request": "true"},
    )

    text = html_of(fragment)
    assert fragment.status_code == 200
    assert "<html" not in text
    assert text.strip().startswith('<p class="result-count">1 service found for “养老”</p>')
    assert "城乡居民养老保险参保登记" in text
    assert "HX-Request" in fragment["Vary"]
    assert "<html" in html_of(restore)


def test_search_page_explains_an_empty_query_and_no_results(client):
    create_item(name="城乡居民养老保险参保登记")

    empty = html_of(client.get("/en/search/", {"q": "   "}))
    nothing = html_of(client.get("/en/search/", {"q": "宇宙飞船"}))

    assert "Type what you want to do, in your own words." in empty
    assert "item-card" not in empty
    assert "No service found for “宇宙飞船”." in nothing
    assert "item-card" not in nothing
    search_form = html_of(client.get("/en/search/"))
    assert 'hx-get="/en/search/"' in search_form
    assert 'hx-trigger="input changed delay:400ms, search"' in search_form
    assert '<form id="search" action="/en/search/" method="get" role="search">' in search_form


def street_implementations(count: int, **overrides) -> list[ServiceItem]:
    """One street-level item (one basic code) implemented by the offices of ``count`` streets."""
    items = []
    for number in range(1, count + 1):
        street = StreetFactory(name=f"第{number}街道", name_en=f"Street {number}")
        office = DepartmentFactory(
            name=f"{street.code}街道办事处", name_en=f"Street {number} Office", region=street
        )
        fields = {
            "basic_code": "059000005001",
            "name": "企业退休人员计划生育奖励申领",
            "name_en": "Family-planning reward for retirees",
            "keywords": "独生子女奖励 退休奖励",
            "department": office,
        }
        fields.update(overrides)
        items.append(create_item(**fields))
    return items


def cards(html: str) -> list[tuple[str, str]]:
    """(link, name) of each result card, in order."""
    link = r'<a class="item-card__link" href="([^"]+)">\s*'
    return re.findall(link + r'<span class="item-card__name">([^<]+)</span>', html)


def test_search_shows_one_card_per_item_listing_every_office_that_handles_it(client):
    first, second, third = street_implementations(3)
    pension = create_item(name="企业职工基本养老保险待遇申领", keywords="退休金 养老金")

    html = html_of(client.get("/en/search/", {"q": "退休 养老金"}))

    assert cards(html) == [
        (f"/en/items/{pension.pk}/", "企业职工基本养老保险待遇申领"),
        (f"/en/items/{first.pk}/", "Family-planning reward for retirees"),
    ]
    assert '<p class="result-count">2 services found for “退休 养老金”</p>' in html
    assert html.count('data-basic-code="059000005001"') == 1
    assert "<summary>Handled by 3 offices: choose yours</summary>" in html
    others = re.findall(r'<li><a href="(/en/items/\d+/)"><span>([^<]+)</span>', html)
    assert others == [
        (f"/en/items/{second.pk}/", "Street 2 Office"),
        (f"/en/items/{third.pk}/", "Street 3 Office"),
    ]
    # The form offers every street, the whole district by default.
    assert '<option value="">Whole district</option>' in html
    assert re.findall(r'<option value="(\d{12})"', html) == [
        item.department.region.code for item in (first, second, third)
    ]
    assert "ow_street" not in client.cookies


def test_the_chosen_street_comes_first_and_is_remembered_in_a_cookie(client):
    first, second, _third = street_implementations(3)
    street = second.department.region

    chosen = client.get("/en/search/", {"q": "计划生育奖励", "street": street.code})
    html = html_of(chosen)

    assert cards(html) == [(f"/en/items/{second.pk}/", "Family-planning reward for retirees")]
    assert '<span class="item-card__dept">Your street: Street 2 Office</span>' in html
    assert "<summary>2 other offices handle it</summary>" in html
    assert f'<option value="{street.code}" selected>Street 2</option>' in html
    cookie = chosen.cookies["ow_street"]
    assert (cookie.value, cookie["max-age"], cookie["httponly"], cookie["samesite"]) == (
        street.code,
        365 * 24 * 3600,
        True,
        "Lax",
    )
    assert "Cookie" in chosen["Vary"]

    # Later searches, the htmx fragment too, use the remembered street.
    again = html_of(client.get("/search/", {"q": "计划生育奖励"}))
    assert cards(again) == [(f"/items/{second.pk}/", "企业退休人员计划生育奖励申领")]
    fragment = client.get("/search/", {"q": "计划生育奖励"}, headers={"HX-Request": "true"})
    assert cards(html_of(fragment))[0][0] == f"/items/{second.pk}/"

    # Choosing the whole district forgets it; an unknown code means the whole district.
    district = client.get("/search/", {"q": "计划生育奖励", "street": ""})
    assert district.cookies["ow_street"].value == ""
    assert cards(html_of(district))[0][0] == f"/items/{first.pk}/"
    unknown = html_of(client.get("/search/", {"q": "计划生育奖励", "street": "440103999000"}))
    assert cards(unknown)[0][0] == f"/items/{first.pk}/"


def test_english_words_find_items_on_the_english_and_the_chinese_page(client):
    lift = create_item(
        name="既有住宅增设电梯", name_en="Adding a lift to an existing residential building"
    )
    birth = create_item(name="生育登记", name_en="Birth registration")
    pension = create_item(
        name="企业职工基本养老保险待遇申领",
        name_en="Claiming the basic pension for enterprise employees",
    )

    for query, item in (("pension", pension), ("lift", lift), ("birth", birth)):
        english = html_of(client.get("/en/search/", {"q": query}))
        assert cards(english) == [(f"/en/items/{item.pk}/", item.name_en)], query
        chinese = html_of(client.get("/search/", {"q": query}))
        assert cards(chinese) == [(f"/items/{item.pk}/", item.name)], query


def test_search_filters_by_department_online_and_instant(client):
    market = DepartmentFactory(name="区市场监督管理局", name_en="Market Regulation Bureau")
    other = DepartmentFactory(name="区卫生健康局")
    counter = create_item(name="食品经营许可（新办）", keywords="开饭店", department=market)
    online = create_item(
        name="食品经营许可（延续）",
        keywords="开饭店",
        department=market,
        is_online=True,
        online_depth=[OnlineDepth.RECEIVE, OnlineDepth.PRE_REVIEW],
    )
    instant = create_item(
        name="食品经营许可（补办）",
        keywords="开饭店",
        department=other,
        case_type=CaseType.INSTANT,
        promised_limit=0,
    )

    def shown(**params) -> list[str]:
        html = html_of(client.get("/en/search/", {"q": "开饭店", **params}))
        return [name for _, name in cards(html)]

    assert shown() == [counter.name, online.name, instant.name]
    assert shown(department=market.pk) == [counter.name, online.name]
    assert shown(online="1") == [online.name]
    assert shown(instant="1") == [instant.name]
    assert shown(department=other.pk, online="1") == []
    # Malformed values are no filter at all.
    assert shown(department="abc", online="yes") == [counter.name, online.name, instant.name]
    assert shown(department="9" * 30) == [counter.name, online.name, instant.name]

    html = html_of(
        client.get("/en/search/", {"q": "开饭店", "department": other.pk, "online": "1"})
    )
    assert f'<option value="{other.pk}" selected>区卫生健康局</option>' in html
    assert 'name="online" value="1" checked>' in html
    assert 'name="instant" value="1">' in html
    assert "Filters are on: clear them to search every service." in html
    assert 'hx-include="closest form"' in html


def test_search_page_queries_do_not_grow_with_the_catalogue(client):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/search/", {"q": "退休 养老金"}).status_code == 200
        return len(captured)

    street_implementations(2)
    create_item(name="企业职工基本养老保险待遇申领", keywords="退休金 养老金")
    few = queries()
    street_implementations(6, basic_code="059000006001", name="退休人员社会化管理服务")
    for number in range(10):
        create_item(name=f"养老金相关事项{number}", keywords="养老金")
    assert queries() == few == 5


# --- Lists by department and life event ----------------------------------------------------


def test_department_page_lists_its_published_items_only(client, monkeypatch):
    department = DepartmentFactory(name="荔湾区市场监督管理局", name_en="Liwan Market Regulation")
    other = DepartmentFactory(name="别的局")
    for name in ("食品经营许可", "个体工商户登记", "药品零售许可"):
        create_item(name=name, department=department)
    create_item(name="草稿许可", department=department, publish=False)
    create_item(name="别的局的事项", department=other)
    monkeypatch.setattr(views, "ITEMS_PER_PAGE", 2)

    first = html_of(client.get(f"/departments/{department.pk}/"))
    second = html_of(client.get(f"/departments/{department.pk}/", {"page": 2}))
    english = html_of(client.get(f"/en/departments/{department.pk}/"))

    assert "<h1>荔湾区市场监督管理局</h1>" in first
    names = re.findall(r'<span class="item-card__name">([^<]+)</span>', first + second)
    assert sorted(names) == sorted(["食品经营许可", "个体工商户登记", "药品零售许可"])
    # In name order, as the database collates.
    assert names == list(
        ServiceItem.objects.filter(department=department, status=ItemStatus.PUBLISHED)
        .order_by("name")
        .values_list("name", flat=True)
    )
    assert "草稿许可" not in first + second
    assert "别的局的事项" not in first + second
    assert 'href="?page=2"' in first
    assert "<h1>Liwan Market Regulation</h1>" in english
    assert "3 services" in english
    assert "Page 1 of 2" in english


def test_topic_page_lists_items_of_every_department(client):
    topic = TopicFactory(
        code="retire",
        name="退休养老",
        name_en="Retiring",
        audience=Audience.NATURAL_PERSON,
        description="退休前后要办的事。",
    )
    first = create_item(name="养老金申领", department=DepartmentFactory(name="A人社局"))
    second = create_item(name="退休人员医保待遇核定", department=DepartmentFactory(name="B医保局"))
    unrelated = create_item(name="无关事项")
    for item in (first, second):
        item.topics.add(topic)

    response = client.get("/topics/retire/")

    html = html_of(response)
    assert response.status_code == 200
    assert "<h1>退休养老</h1>" in html
    assert "退休前后要办的事。" in html
    assert re.findall(r'<span class="item-card__name">([^<]+)</span>', html) == [
        "养老金申领",
        "退休人员医保待遇核定",
    ]
    assert '<span class="item-card__dept">A人社局</span>' in html
    assert unrelated.name not in html
    assert "<h1>Retiring</h1>" in html_of(client.get("/en/topics/retire/"))
    assert client.get("/topics/no-such-topic/").status_code == 404


def test_inactive_or_missing_department_answers_404(client):
    department = DepartmentFactory(is_active=False)
    assert client.get(f"/departments/{department.pk}/").status_code == 404
    assert client.get(f"/departments/{department.pk + 100}/").status_code == 404


# --- Power list ----------------------------------------------------------------------------


def test_power_list_groups_powers_by_department_and_lists_services_apart(client):
    civil = DepartmentFactory(name="A民政局")
    market = DepartmentFactory(name="B市场监管局")
    create_item(
        name="婚姻登记",
        department=civil,
        item_type=ItemType.CONFIRMATION,
        basic_code="000107001000",
        legal_basis="《婚姻登记条例》",
    )
    create_item(
        name="食品经营许可",
        department=market,
        item_type=ItemType.LICENSING,
        basic_code="000117012000",
        legal_basis="《食品安全法》第三十五条",
    )
    create_item(
        name="违法广告处罚",
        department=market,
        item_type=ItemType.PENALTY,
        basic_code="000217001000",
        legal_basis="《广告法》",
    )
    create_item(
        name="政策咨询服务",
        department=market,
        item_type=ItemType.PUBLIC_SERVICE,
        basic_code="000120001000",
    )
    create_item(name="草稿权力", department=market, publish=False)

    html = html_of(client.get("/en/power-list/"))

    assert re.findall(r'<h2 id="dept-\d+">([^<]+)</h2>', html) == ["A民政局", "B市场监管局"]
    rows = re.findall(
        r'<td data-label="Code"><span class="code">(\w+)</span></td>\s*'
        r'<td data-label="Name"><a href="[^"]+">([^<]+)</a></td>\s*'
        r'<td data-label="Type">([^<]+)</td>\s*'
        r'<td data-label="Legal basis" class="power-table__basis"><div>([^<]+)</div></td>\s*'
        r'<td data-label="Exercise level">([^<]+)</td>',
        html,
    )
    assert rows == [
        (
            "000107001000",
            "婚姻登记",
            "Administrative confirmation",
            "《婚姻登记条例》",
            "County / district",
        ),
        (
            "000117012000",
            "食品经营许可",
            "Administrative licensing",
            "《食品安全法》第三十五条",
            "County / district",
        ),
        (
            "000217001000",
            "违法广告处罚",
            "Administrative penalty",
            "《广告法》",
            "County / district",
        ),
    ]
    assert "政策咨询服务" not in html
    assert "草稿权力" not in html
    assert "3 items" in html

    services = html_of(client.get("/en/power-list/", {"kind": "service"}))
    assert "政策咨询服务" in services
    assert "食品经营许可" not in services
    assert "1 item" in services


def test_power_list_filters_by_department_and_type_and_keeps_filters_across_pages(
    client, monkeypatch
):
    market = DepartmentFactory(name="乙市场监管局")
    civil = DepartmentFactory(name="甲民政局")
    for index in range(3):
        create_item(name=f"市场许可{index}", department=market, item_type=ItemType.LICENSING)
    create_item(name="市场处罚", department=market, item_type=ItemType.PENALTY)
    create_item(name="民政许可", department=civil, item_type=ItemType.LICENSING)
    monkeypatch.setattr(views, "POWER_LIST_PER_PAGE", 2)

    by_department = html_of(client.get("/en/power-list/", {"department": market.pk}))
    by_type = html_of(
        client.get("/en/power-list/", {"department": market.pk, "type": ItemType.LICENSING})
    )
    page_two = html_of(
        client.get(
            "/en/power-list/", {"department": market.pk, "type": ItemType.LICENSING, "page": 2}
        )
    )

    assert "4 items" in by_department
    assert "民政许可" not in by_department
    assert "3 items" in by_type
    assert "市场处罚" not in by_type + page_two
    assert f'href="?kind=power&department={market.pk}&type=01&page=2"' in by_type
    assert "市场许可2" in page_two
    # An unknown type or department is ignored rather than an error.
    everything = html_of(client.get("/en/power-list/", {"type": "99", "department": "x"}))
    assert "5 items" in everything


# --- Bounded queries -----------------------------------------------------------------------


@pytest.fixture
def busy_catalogue():
    """Twelve published items in three departments, each in two life events."""
    departments = [DepartmentFactory(name=f"部门{n}") for n in range(3)]
    topics = [
        TopicFactory(code=f"t{n}", audience=audience)
        for n, audience in enumerate((Audience.NATURAL_PERSON, Audience.LEGAL_PERSON))
    ]
    CentreFactory(level=CentreLevel.DISTRICT_HALL)
    items = []
    for index in range(12):
        item = create_item(
            name=f"养老事项{index}",
            department=departments[index % 3],
            item_type=ItemType.LICENSING if index % 2 else ItemType.PENALTY,
        )
        item.topics.add(*topics)
        items.append(item)
    return departments, topics, items


def test_list_pages_run_a_bounded_number_of_queries(
    client, busy_catalogue, django_assert_max_num_queries
):
    departments, topics, items = busy_catalogue
    pages = [
        ("/", 3),
        # 养老: the streets and departments to filter by, then the search's three queries.
        ("/search/?q=%E5%85%BB%E8%80%81", 5),
        (f"/departments/{departments[0].pk}/", 3),
        (f"/topics/{topics[0].code}/", 3),
        ("/power-list/", 4),
        (f"/items/{items[0].pk}/", 9),
    ]
    for url, limit in pages:
        with django_assert_max_num_queries(limit):
            response = client.get(url)
        assert response.status_code == 200, url
    with django_assert_max_num_queries(3):
        assert (
            len(re.findall("item-card__name", html_of(client.get(f"/topics/{topics[1].code}/"))))
            == 12
        )


# --- No CDN --------------------------------------------------------------------------------


def test_pages_reference_only_local_assets(client):
    item = full_item()

    urls = [
        "/",
        "/en/",
        "/search/?q=%E5%A9%9A%E5%A7%BB",
        f"/items/{item.pk}/",
        f"/en/items/{item.pk}/",
        f"/departments/{item.department_id}/",
        "/topics/marriage/",
        "/power-list/",
    ]
    for url in urls:
        html = html_of(client.get(url))
        assert re.findall(r"https?://|//[a-z0-9.-]+\.[a-z]{2,}/", html) == [], url
        for asset in re.findall(r'(?:src|href)="(/static/[^"]+)"', html):
            assert finders.find(asset.removeprefix("/static/")), asset
        assert '<link rel="stylesheet" href="/static/css/onewindow.css">' in html
        assert '<script src="/static/vendor/htmx.min.js" defer></script>' in html


@pytest.mark.parametrize("junk", ["²", "1²", "١٢"])
def test_a_department_of_digits_int_does_not_read_is_no_500(client, junk):
    # "²" is a digit to str.isdigit but not to int(): the search and the power list show
    # every department, as for any unknown one.
    assert client.get("/search/", {"q": "证", "department": junk}).status_code == 200
    assert client.get("/power-list/", {"department": junk}).status_code == 200
