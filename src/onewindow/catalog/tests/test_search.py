"""Chinese full-text search: everyday phrasing, pinyin, restrictions, rebuilds, determinism."""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from io import StringIO

import pytest
from django.core.management import call_command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from onewindow.catalog.codes import CaseType
from onewindow.catalog.models import SearchDocument, ServiceItem
from onewindow.catalog.search import (
    ENGLISH_SYNONYMS,
    SYNONYMS,
    SearchWordsError,
    _terms,
    english_stem,
    item_filter,
    item_search,
    item_search_grouped,
    search_document_rebuild,
    search_documents_rebuild_all,
    search_words_load,
    text_normalise,
)
from onewindow.catalog.services import ItemContent, item_cancel, item_save
from onewindow.org.models import Region
from onewindow.testing.factories import DepartmentFactory, StreetFactory, create_item, material


@dataclass(frozen=True)
class Entry:
    name: str
    department: str
    keywords: str
    summary: str
    you_get: str = ""
    who: str = ""
    bring: str = ""
    materials: tuple[str, ...] = ()
    name_en: str = ""


DEPARTMENTS = {
    "housing": ("区住房和城乡建设局", "区住建局"),
    "market": ("区市场监督管理局", "区市场监管局"),
    "labour": ("区人力资源和社会保障局", "区人社局"),
    "medical_insurance": ("区医疗保障局", "区医保局"),
    "health": ("区卫生健康局", "区卫健局"),
    "civil": ("区民政局", "民政局"),
    "planning": ("区规划和自然资源局", "规划分局"),
    "police": ("区公安分局", "公安分局"),
    "disabled": ("区残疾人联合会", "区残联"),
}

