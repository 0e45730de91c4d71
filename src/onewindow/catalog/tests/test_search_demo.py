"""The searches of issue 7 on the demo city, the catalogue they were found on: 600 items, 22
street offices each implementing the street-level items."""

from __future__ import annotations

import re
from html import unescape

import pytest

from onewindow.catalog.search import item_search, item_search_grouped
from onewindow.demo.generator import build_demo_city
from onewindow.org.models import Region


@pytest.fixture
def demo(db):
    build_demo_city(seed=2026, scale=1.0)


def top_names(query: str, count: int = 3, **kwargs) -> list[str]:
    return [group.item.name for group in item_search_grouped(query, **kwargs)[:count]]


def test_the_issue_searches_on_the_demo_city(demo, client):
    # 退休 养老金: 50 cards before, 42 of them one item once per street office.
    flat = item_search("退休 养老金", limit=600)
    groups = item_search_grouped("退休 养老金", limit=50)
    assert (len(flat), len(groups)) == (58, 17)
    assert len({hit.item.basic_code for hit in flat}) == len(groups)
    assert len({group.basic_code for group in groups}) == len(groups)
    assert [(group.item.name, group.count) for group in groups[:3]] == [
        ("企业职工基本养老保险待遇申领", 1),
        ("城乡居民基本养老保险待遇核定", 1),
        ("企业退休人员计划生育奖励申领", 22),
    ]
    lingnan = Region.objects.get(name="岭南街道")
    reward = item_search_grouped("退休 养老金", region=lingnan)[2]
    assert (reward.local, reward.item.department.short_name) == (True, "岭南街道")
    assert len(reward.others) == 21

    # Everyday phrasing.
    assert top_names("开个小饭馆") == [
        "食品经营许可（新办）",
        "食品经营许可（延续）",
        "食品经营许可（补办）",
    ]
    assert top_names("个体工商户注册") == [
        "个体工商户设立登记",
        "个体工商户注销登记",
        "社会团体设立登记",
    ]

    # Pinyin initials as the start of a name.
    assert top_names("jyzzz", 2) == ["既有住宅增设电梯"]

    # English on /en/.
    for query, expected in (
        ("pension", ["Claiming the basic pension for enterprise employees"]),
        ("lift", ["Adding a lift to an existing residential building"]),
        ("birth", ["Birth registration", "Birth registration of newborns"]),
    ):
        html = unescape(client.get("/en/search/", {"q": query}).content.decode())
        shown = re.findall(r'<span class="item-card__name">([^<]+)</span>', html)
        assert shown[: len(expected)] == expected, query