CATALOGUE = [
    Entry(
        "旧楼加装电梯审批",
        "housing",
        "加装电梯 装电梯 老楼电梯 旧楼改造 多层住宅电梯",
        "老旧多层住宅的业主想给楼栋加装电梯，一次提交，多个部门并联审批。",
        "加装电梯的批准文件",
        "同一楼栋的业主",
        "业主同意书和设计方案",
        ("业主意见征询表", "加装电梯设计方案", "房屋所有权证"),
        name_en="Adding a lift to an old residential building",
    ),
    Entry(
        "电梯安装改造维修告知",
        "market",
        "电梯维修 电梯改造 特种设备",
        "电梯安装、改造、修理单位在施工前告知特种设备安全监督管理部门。",
        who="电梯安装改造维修单位",
        materials=("特种设备安装改造维修告知单",),
    ),
    Entry(
        "个体工商户设立登记",
        "market",
        "营业执照 个体户 开店 小卖部 摆摊 做生意",
        "开一家小店、做个小生意，先办个体工商户营业执照。",
        "个体工商户营业执照",
        materials=("个体工商户登记申请书", "经营场所使用证明"),
        name_en="Registration of an individual business",
    ),
    Entry(
        "有限责任公司设立登记",
        "market",
        "开公司 注册公司 成立公司",
        "开办有限责任公司，领取营业执照。",
        "营业执照",
        materials=("公司登记申请书", "公司章程"),
    ),
    Entry(
        "食品经营许可",
        "market",
        "卖吃的 开饭店 小吃店 食品店 小卖部 便利店",
        "卖食品、开饭店、开便利店，需要办食品经营许可证。",
        "食品经营许可证",
        materials=("食品经营许可申请书", "食品安全管理制度"),
        name_en="Food business licence",
    ),
    Entry(
        "城乡居民养老保险待遇核定",
        "labour",
        "养老金 领养老金 农村养老 城乡居民养老",
        "参加城乡居民养老保险、年满六十周岁，可以按月领取养老金。",
        "每月的养老金",
        "年满六十周岁的参保人",
        name_en="Determination of residents' basic pension",
    ),
    Entry(
        "企业职工基本养老保险待遇申领",
        "labour",
        "退休金 退休工资 办退休 养老金 企业退休",
        "企业职工到了退休年龄，申请按月领取基本养老金。",
        "每月的基本养老金",
        "达到法定退休年龄的企业职工",
        name_en="Claiming the basic pension for enterprise employees",
    ),
    Entry(
        "养老机构设立备案",
        "civil",
        "养老院 敬老院 开养老院 老人院",
        "开办养老院、敬老院，向民政部门备案。",
        who="开办养老机构的单位",
    ),
    Entry(
        "异地就医备案",
        "medical_insurance",
        "异地就医 外地看病 跨省就医 医保报销 异地报销",
        "到外地看病、长期住在外地，先办异地就医备案，看病费用可以直接结算。",
        who="参加本地医保的人员",
    ),
    Entry(
        "医疗机构执业登记",
        "health",
        "开诊所 开医院 诊所执照",
        "开办医院、诊所，要办理医疗机构执业登记。",
        "医疗机构执业许可证",
    ),
    Entry(
        "生育登记",
        "health",
        "生孩子 准生证 生育服务证 二胎 三孩",
        "生孩子前后都可以办生育登记，领取生育服务登记凭证。",
        "生育服务登记凭证",
        "夫妻双方",
        name_en="Birth registration",
    ),
    Entry(
        "最低生活保障申请",
        "civil",
        "低保 低保户 困难补助 生活困难",
        "家庭收入低于当地标准的困难家庭，可以申请最低生活保障金。",
        "每月的保障金",
        materials=("家庭收入情况说明",),
    ),
    Entry(
        "建设工程规划许可证核发",
        "planning",
        "规划许可 盖房子 建房 报建",
        "在城市规划区内新建、改建建筑物，要先取得建设工程规划许可证。",
        "建设工程规划许可证",
        materials=("建设工程设计方案",),
    ),
    Entry(
        "结婚登记",
        "civil",
        "结婚 领证 结婚证 登记结婚",
        "男女双方一起到婚姻登记处领取结婚证。",
        "结婚证",
        "年满法定婚龄的男女双方",
        materials=("户口簿",),
        name_en="Marriage registration",
    ),
    Entry(
        "居住证办理",
        "police",
        "居住证 暂住证 外地人",
        "在本区居住半年以上的外地人员，可以申领居住证。",
        "居住证",
    ),
    Entry(
        "残疾人证办理",
        "disabled",
        "残疾证 办残疾证 残疾评定",
        "经评定为残疾的人员，可以申请领取残疾人证。",
        "残疾人证",
    ),
    Entry(
        "高龄津贴申领",
        "civil",
        "高龄补贴 老人补贴 长寿金 老年人津贴",
        "八十周岁以上的老人，每月可以领取高龄津贴。",
        "每月的高龄津贴",
    ),
    Entry(
        "城乡居民基本医疗保险参保登记",
        "medical_insurance",
        "买医保 参保 交医保 城乡居民医保",
        "没有工作单位的居民，办理基本医疗保险参保登记，看病可以报销。",
    ),
    Entry(
        "户口迁移",
        "police",
        "迁户口 落户 入户 户口本",
        "把户口从外地迁入本区，或者在本区内迁移。",
        materials=("户口簿", "准迁证"),
    ),
    Entry(
        "失业保险金申领",
        "labour",
        "失业金 失业补助 没工作",
        "失业后符合条件的人员，可以按月领取失业保险金。",
        "每月的失业保险金",
    ),
]


def build_catalogue() -> dict[str, ServiceItem]:
    departments = {
        key: DepartmentFactory(name=name, short_name=short)
        for key, (name, short) in DEPARTMENTS.items()
    }
    items = {}
    for entry in CATALOGUE:
        materials = [material(name=name) for name in entry.materials] or None
        items[entry.name] = create_item(
            name=entry.name,
            name_en=entry.name_en,
            department=departments[entry.department],
            keywords=entry.keywords,
            guide_summary=entry.summary,
            guide_you_get=entry.you_get,
            guide_who=entry.who,
            guide_bring=entry.bring,
            materials=materials,
        )
    return items


def names(query: str, **kwargs) -> list[str]:
    return [hit.item.name for hit in item_search(query, **kwargs)]


def top(query: str) -> str | None:
    found = names(query, limit=1)
    return found[0] if found else None


@pytest.fixture
def catalogue(db) -> dict[str, ServiceItem]:
    return build_catalogue()


EVERYDAY_QUERIES = {
    "加装电梯": "旧楼加装电梯审批",
    "我想加装电梯": "旧楼加装电梯审批",
    "jzdt": "旧楼加装电梯审批",
    "ＪＺＤＴ": "旧楼加装电梯审批",
    "jiazhuangdianti": "旧楼加装电梯审批",
    "电梯维修": "电梯安装改造维修告知",
    "养老金": "城乡居民养老保险待遇核定",
    "yanglaojin": "城乡居民养老保险待遇核定",
    "yang lao jin": "城乡居民养老保险待遇核定",
    "ylj": "城乡居民养老保险待遇核定",
    "怎么领养老金": "城乡居民养老保险待遇核定",
    "农村养老金": "城乡居民养老保险待遇核定",
    "退休金": "企业职工基本养老保险待遇申领",
    "老人退休金": "企业职工基本养老保险待遇申领",
    "开个小卖部": "个体工商户设立登记",
    "开小卖部": "个体工商户设立登记",
    "办营业执照": "个体工商户设立登记",
    "开饭店": "食品经营许可",
    "生小孩要办什么": "生育登记",
    "生小孩": "生育登记",
    "去外地看病报销": "异地就医备案",
    "异地看病": "异地就医备案",
    "低保": "最低生活保障申请",
    "我要申请低保": "最低生活保障申请",
    "开养老院": "养老机构设立备案",
    "盖房子": "建设工程规划许可证核发",
    "领证": "结婚登记",
    "办残疾证": "残疾人证办理",
    "居住证办理": "居住证办理",
    "办理居住证": "居住证办理",
    "八十岁老人补贴": "高龄津贴申领",
    "迁户口": "户口迁移",
    "失业了": "失业保险金申领",
    "开诊所": "医疗机构执业登记",
    # Issue 7: everyday words the synonym table (data/search_words.toml) bridges.
    "开个小饭馆": "食品经营许可",
    "个体工商户注册": "个体工商户设立登记",
    "公司注册": "有限责任公司设立登记",
    "开餐厅": "食品经营许可",
}


def test_everyday_phrasing_finds_the_right_item_first(catalogue):
    assert {query: top(query) for query in EVERYDAY_QUERIES} == EVERYDAY_QUERIES


def test_both_pension_items_lead_for_pension_words(catalogue):
    # Both carry 养老金 in their keywords: equal scores, the shorter name first.
    pension = ["城乡居民养老保险待遇核定", "企业职工基本养老保险待遇申领"]
    assert names("养老金")[:2] == pension
    first, second = item_search("养老金")[:2]
    assert first.score == second.score
    assert sorted(names("ylj")) == sorted(pension)
    # Initials must end where a word ends: ylj is 养老金, not 养老机构 (yl jg).
    assert "养老机构设立备案" not in names("ylj")


def test_name_prefix_beats_a_word_inside_the_name(catalogue):
    assert names("电梯") == ["电梯安装改造维修告知", "旧楼加装电梯审批"]
    assert names("养老")[0] == "养老机构设立备案"


def test_exact_name_scores_in_the_top_tier(catalogue):
    hits = item_search("生育登记")
    assert hits[0].item.name == "生育登记"
    assert hits[0].score >= 4000
    assert all(hit.score < 4000 for hit in hits[1:])


def test_stop_words_do_not_dominate(catalogue):
    assert names("我想加装电梯") == names("加装电梯")
    # 办理 is in several names and guides; as a stop word it must not pull them in.
    assert names("怎么办理居住证") == names("居住证")
    assert names("居住证")[0] == "居住证办理"
    assert item_search("我想怎么办理什么") == []


def test_the_typed_phrase_found_whole_wins_a_tie(db):
    department = DepartmentFactory()
    whole = create_item(name="甲类待遇申领事项", keywords="领养老金", department=department)
    word = create_item(name="乙类待遇", keywords="养老金", department=department)
    assert [hit.item for hit in item_search("养老金")] == [word, whole]
    assert [hit.item for hit in item_search("怎么领养老金")] == [whole, word]


def test_guide_materials_and_department_are_searchable(catalogue):
    # A material name, a department short name, pinyin of the department short name.
    assert names("房屋所有权证") == ["旧楼加装电梯审批"]
    assert names("区残联") == ["残疾人证办理"]
    civil_items = {"养老机构设立备案", "最低生活保障申请", "结婚登记", "高龄津贴申领"}
    assert set(names("民政局")) == civil_items
    assert set(names("mzj")) == civil_items


def test_full_width_and_upper_case_queries_are_normalised(catalogue):
    assert names("ＪＺＤＴ") == names("jzdt") == names("JzDt")
    assert names("  加装，电梯！ ") == names("加装电梯")


@pytest.mark.parametrize("query", ["", "   ", "？！。，", "——…", "\n\t"])
def test_empty_or_punctuation_query_returns_nothing(catalogue, query):
    assert item_search(query) == []


def test_unknown_words_find_nothing(catalogue):
    assert item_search("量子计算机") == []
    assert item_search("xyzzy") == []


def test_limit(catalogue):
    assert len(item_search("登记", limit=2)) == 2
    assert item_search("登记", limit=0) == []


def test_drafts_and_cancelled_items_are_not_found_by_default(catalogue):
    department = catalogue["结婚登记"].department
    draft = create_item(
        publish=False, name="临时占道审批", keywords="占道 摆摊", department=department
    )
    marriage = catalogue["结婚登记"]
    item_cancel(item=marriage, reason="职能调整")
    assert item_search("临时占道") == []
    assert "结婚登记" not in names("结婚")
    everything = ServiceItem.objects.all()
    assert [hit.item for hit in item_search("临时占道", items=everything)] == [draft]
    assert names("结婚", items=everything)[0] == "结婚登记"


def test_items_restricts_the_candidates(catalogue):
    civil = catalogue["结婚登记"].department
    assert names("养老", items=ServiceItem.objects.filter(department=civil)) == ["养老机构设立备案"]
    assert names("养老", items=ServiceItem.objects.none()) == []
    only = ServiceItem.objects.filter(pk=catalogue["异地就医备案"].pk)
    assert names("看病", items=only) == ["异地就医备案"]


def test_document_is_rebuilt_when_the_item_changes(catalogue):
    item = catalogue["旧楼加装电梯审批"]
    item.name = "既有住宅增设电梯审批"
    item_save(content=ItemContent(item=item, materials=list(item.materials.all())))
    document = SearchDocument.objects.get(item=item)
    assert document.name_terms.split()[0] == "既有住宅增设电梯审批"
    assert "旧楼" not in document.name_terms
    hits = item_search("既有住宅增设电梯审批")
    assert hits[0].item == item
    assert hits[0].score >= 4000
    # The keywords still bridge the everyday words.
    assert top("加装电梯") == "既有住宅增设电梯审批"


def test_search_document_rebuild_returns_the_stored_document(catalogue):
    item = catalogue["最低生活保障申请"]
    SearchDocument.objects.filter(item=item).update(keyword_terms="", pinyin="", initials="")
    document = search_document_rebuild(item=item)
    assert document.pk == SearchDocument.objects.get(item=item).pk
    assert document.keyword_terms.split()[:2] == ["低保", "低保户"]
    assert document.initials.split(" | ")[1].split()[:2] == ["db", "dbh"]
    assert top("低保") == "最低生活保障申请"


def test_order_is_deterministic(db):
    market, other = DepartmentFactory(), DepartmentFactory()
    long_name = create_item(name="公租房申请资格审核", keywords="公租房", department=market)
    short_name = create_item(name="公租房申请", keywords="公租房", department=market)
    twins = [
        create_item(name="临时居住登记", keywords="暂住", department=department)
        for department in (other, market)
    ]
    assert [hit.item for hit in item_search("公租房")] == [short_name, long_name]
    twins.sort(key=lambda item: item.implementation_code)
    for _ in range(3):
        assert [hit.item for hit in item_search("暂住")] == twins
    first, second = item_search("暂住")
    assert first.score == second.score


def test_three_queries_whatever_the_catalogue(catalogue, django_assert_num_queries):
    with django_assert_num_queries(3):
        hits = item_search("加装电梯")
        departments = [hit.item.department.name for hit in hits]
    assert departments[0] == "区住房和城乡建设局"
    with django_assert_num_queries(3):
        item_search("jzdt")


def test_bulk_rebuild_matches_single_rebuild_with_few_queries(
    catalogue, django_assert_max_num_queries
):
    fields = ("item_id", "name_terms", "keyword_terms", "body_terms", "pinyin", "initials")
    expected = sorted(SearchDocument.objects.values_list(*fields))
    SearchDocument.objects.update(name_terms="", keyword_terms="", body_terms="")
    SearchDocument.objects.filter(item=catalogue["生育登记"]).delete()
    with django_assert_max_num_queries(8):
        count = search_documents_rebuild_all()
    assert count == len(CATALOGUE)
    assert sorted(SearchDocument.objects.values_list(*fields)) == expected
    # Smaller batches: a fixed number of queries per batch, none per item.
    with django_assert_max_num_queries(2 + 4 * 4 + 2):
        search_documents_rebuild_all(batch_size=5)
    assert sorted(SearchDocument.objects.values_list(*fields)) == expected


def test_rebuild_search_command(catalogue):
    SearchDocument.objects.all().delete()
    out = StringIO()
    call_command("rebuild_search", stdout=out)
    assert SearchDocument.objects.count() == len(CATALOGUE)
    assert f"{len(CATALOGUE)}" in out.getvalue()
    assert top("jzdt") == "旧楼加装电梯审批"


def test_rebuild_search_command_for_one_department(catalogue):
    civil = catalogue["结婚登记"].department
    SearchDocument.objects.all().delete()
    call_command("rebuild_search", f"--department={civil.pk}", stdout=StringIO())
    assert set(SearchDocument.objects.values_list("item__name", flat=True)) == {
        "养老机构设立备案",
        "最低生活保障申请",
        "结婚登记",
        "高龄津贴申领",
    }


# --- Issue 7: everyday phrasing, English, initials, grouping, filters -----------------------


def test_the_issue_phrases_find_their_items_in_the_top_three(catalogue):
    assert names("开个小饭馆") == ["食品经营许可"]
    assert names("个体工商户注册")[:3] == ["个体工商户设立登记", "有限责任公司设立登记", "结婚登记"]
    # 注册 is the everyday word for 登记: the name holds every word, through the synonym.
    assert item_search("个体工商户注册")[0].score >= 1000


def test_english_names_and_words_find_items(catalogue):
    # Both English names say "pension": a tie, which the shorter Chinese name wins.
    assert names("pension") == ["城乡居民养老保险待遇核定", "企业职工基本养老保险待遇申领"]
    assert names("lift") == ["旧楼加装电梯审批"]
    assert names("birth") == ["生育登记"]
    # Plurals and -ing are stemmed; English synonyms bridge everyday words; stop words go.
    assert names("lifts") == names("Lifting") == names("elevator") == ["旧楼加装电梯审批"]
    assert names("how do I get a pension")[:2] == names("pensions")[:2]
    assert names("baby") == ["生育登记"]
    assert names("food licences") == ["食品经营许可"]
    # The exact English name is the top tier, like the exact Chinese name.
    hits = item_search("Birth registration")
    assert [hit.item.name for hit in hits[:2]] == ["生育登记", "结婚登记"]
    assert hits[0].score >= 4000 > hits[1].score
    # Latin letters match the start of an English word, never its inside ("sion", "ension").
    assert item_search("sion") == item_search("ension") == []
    assert names("pens") == names("pension")


def test_english_words_do_not_break_pinyin(catalogue):
    assert top("jzdt") == top("jiazhuangdianti") == "旧楼加装电梯审批"
    assert sorted(names("ylj")) == ["企业职工基本养老保险待遇申领", "城乡居民养老保险待遇核定"]
    # English and Chinese in one query: both words count.
    assert top("生育 birth") == "生育登记"


@pytest.mark.parametrize(
    ("word", "stem"),
    [
        ("lift", "lift"),
        ("lifts", "lift"),
        ("lifting", "lift"),
        ("licences", "licenc"),
        ("licence", "licenc"),
        ("businesses", "business"),
        ("business", "business"),
        ("families", "family"),
        ("married", "marry"),
        ("marry", "marry"),
        ("shopping", "shop"),
        ("building", "build"),
        ("registered", "register"),
        ("need", "need"),
        ("bus", "bus"),
    ],
)
def test_english_stemming_is_simple_and_consistent(word, stem):
    assert english_stem(word) == stem


def test_pinyin_initials_match_the_start_of_a_name_across_its_words(catalogue):
    department = DepartmentFactory()
    works = create_item(name="既有市政设施迁改审批", department=department)
    lift = create_item(name="既有住宅增设电梯", keywords="加装电梯", department=department)
    jysz = item_search("jysz")
    assert [hit.item for hit in jysz] == [works]
    assert jysz[0].score >= 3000
    # jy'zz'zs'dt: "jyzzz" ends inside a word, and still starts the name.
    jyzzz = item_search("jyzzz")
    assert [hit.item for hit in jyzzz] == [lift]
    assert jyzzz[0].score >= 3000
    # Three letters must still end where a word ends (ylj is not 养老机构).
    assert "养老机构设立备案" not in names("ylj")


def street_offices(count: int) -> list:
    """``count`` streets, each with its street office (a department of that street)."""
    offices = []
    for number in range(1, count + 1):
        street = StreetFactory(name=f"第{number}街道", name_en=f"Street {number}")
        offices.append(
            DepartmentFactory(
                name=f"荔湾区第{number}街道办事处", short_name=f"第{number}街道", region=street
            )
        )
    return offices


def street_item(office, **overrides) -> ServiceItem:
    """The street-level item every street office implements (one basic code)."""
    fields = {
        "basic_code": "059000005001",
        "name": "企业退休人员计划生育奖励申领",
        "keywords": "独生子女奖励 退休奖励 计生奖励",
        "guide_summary": "企业退休的独生子女父母，领一次性计划生育奖励。",
        "department": office,
        "exercise_level": "4",
    }
    fields.update(overrides)
    return create_item(**fields)


def test_implementations_of_one_item_are_one_result_with_the_chosen_street_first(catalogue):
    offices = street_offices(3)
    implementations = [street_item(office) for office in offices]
    # Flat: one hit per implementation.
    flat = names("退休 养老金")
    assert flat.count("企业退休人员计划生育奖励申领") == 3

    groups = item_search_grouped("退休 养老金")
    assert [(group.item.name, group.count) for group in groups] == [
        ("企业职工基本养老保险待遇申领", 1),
        ("企业退休人员计划生育奖励申领", 3),
        ("城乡居民养老保险待遇核定", 1),
        ("养老机构设立备案", 1),
    ]
    assert len({group.basic_code for group in groups}) == len(groups)
    reward = groups[1]
    # The whole district: implementations in the order of their streets.
    assert reward.implementations == implementations
    assert reward.local is False
    assert reward.score == max(
        hit.score for hit in item_search("退休 养老金", limit=50) if hit.item in implementations
    )

    second_street = offices[1].region
    chosen = item_search_grouped("退休 养老金", region=second_street)[1]
    assert chosen.implementations == [implementations[1], implementations[0], implementations[2]]
    assert chosen.item == implementations[1]
    assert chosen.others == [implementations[0], implementations[2]]
    assert chosen.local is True
    # A district item has one implementation and is not "local" to any street.
    assert item_search_grouped("退休 养老金", region=second_street)[0].local is False


def test_grouped_search_limits_results_not_implementations(catalogue):
    offices = street_offices(4)
    for office in offices:
        street_item(office)
    groups = item_search_grouped("计划生育奖励", limit=1)
    assert [(group.item.name, group.count) for group in groups] == [
        ("企业退休人员计划生育奖励申领", 4)
    ]
    assert item_search_grouped("计划生育奖励", limit=0) == []
    assert item_search_grouped("？！") == []


def test_an_item_every_street_implements_does_not_look_common(db):
    # Document frequency counts basic codes: 5 implementations of one item weigh like one, so
    # other items' scores do not move when more streets implement it.
    offices = street_offices(5)
    street_item(offices[0], name="长者饭堂助餐服务申请", keywords="助餐 长者饭堂")
    single = create_item(name="助餐配餐服务机构备案", keywords="助餐")
    create_item(name="社区食堂备案", keywords="食堂")
    before = item_search_grouped("助餐")
    for office in offices[1:]:
        street_item(office, name="长者饭堂助餐服务申请", keywords="助餐 长者饭堂")
    after = item_search_grouped("助餐")
    assert [(group.item, group.count) for group in after] == [
        (single, 1),
        (before[1].item, 5),
    ]
    assert [group.score for group in after] == [group.score for group in before]


def test_grouped_search_runs_three_queries_whatever_the_catalogue(
    catalogue, django_assert_num_queries
):
    offices = street_offices(3)
    for office in offices:
        street_item(office)
    street = Region.objects.get(pk=offices[0].region_id)
    with django_assert_num_queries(3):
        groups = item_search_grouped("退休 养老金", region=street)
        departments = [item.department.name for item in groups[1].implementations]
    assert departments == [office.name for office in offices]
    with django_assert_num_queries(3):
        item_search_grouped("pension")


def test_filters_by_department_online_and_instant(catalogue):
    market = catalogue["食品经营许可"].department
    ServiceItem.objects.filter(pk=catalogue["食品经营许可"].pk).update(is_online=True)
    ServiceItem.objects.filter(pk=catalogue["有限责任公司设立登记"].pk).update(
        case_type=CaseType.INSTANT, promised_limit=0
    )
    public = ServiceItem.objects.filter(status="published")
    query = "登记 许可"
    by_department = item_filter(public, department_id=market.pk)
    assert sorted(names(query, items=by_department)) == [
        "个体工商户设立登记",
        "有限责任公司设立登记",
        "食品经营许可",
    ]
    assert names(query, items=item_filter(public, online=True)) == ["食品经营许可"]
    assert names(query, items=item_filter(public, instant=True)) == ["有限责任公司设立登记"]
    assert "有限责任公司设立登记" not in names(query, items=item_filter(public, instant=False))
    both = item_filter(public, department_id=market.pk, online=True, instant=True)
    assert names(query, items=both) == []
    assert item_filter(public) is public


def test_the_search_words_file_is_valid_and_covers_the_everyday_phrasings():
    words = search_words_load()
    assert words["synonyms"] == SYNONYMS
    assert words["english_synonyms"] == ENGLISH_SYNONYMS
    assert SYNONYMS["饭馆"] == ("餐馆", "饭店", "餐饮")
    assert SYNONYMS["注册"] == ("设立登记", "登记")
    # English keys and expansions are stored stemmed.
    assert ENGLISH_SYNONYMS["elevator"] == ("lift",)
    assert ENGLISH_SYNONYMS["licens"] == ("licenc",)
    assert "开个" in words["stop_words"]
    assert "the" in words["english_stop_words"]


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ('[synonyms]\n"饭馆" = ["饭馆"]\n', "does not expand to itself"),
        ('[synonyms]\n"饭 馆" = ["餐馆"]\n', "a key is one word"),
        ('[synonyms]\n"饭馆" = "餐馆"\n', "expected a list of words"),
        ('[english_synonyms]\nlift = [""]\n', "every expansion is a non-empty text"),
        ('[english_synonyms]\nlift = ["up"]\nlifts = ["up"]\n', "same key twice"),
        ("[synonym]\n", "unknown tables"),
        ("[stop_words]\nchinese = 3\n", "expected a text"),
        ("[synonyms\n", "not valid TOML"),
    ],
)
def test_a_wrong_search_words_file_is_refused_with_the_place(tmp_path, text, problem):
    (tmp_path / "search_words.toml").write_text(text, encoding="utf-8")
    with pytest.raises(SearchWordsError, match=problem):
        search_words_load(tmp_path)


def test_the_migration_adds_english_terms_to_documents_built_before(catalogue):
    from django.apps import apps

    migration = importlib.import_module(
        "onewindow.catalog.migrations.0004_search_documents_english"
    )
    fields = ("item_id", "name_terms", "body_terms")
    lift = catalogue["旧楼加装电梯审批"]
    lift.department.name_en = "Housing Bureau"
    lift.department.save()
    search_document_rebuild(item=lift)
    expected = sorted(SearchDocument.objects.values_list(*fields))
    # As built before: no English words.
    for document in SearchDocument.objects.select_related("item"):
        document.name_terms = " ".join(_terms([document.item.name]))
        document.body_terms = document.body_terms.removesuffix(" hous bureau")
        document.save()
    assert item_search("lift") == []
    migration.add_english_terms(apps, None)
    assert sorted(SearchDocument.objects.values_list(*fields)) == expected
    assert top("lift") == "旧楼加装电梯审批"


def test_a_missing_search_words_file_is_refused(tmp_path):
    with pytest.raises(SearchWordsError, match="the file is missing"):
        search_words_load(tmp_path)


# Catalogue characters, latin letters and punctuation, full and half width.
QUERY_ALPHABET = "加装电梯养老金低保开小卖部生育登记证 ，！？、ＡａＪＺjzdtylqu1２"


@given(st.text(max_size=80))
def test_normalise_is_clean_and_stable(text):
    normalised = text_normalise(text)
    assert normalised == normalised.strip()
    assert "  " not in normalised
    assert all(ch == " " or ch.isalnum() for ch in normalised)
    assert not any("A" <= ch <= "Z" for ch in normalised)
    assert text_normalise(normalised) == normalised


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=st.one_of(st.text(max_size=40), st.text(alphabet=QUERY_ALPHABET, max_size=16)))
def test_search_never_crashes_on_arbitrary_text(catalogue, text):
    hits = item_search(text)
    assert all(hit.score > 0 for hit in hits)
    assert len({hit.item.pk for hit in hits}) == len(hits)
    assert [hit.score for hit in hits] == sorted((hit.score for hit in hits), reverse=True)
