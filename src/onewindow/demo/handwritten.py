"""Service items of the demo city written out by hand, as a district catalogue team would.

Plain Python data written for OneWindow (not copied from any website). Each entry has the
official text (legal basis, conditions, materials, limits) and a plain-language guide in
everyday Chinese (改官话为民话). Departments are referred to by the keys of
``demo.data.DEPARTMENTS``; topics by the codes of ``demo.data.TOPICS``. The generator turns each
entry into an ``ItemContent`` and checks it against every catalogue rule.

Field conventions: ``statutory`` / ``promised`` are ``(value, TimeUnit)``; ``levels`` lists the
centre levels that accept the item (通办范围); ``materials`` are built with ``material()``.
"""

from __future__ import annotations

from typing import Any

from onewindow.catalog.codes import (
    CaseType,
    ItemType,
    MaterialForm,
    MaterialNecessity,
    MaterialType,
    OnlineDepth,
    ResultType,
    ServiceObject,
    TimeUnit,
)
from onewindow.org.models import CentreLevel

WD = TimeUnit.WORKING_DAY
ND = TimeUnit.NATURAL_DAY

HALL = CentreLevel.DISTRICT_HALL
STREET = CentreLevel.STREET_CENTRE
COMMUNITY = CentreLevel.COMMUNITY_POINT
KIOSK = CentreLevel.KIOSK

PERSON = [ServiceObject.NATURAL_PERSON]
COMPANY = [ServiceObject.ENTERPRISE, ServiceObject.UNINCORPORATED]

# Online depth sets used below.
CONSULT_ONLY = [OnlineDepth.CONSULT]
PRE_REVIEW = [
    OnlineDepth.CONSULT,
    OnlineDepth.RECEIVE,
    OnlineDepth.PRE_REVIEW,
    OnlineDepth.RESULT_FEEDBACK,
]
FULL_ONLINE = [
    OnlineDepth.CONSULT,
    OnlineDepth.RECEIVE,
    OnlineDepth.PRE_REVIEW,
    OnlineDepth.ACCEPT,
    OnlineDepth.HANDLE,
    OnlineDepth.RESULT_FEEDBACK,
]
FULL_ONLINE_LICENCE = [*FULL_ONLINE, OnlineDepth.LICENCE_FEEDBACK]

ID_CARD = "申请人居民身份证"


def material(
    name: str,
    kind: str,
    *,
    form: str = MaterialForm.BOTH,
    necessity: str = MaterialNecessity.REQUIRED,
    copies: int = 1,
    source: str = "申请人自备",
    standard: str = "",
    notes: str = "",
    basis: str = "",
    paper_spec: str = "A4",
) -> dict[str, Any]:
    """One required paper. ``kind`` is ``form``, ``cert`` or ``other``."""
    material_type = {
        "form": MaterialType.FORM,
        "cert": MaterialType.CERTIFICATE,
        "other": MaterialType.OTHER,
    }[kind]
    return {
        "name": name,
        "material_type": material_type,
        "form": form,
        "necessity": necessity,
        "paper_copies": 0 if form == MaterialForm.ELECTRONIC else copies,
        "paper_spec": "" if form == MaterialForm.ELECTRONIC else paper_spec,
        "source_channel": source,
        "acceptance_standard": standard,
        "notes": notes,
        "basis": basis,
    }


def id_card(holder: str = ID_CARD) -> dict[str, Any]:
    return material(
        holder,
        "cert",
        form=MaterialForm.BOTH,
        source="政府部门核发",
        standard="原件核验，在有效期内；可用电子证照代替。",
    )


def business_licence() -> dict[str, Any]:
    return material(
        "营业执照",
        "cert",
        form=MaterialForm.ELECTRONIC,
        source="政府部门核发",
        standard="通过电子证照库调取，申请人无需提交。",
    )


HANDWRITTEN_ITEMS: list[dict[str, Any]] = [
    # 1. Adding a lift to an old building: 8 departments, now one submission (seed 001).
    {
        "key": "lift",
        "department": "zjj",
        "name": "既有住宅增设电梯",
        "name_en": "Adding a lift to an existing residential building",
        "item_type": ItemType.LICENSING,
        "service_objects": PERSON,
        "legal_basis": (
            "《中华人民共和国城乡规划法》；《中华人民共和国建筑法》；"
            "《中华人民共和国特种设备安全法》；《中华人民共和国消防法》；"
            "《国务院办公厅关于全面推进城镇老旧小区改造工作的指导意见》"
            "（国办发〔2020〕23号）；广州市既有住宅增设电梯有关规定。"
        ),
        "conditions": (
            "1. 拟增设电梯的住宅为本区已取得房屋权属证明的四层及以上既有住宅；\n"
            "2. 增设电梯经本单元（栋）房屋专有部分占建筑物总面积三分之二以上且占总人数三分之二"
            "以上的业主参与表决，并经参与表决专有部分面积四分之三以上且参与表决人数四分之三以上"
            "的业主同意；\n"
            "3. 设计方案符合规划、建筑结构、消防和特种设备安全要求，不占用消防车道和城市道路；\n"
            "4. 业主已就资金分摊、后续管理和维护保养达成书面协议，并已在小区内公示不少于10日。"
        ),
        "case_type": CaseType.PROMISED,
        "statutory": (40, WD),
        "promised": (20, WD),
        "promised_note": "自受理之日起计算，专家论证和公示时间不计入。",
        "special_procedures": "方案公示（10日）；必要时组织现场踏勘和专家论证。",
        "visits": 1,
        "visit_reason": "需提交业主签名的纸质协议原件并核验申请人代表身份。",
        "online_depth": PRE_REVIEW,
        "levels": [HALL, STREET],
        "joint": ["ghj", "scj", "xfj", "cgj", "swj", "wgltj", "hbj", "gafj"],
        "result_type": ResultType.APPROVAL_DOCUMENT,
        "result_name": "既有住宅增设电梯联合审查意见书",
        "handling_forms": "窗口办理；网上预审",
        "intermediary_services": (
            "施工图设计（具备相应资质的设计单位）；电梯安装（具备资质的安装单位）"
        ),
        "materials": [
            material(
                "既有住宅增设电梯申请表", "form", copies=1, standard="由业主代表签名，填写完整。"
            ),
            material("业主代表居民身份证及授权委托书", "cert", copies=1),
            material(
                "房屋权属证明",
                "cert",
                source="政府部门核发",
                standard="不动产登记信息可由窗口在线核查。",
            ),
            material(
                "增设电梯业主表决结果及签名名单",
                "other",
                form=MaterialForm.PAPER,
                copies=1,
                standard="原件，列明每户专有面积和表决意见。",
            ),
            material("资金筹集和分摊协议", "other", form=MaterialForm.PAPER, copies=1),
            material(
                "设计方案总平面图及建筑施工图",
                "other",
                copies=2,
                standard="由具备资质的设计单位盖章。",
            ),
            material(
                "方案公示情况说明及现场照片",
                "other",
                necessity=MaterialNecessity.DEFERRABLE,
                notes="可容缺受理，在联合审查意见书作出前补交。",
            ),
            material(
                "电梯维护保养意向协议",
                "other",
                necessity=MaterialNecessity.DEFERRABLE,
                notes="可容缺受理，在开工前补交。",
            ),
        ],
        "topics": ["housing"],
        "guide": {
            "summary": "老楼没电梯，楼里业主商量好了想加装一部，交一套材料，8个部门一起审。",
            "you_get": "一份联合审查意见书。拿到后就可以找施工单位开工装电梯。",
            "who": (
                "四层以上的老住宅，同一单元三分之二以上业主参加表决，参加的人中四分之三以上同意。"
            ),
            "bring": (
                "申请表、业主签名表决名单、出钱分摊协议、设计图纸、房产证明。公示照片可以后补。"
            ),
            "how_long": "材料齐全后20个工作日内出结果，公示时间不算在内。",
            "how_much": "政府审批不收费；设计、施工和电梯费用由业主按协议分摊。",
        },
        "keywords": "加梯 装电梯 加装电梯 老楼电梯 旧楼电梯 楼梯房装电梯 电梯审批",
        "faqs": [
            (
                "有一户业主不同意，还能加装吗？",
                "只要达到法定的表决比例就可以申请。不同意的业主可以在公示期内提出意见，"
                "街道会组织协商。",
            ),
            (
                "要跑几个部门？",
                "只到任一窗口交一次材料。规划、市场监管、消防、城管、水务等8个部门在系统里"
                "同时审查同一套电子材料。",
            ),
        ],
    },
    # 2. Sole trader registration: finished at the window with the seal at the front desk.
    {
        "key": "sole_trader",
        "department": "scj",
        "name": "个体工商户设立登记",
        "name_en": "Registration of an individual business (sole trader)",
        "item_type": ItemType.LICENSING,
        "service_objects": [ServiceObject.NATURAL_PERSON, ServiceObject.UNINCORPORATED],
        "legal_basis": "《促进个体工商户发展条例》；《中华人民共和国市场主体登记管理条例》"
        "及其实施细则。",
        "conditions": (
            "1. 申请人为有经营能力的自然人或家庭；\n"
            "2. 有固定的经营场所，经营场所符合规划和安全要求；\n"
            "3. 经营范围不属于法律、行政法规禁止个体工商户经营的项目；\n"
            "4. 名称（如有）经自主申报，不与同一登记机关已登记的个体工商户名称相同。"
        ),
        "case_type": CaseType.INSTANT,
        "statutory": (3, WD),
        "promised": (0, WD),
        "promised_note": "材料齐全、符合法定形式的，当场登记并发放营业执照。",
        "visits": 0,
        "visit_reason": "",
        "online_depth": FULL_ONLINE_LICENCE,
        "accepts_post": True,
        "levels": [HALL, STREET],
        "result_type": ResultType.LICENCE,
        "result_name": "营业执照（个体工商户）",
        "handling_forms": "窗口办理；全程网办；营业执照可邮寄",
        "materials": [
            material(
                "个体工商户登记（备案）申请书",
                "form",
                form=MaterialForm.BOTH,
                copies=1,
                standard="经营者本人签名；网上申请的以电子签名代替。",
            ),
            id_card("经营者居民身份证"),
            material(
                "经营场所使用证明",
                "cert",
                form=MaterialForm.BOTH,
                copies=1,
                notes="自有房屋提交不动产权证书，租用的提交租赁合同；"
                "也可提交住所（经营场所）信息申报承诺书。",
            ),
        ],
        "topics": ["start_business", "work"],
        "guide": {
            "summary": "自己开小店、摆档口、开网店，先办个体户营业执照。",
            "you_get": "个体工商户营业执照（纸质和电子执照都有）。",
            "who": "想自己或和家人一起做小生意的人。",
            "bring": "身份证、店铺的租赁合同或房产证明。申请书可在窗口现场填，也可网上填。",
            "how_long": "材料齐全的，当场拿执照；网上申请的审核通过后可邮寄。",
            "how_much": "不收费。",
        },
        "keywords": "个体户 开店 办执照 营业执照 开档口 小生意 网店执照 个体执照",
        "faqs": [
            (
                "租的铺面可以用来登记吗？",
                "可以，带上租赁合同即可；没有合同的可签一份场所申报承诺书。",
            ),
            ("办执照要交钱吗？", "登记和营业执照都不收费。"),
        ],
    },
    # 3. Urban-rural residents' pension: instant since the social-security seal sits at the
    #    front desk (seed 001, Chancheng).
    {
        "key": "resident_pension",
        "department": "rsj",
        "name": "城乡居民基本养老保险待遇核定",
        "name_en": "Determination of urban and rural residents' basic pension",
        "item_type": ItemType.PAYMENT,
        "service_objects": PERSON,
        "legal_basis": "《中华人民共和国社会保险法》；《国务院关于建立统一的城乡居民基本养老"
        "保险制度的意见》（国发〔2014〕8号）；广东省城乡居民基本养老保险实施办法。",
        "conditions": (
            "1. 参加本区城乡居民基本养老保险，年满60周岁；\n"
            "2. 累计缴费满15年，或按规定补缴后满15年；\n"
            "3. 未领取国家规定的基本养老保障待遇。"
        ),
        "case_type": CaseType.INSTANT,
        "statutory": (15, WD),
        "promised": (0, WD),
        "visits": 1,
        "visit_reason": "首次领取待遇需本人到场进行身份核验和待遇领取资格确认。",
        "online_depth": PRE_REVIEW,
        "levels": [HALL, STREET, COMMUNITY],
        "result_type": ResultType.OTHER,
        "result_name": "城乡居民基本养老保险待遇核定表",
        "materials": [
            material("城乡居民基本养老保险待遇申领表", "form", copies=1),
            id_card(),
            material(
                "本人社会保障卡或银行账户",
                "cert",
                form=MaterialForm.BOTH,
                copies=1,
                standard="用于按月发放养老金，须为本人账户。",
            ),
        ],
        "topics": ["retirement", "insurance"],
        "guide": {
            "summary": "满60岁、交够15年城乡居民养老保险，来申请每月领养老金。",
            "you_get": "养老金核定表，从下个月起每月打到你的社保卡或银行卡。",
            "who": "参加本区城乡居民养老保险、年满60岁、累计缴费满15年的人。",
            "bring": "身份证、社保卡（或本人银行卡）。",
            "how_long": "当场办好。",
            "how_much": "不收费。",
        },
        "keywords": "居民养老 领养老金 60岁 城乡居民养老 老人领钱 养老待遇 退休金",
        "faqs": [
            ("交不够15年怎么办？", "可以按规定一次性补缴到15年后再申请，窗口可帮你算补缴金额。"),
        ],
    },
    # 4. Cross-province medical treatment filing: instant, fully online possible.
    {
        "key": "remote_medical",
        "department": "ybj",
        "name": "基本医疗保险参保人员异地就医备案",
        "name_en": "Filing for medical treatment in another place (basic medical insurance)",
        "item_type": ItemType.PUBLIC_SERVICE,
        "service_objects": PERSON,
        "legal_basis": "《中华人民共和国社会保险法》；《国家医疗保障局 财政部关于进一步做好基本"
        "医疗保险跨省异地就医直接结算工作的通知》（医保发〔2022〕22号）。",
        "conditions": (
            "参加本区基本医疗保险且处于正常参保状态，属于异地长期居住人员、常驻异地工作人员、"
            "异地转诊人员或临时外出就医人员之一。"
        ),
        "case_type": CaseType.INSTANT,
        "statutory": (1, WD),
        "promised": (0, WD),
        "visits": 0,
        "visit_reason": "",
        "online_depth": FULL_ONLINE,
        "accepts_post": False,
        "levels": [HALL, STREET, COMMUNITY, KIOSK],
        "supports_kiosk": True,
        "result_type": ResultType.OTHER,
        "result_name": "异地就医备案信息（备案回执）",
        "handling_forms": "窗口办理；国家医保服务平台、粤医保等渠道全程网办",
        "materials": [
            material(
                "异地就医备案登记表",
                "form",
                form=MaterialForm.BOTH,
                copies=1,
                notes="网上办理的在线填写，无需提交纸质表。",
            ),
            id_card("参保人居民身份证或社会保障卡"),
        ],
        "topics": ["medical"],
        "guide": {
            "summary": "长期住在外地、在外地工作或要去外地看病，先备案，看病时直接刷医保结算。",
            "you_get": "备案记录，在备案地的定点医院看病可以直接结算，不用先垫钱回来报。",
            "who": "在本区参加医保的人。",
            "bring": "身份证或社保卡。在手机上办的什么都不用带。",
            "how_long": "当场生效。",
            "how_much": "不收费。",
        },
        "keywords": "异地就医 外地看病 异地医保 医保备案 回老家看病 跨省就医 长居外地",
        "faqs": [
            ("备案后能回广州看病吗？", "可以。长期居住备案的人回参保地看病，按规定享受医保待遇。"),
            ("临时出差生病了，没备案怎么办？", "可以在出院结算前补办备案，仍可直接结算。"),
        ],
    },
    # 5. Birth registration: instant, fully online.
    {
        "key": "birth_registration",
        "department": "wjj",
        "name": "生育登记",
        "name_en": "Birth registration",
        "item_type": ItemType.PUBLIC_SERVICE,
        "service_objects": PERSON,
        "legal_basis": "《中华人民共和国人口与计划生育法》；《广东省人口与计划生育条例》。",
        "conditions": "夫妻双方或一方户籍在本区，或在本区居住的夫妻，生育子女的均可登记。",
        "case_type": CaseType.INSTANT,
        "statutory": (1, WD),
        "promised": (0, WD),
        "visits": 0,
        "visit_reason": "",
        "online_depth": FULL_ONLINE,
        "levels": [HALL, STREET, COMMUNITY],
        "result_type": ResultType.OTHER,
        "result_name": "生育登记服务单",
        "handling_forms": "窗口办理；粤省事等移动端全程网办",
        "materials": [
            material(
                "生育登记表",
                "form",
                form=MaterialForm.BOTH,
                copies=1,
                notes="网上办理在线填写，信息由系统自动带出。",
            ),
            id_card("夫妻双方居民身份证"),
            material(
                "结婚证",
                "cert",
                form=MaterialForm.BOTH,
                necessity=MaterialNecessity.OPTIONAL,
                source="政府部门核发",
                notes="能在线核验的无需提交。",
            ),
        ],
        "topics": ["birth"],
        "guide": {
            "summary": "怀孕了或孩子出生了，办个生育登记，孕检、产检和生育保险都要用到。",
            "you_get": "生育登记服务单（电子版即可使用）。",
            "who": "户籍或居住在本区的夫妻。",
            "bring": "夫妻双方身份证。手机上办不用带材料。",
            "how_long": "当场办好。",
            "how_much": "不收费。",
        },
        "keywords": "生育登记 准生证 怀孕登记 生孩子 生二胎 生三胎 产检登记",
        "faqs": [
            ("生育登记就是以前的准生证吗？", "是的，现在实行生育登记服务，不需要审批，登记即可。"),
        ],
    },
    # 6. Minimum living allowance: accepted in the street, decided by the district.
    {
        "key": "dibao",
        "department": "mzj",
        "name": "最低生活保障申请",
        "name_en": "Application for the minimum living allowance",
        "item_type": ItemType.PAYMENT,
        "service_objects": PERSON,
        "legal_basis": "《社会救助暂行办法》；《最低生活保障审核确认办法》（民发〔2021〕57号）；"
        "广东省和广州市最低生活保障有关规定。",
        "conditions": (
            "1. 共同生活的家庭成员中至少一人持有本区户籍；\n"
            "2. 家庭月人均收入低于本市最低生活保障标准；\n"
            "3. 家庭财产状况符合本市规定的条件。"
        ),
        "case_type": CaseType.PROMISED,
        "statutory": (30, WD),
        "promised": (20, WD),
        "promised_note": "含家庭经济状况核对、入户调查和公示时间。",
        "special_procedures": "家庭经济状况核对；入户调查；在申请人所在社区公示7日。",
        "visits": 1,
        "visit_reason": "需签署家庭经济状况核对授权书，并核验家庭成员身份。",
        "online_depth": PRE_REVIEW,
        "levels": [HALL, STREET],
        "result_type": ResultType.APPROVAL_DOCUMENT,
        "result_name": "最低生活保障审核确认通知书",
        "materials": [
            material("最低生活保障申请书", "form", copies=1),
            material(
                "家庭经济状况核对授权书",
                "form",
                copies=1,
                standard="共同生活的成年家庭成员逐一签名。",
            ),
            material("共同生活家庭成员居民身份证和户口簿", "cert", copies=1),
            material(
                "家庭成员收入情况说明",
                "other",
                necessity=MaterialNecessity.DEFERRABLE,
                notes="无法当场提供的可容缺受理，在入户调查时补交。",
            ),
            material(
                "残疾人证或病历资料",
                "cert",
                necessity=MaterialNecessity.OPTIONAL,
                notes="家庭成员有重病、残疾的提供。",
            ),
        ],
        "topics": ["assistance"],
        "guide": {
            "summary": "家里收入太低、生活有困难，可以申请低保，每月领生活补助。",
            "you_get": "审核通过后，每月按差额发放低保金，还能享受医疗救助等帮助。",
            "who": "有本区户籍、家庭人均月收入低于广州低保标准的家庭。",
            "bring": "全家人的身份证和户口簿，签好的申请书和授权书。收入证明一时拿不到可以后补。",
            "how_long": "20个工作日内给答复，包括入户调查和公示。",
            "how_much": "不收费。",
        },
        "keywords": "低保 困难补助 生活困难 没钱生活 救助金 低保户 申请低保",
        "faqs": [
            ("可以在街道申请吗？", "可以，在户籍所在街道的政务服务中心或区政务服务中心都能交。"),
            ("公示会公开我的收入吗？", "只公示姓名、家庭人数和保障金额，不公开其他隐私信息。"),
        ],
    },
    # 7. Food business licence.
    {
        "key": "food_licence",
        "department": "scj",
        "name": "食品经营许可（新办）",
        "name_en": "Food business licence (new)",
        "item_type": ItemType.LICENSING,
        "service_objects": COMPANY,
        "legal_basis": "《中华人民共和国食品安全法》第三十五条；《食品经营许可和备案管理办法》。",
        "conditions": (
            "1. 具有与经营的食品品种、数量相适应的经营场所，并与有毒、有害场所保持规定的距离；\n"
            "2. 具有相应的设备或者设施，以及食品安全管理人员和管理制度；\n"
            "3. 具有合理的设备布局和工艺流程；\n"
            "4. 已取得营业执照或者其他主体资格证明文件。"
        ),
        "case_type": CaseType.PROMISED,
        "statutory": (10, WD),
        "promised": (5, WD),
        "special_procedures": "需要现场核查的，核查时间计入承诺时限。",
        "visits": 0,
        "visit_reason": "",
        "online_depth": FULL_ONLINE_LICENCE,
        "levels": [HALL],
        "result_type": ResultType.LICENCE,
        "result_name": "食品经营许可证",
        "materials": [
            material("食品经营许可申请书", "form", form=MaterialForm.BOTH, copies=1),
            business_licence(),
            material("食品经营场所和设备布局、操作流程示意图", "other", copies=1),
            material(
                "食品安全管理制度目录",
                "other",
                necessity=MaterialNecessity.DEFERRABLE,
                notes="可容缺受理，现场核查前补交。",
            ),
            id_card("法定代表人（负责人）居民身份证"),
        ],
        "topics": ["operating_permit", "start_business"],
        "guide": {
            "summary": "开餐馆、奶茶店、卖预包装以外的食品，先办食品经营许可证。",
            "you_get": "食品经营许可证，有效期5年。",
            "who": "已经拿到营业执照、准备卖食品或开餐饮店的企业和个体户。",
            "bring": "营业执照（系统自动调取）、店内布局和操作流程图、负责人身份证。"
            "管理制度可以晚点补。",
            "how_long": "5个工作日内办好，需要到店里核查的也包括在内。",
            "how_much": "不收费。",
        },
        "keywords": "食品许可 餐饮许可 开餐馆 开饭店 奶茶店 食品经营许可证 卖吃的",
        "faqs": [
            ("只卖预包装食品要办许可吗？", "仅销售预包装食品的，办理备案即可，不用申请许可。"),
        ],
    },
    # 8. Building planning permit.
    {
        "key": "building_planning",
        "department": "ghj",
        "name": "建设工程规划许可证核发",
        "name_en": "Issuing the construction project planning permit",
        "item_type": ItemType.LICENSING,
        "service_objects": [ServiceObject.ENTERPRISE, ServiceObject.INSTITUTION],
        "legal_basis": "《中华人民共和国城乡规划法》第四十条；《广州市城乡规划条例》。",
        "conditions": (
            "1. 已取得建设用地规划许可证或不动产权证书；\n"
            "2. 建设工程设计方案符合控制性详细规划和规划条件；\n"
            "3. 涉及历史文化街区、历史建筑的，已征求文物和历史文化保护主管部门意见。"
        ),
        "case_type": CaseType.PROMISED,
        "statutory": (20, WD),
        "promised": (10, WD),
        "special_procedures": "设计方案批前公示（7日）；必要时组织专家论证，不计入时限。",
        "visits": 0,
        "visit_reason": "",
        "online_depth": FULL_ONLINE_LICENCE,
        "levels": [HALL],
        "result_type": ResultType.LICENCE,
        "result_name": "建设工程规划许可证",
        "materials": [
            material("建设工程规划许可申请表", "form", form=MaterialForm.ELECTRONIC),
            material(
                "建设用地规划许可证或不动产权证书",
                "cert",
                form=MaterialForm.ELECTRONIC,
                source="政府部门核发",
                standard="系统共享调取。",
            ),
            material(
                "建设工程设计方案总平面图及建筑单体图",
                "other",
                form=MaterialForm.ELECTRONIC,
                standard="电子图纸须加盖设计单位电子印章。",
            ),
            material("建筑工程面积计算表", "other", form=MaterialForm.ELECTRONIC),
            material(
                "历史文化保护意见",
                "other",
                form=MaterialForm.ELECTRONIC,
                necessity=MaterialNecessity.OPTIONAL,
                notes="项目位于历史文化街区或涉及历史建筑时提供。",
            ),
        ],
        "topics": ["construction"],
        "guide": {
            "summary": "新建、改建、扩建房屋前，凭设计方案拿规划许可证，证明按规划来建。",
            "you_get": "建设工程规划许可证（电子证照）。",
            "who": "在本区有建设项目的建设单位。",
            "bring": "用地规划许可证或不动产证、盖章的设计图纸和面积表，全部网上提交。",
            "how_long": "10个工作日内办好，批前公示时间另计。",
            "how_much": "不收费。",
        },
        "keywords": "规划许可 规划证 工程规划 建房规划 报建 设计方案审批",
        "faqs": [],
    },
    # 9. Marriage registration: both parties in person, finished on the spot.
    {
        "key": "marriage",
        "department": "mzj",
        "name": "内地居民结婚登记",
        "name_en": "Marriage registration (mainland residents)",
        "item_type": ItemType.CONFIRMATION,
        "service_objects": PERSON,
        "legal_basis": "《中华人民共和国民法典》第一千零四十九条；《婚姻登记条例》。",
        "conditions": (
            "1. 男女双方完全自愿，男年满22周岁、女年满20周岁；\n"
            "2. 双方均无配偶；\n"
            "3. 双方没有直系血亲和三代以内旁系血亲关系。"
        ),
        "case_type": CaseType.INSTANT,
        "statutory": (1, WD),
        "promised": (0, WD),
        "visits": 1,
        "visit_reason": "法律规定结婚双方必须亲自到婚姻登记机关申请。",
        "online_depth": [OnlineDepth.CONSULT],
        "levels": [HALL],
        "result_type": ResultType.LICENCE,
        "result_name": "结婚证",
        "handling_forms": "窗口办理，可网上预约",
        "materials": [
            material(
                "申请结婚登记声明书",
                "form",
                form=MaterialForm.PAPER,
                copies=1,
                standard="双方在登记员面前签名。",
            ),
            id_card("男女双方居民身份证"),
            material(
                "双方近期半身免冠合影照片",
                "other",
                form=MaterialForm.PAPER,
                copies=3,
                paper_spec="2寸",
            ),
        ],
        "topics": ["marriage"],
        "guide": {
            "summary": "两个人决定结婚，一起到婚姻登记处领结婚证。",
            "you_get": "结婚证，每人一本。",
            "who": "男满22岁、女满20岁、都没有结婚的两个人。",
            "bring": "两个人的身份证、3张2寸双人合照。",
            "how_long": "当场领证。",
            "how_much": "不收费。",
        },
        "keywords": "结婚 领证 结婚证 婚姻登记 登记结婚 扯证",
        "faqs": [
            ("需要带户口簿吗？", "不需要，带身份证即可，全国范围内都可以登记。"),
            ("可以预约吗？", "可以在网上预约日期和时段，纪念日名额较少，建议提前预约。"),
        ],
    },
    # 10. Residence permit for people from elsewhere.
    {
        "key": "residence_permit",
        "department": "gafj",
        "name": "居住证申领",
        "name_en": "Application for a residence permit",
        "item_type": ItemType.CONFIRMATION,
        "service_objects": PERSON,
        "legal_basis": "《居住证暂行条例》；广州市来穗人员服务管理有关规定。",
        "conditions": "在本市居住半年以上，且有合法稳定就业、合法稳定住所或连续就读条件之一的"
        "非本市户籍人员。",
        "case_type": CaseType.PROMISED,
        "statutory": (15, ND),
        "promised": (7, WD),
        "visits": 1,
        "visit_reason": "首次申领需本人到场采集相片和指纹信息。",
        "online_depth": PRE_REVIEW,
        "levels": [HALL, STREET, COMMUNITY],
        "result_type": ResultType.LICENCE,
        "result_name": "广东省居住证",
        "materials": [
            material("居住证申领登记表", "form", copies=1),
            id_card(),
            material(
                "居住登记满半年证明",
                "cert",
                form=MaterialForm.ELECTRONIC,
                source="政府部门核发",
                standard="由系统核查居住登记记录。",
            ),
            material(
                "就业、住所或就读证明",
                "cert",
                necessity=MaterialNecessity.DEFERRABLE,
                notes="劳动合同、租赁合同或在读证明之一；可容缺受理，领证前补交。",
            ),
        ],
        "topics": ["residence"],
        "guide": {
            "summary": "外地户口在广州住满半年，办个居住证，孩子读书、办社保都用得上。",
            "you_get": "广东省居住证，每年签注一次。",
            "who": "在广州住满半年、有工作或住所或在读书的外地户口的人。",
            "bring": "身份证，劳动合同、租房合同或在读证明其中一样。",
            "how_long": "7个工作日内办好。",
            "how_much": "第一次办不收费。",
        },
        "keywords": "居住证 暂住证 外地人 来穗 积分入学 办居住证",
        "faqs": [
            ("居住证过期了怎么办？", "每年签注一次即可继续使用，可在自助机或手机上签注。"),
        ],
    },
    # 11. Disability certificate.
    {
        "key": "disability_card",
        "department": "cl",
        "name": "残疾人证办理（新办）",
        "name_en": "Disability certificate (first application)",
        "item_type": ItemType.PUBLIC_SERVICE,
        "service_objects": PERSON,
        "legal_basis": "《中华人民共和国残疾人保障法》；《中华人民共和国残疾人证管理办法》。",
        "conditions": "持有本区户籍，符合视力、听力、言语、肢体、智力、精神残疾标准之一的人员。",
        "case_type": CaseType.PROMISED,
        "statutory": (30, WD),
        "promised": (20, WD),
        "special_procedures": "残疾评定：到指定医疗机构进行残疾评定，评定时间不计入时限。",
        "visits": 1,
        "visit_reason": "需本人到场核验身份并领取残疾评定表。",
        "online_depth": PRE_REVIEW,
        "levels": [HALL, STREET],
        "result_type": ResultType.LICENCE,
        "result_name": "中华人民共和国残疾人证",
        "materials": [
            material("残疾人证申请表", "form", copies=1),
            id_card("申请人居民身份证或户口簿"),
            material("近期免冠彩色证件照", "other", form=MaterialForm.BOTH, copies=2),
            material(
                "监护人身份证明",
                "cert",
                necessity=MaterialNecessity.OPTIONAL,
                notes="申请人为未成年人或无民事行为能力人时提供。",
            ),
        ],
        "topics": ["disability"],
        "guide": {
            "summary": "身体或智力、精神方面有残疾，办一张残疾人证，才能享受补贴和优惠。",
            "you_get": "残疾人证（可同时开通电子证）。",
            "who": "本区户籍、经医院评定达到残疾标准的人，家属可以代办。",
            "bring": "身份证或户口簿、2张证件照。",
            "how_long": "评定结果出来后20个工作日内发证。",
            "how_much": "不收费。",
        },
        "keywords": "残疾证 残疾人证 办残疾证 残联 伤残证明 残疾评定",
        "faqs": [],
    },
    # 12. Old-age allowance for people over 80.
    {
        "key": "old_age_allowance",
        "department": "mzj",
        "name": "高龄老人津贴申领",
        "name_en": "Application for the old-age allowance",
        "item_type": ItemType.PAYMENT,
        "service_objects": PERSON,
        "legal_basis": "《中华人民共和国老年人权益保障法》；广州市高龄老人津贴有关规定。",
        "conditions": "本区户籍、年满80周岁的老年人。",
        "case_type": CaseType.PROMISED,
        "statutory": (20, WD),
        "promised": (10, WD),
        "visits": 1,
        "visit_reason": "首次申领需核验老人身份；行动不便的可由社区上门核验。",
        "online_depth": PRE_REVIEW,
        "levels": [HALL, STREET, COMMUNITY],
        "result_type": ResultType.OTHER,
        "result_name": "高龄老人津贴发放通知",
        "materials": [
            material("高龄老人津贴申请表", "form", copies=1),
            id_card("老人居民身份证"),
            material("老人本人银行账户", "cert", copies=1),
            material(
                "代办人居民身份证",
                "cert",
                necessity=MaterialNecessity.OPTIONAL,
                notes="家属代办时提供。",
            ),
        ],
        "topics": ["retirement"],
        "guide": {
            "summary": "家里老人满80岁，可以每月领高龄津贴。",
            "you_get": "每月打到老人银行卡上的高龄津贴。",
            "who": "本区户籍、满80岁的老人，家属可以代办。",
            "bring": "老人身份证、老人的银行卡；家属代办带上自己的身份证。",
            "how_long": "10个工作日内办好，次月开始发放。",
            "how_much": "不收费。",
        },
        "keywords": "高龄津贴 80岁 老人补贴 长寿金 老人津贴 敬老金",
        "faqs": [
            ("老人行动不便怎么办？", "家属可以代办，社区工作人员可上门核验老人身份。"),
        ],
    },
    # 13. Employee basic pension on retirement.
    {
        "key": "employee_pension",
        "department": "rsj",
        "name": "企业职工基本养老保险待遇申领",
        "name_en": "Claiming the basic pension for enterprise employees",
        "item_type": ItemType.PAYMENT,
        "service_objects": PERSON,
        "legal_basis": "《中华人民共和国社会保险法》第十六条；《国务院关于完善企业职工基本养老"
        "保险制度的决定》（国发〔2005〕38号）。",
        "conditions": "达到法定退休年龄，参加企业职工基本养老保险累计缴费满规定年限的人员。",
        "case_type": CaseType.PROMISED,
        "statutory": (20, WD),
        "promised": (5, WD),
        "visits": 0,
        "visit_reason": "",
        "online_depth": FULL_ONLINE,
        "levels": [HALL, STREET],
        "result_type": ResultType.OTHER,
        "result_name": "基本养老金核定表",
        "materials": [
            material("基本养老金申领表", "form", form=MaterialForm.BOTH, copies=1),
            id_card(),
            material("本人社会保障卡", "cert", form=MaterialForm.ELECTRONIC, source="政府部门核发"),
            material(
                "视同缴费年限认定材料",
                "other",
                necessity=MaterialNecessity.DEFERRABLE,
                notes="有视同缴费年限的提供档案材料；可容缺受理，核定前补交。",
            ),
        ],
        "topics": ["retirement", "insurance"],
        "guide": {
            "summary": "到了退休年龄、社保交够年限，办退休，开始每月领养老金。",
            "you_get": "养老金核定表，每月养老金打到社保卡。",
            "who": "到退休年龄、企业职工养老保险交够年限的人。单位或本人都可以申请。",
            "bring": "身份证、社保卡。有当兵、下乡等视同缴费经历的，带上档案材料。",
            "how_long": "5个工作日内办好。",
            "how_much": "不收费。",
        },
        "keywords": "退休 办退休 养老金 领退休金 退休手续 企业退休",
        "faqs": [],
    },
    # 14. Drainage permit.
    {
        "key": "drainage_permit",
        "department": "swj",
        "name": "城镇污水排入排水管网许可证核发",
        "name_en": "Permit to discharge wastewater into the urban sewer network",
        "item_type": ItemType.LICENSING,
        "service_objects": COMPANY,
        "legal_basis": (
            "《城镇排水与污水处理条例》第二十一条；《城镇污水排入排水管网许可管理办法》。"
        ),
        "conditions": (
            "1. 排放口设置符合城镇排水规划，雨水、污水分流；\n"
            "2. 按规定建设预处理设施并正常运行；\n"
            "3. 排放的污水符合国家和地方排放标准。"
        ),
        "case_type": CaseType.PROMISED,
        "statutory": (15, WD),
        "promised": (5, WD),
        "special_procedures": "现场核查；需要检测的，检测时间不计入时限。",
        "visits": 0,
        "visit_reason": "",
        "online_depth": FULL_ONLINE_LICENCE,
        "levels": [HALL],
        "result_type": ResultType.LICENCE,
        "result_name": "城镇污水排入排水管网许可证",
        "materials": [
            material("排水许可申请表", "form", form=MaterialForm.BOTH, copies=1),
            business_licence(),
            material("排水户内部排水管网、专用检测井、排放口位置图", "other", copies=1),
            material(
                "预处理设施说明",
                "other",
                necessity=MaterialNecessity.OPTIONAL,
                notes="餐饮、洗车、医疗等需预处理的排水户提供。",
            ),
            material(
                "排水水质检测报告",
                "other",
                necessity=MaterialNecessity.DEFERRABLE,
                notes="可容缺受理，在作出决定前补交。",
            ),
        ],
        "topics": ["environment", "operating_permit"],
        "guide": {
            "summary": "餐馆、洗车店、工地等要把污水排进市政管道，先办排水许可证。",
            "you_get": "排水许可证，有效期5年。",
            "who": "向城镇排水管网排污水的企业、个体户和单位。",
            "bring": "申请表、排水管网和排放口位置图；水质检测报告可以后补。",
            "how_long": "5个工作日内办好。",
            "how_much": "不收费。",
        },
        "keywords": "排水许可 排水证 污水排放 排污 隔油池 洗车排水",
        "faqs": [],
    },
    # 15. Outdoor advertising.
    {
        "key": "outdoor_ad",
        "department": "cgj",
        "name": "户外广告设施设置审批",
        "name_en": "Approval to set up outdoor advertising facilities",
        "item_type": ItemType.LICENSING,
        "service_objects": COMPANY,
        "legal_basis": "《中华人民共和国广告法》第四十一条；《城市市容和环境卫生管理条例》"
        "第十一条；广州市户外广告和招牌设置管理有关规定。",
        "conditions": (
            "1. 设置位置符合本市户外广告设施设置规划；\n"
            "2. 设施结构安全，不影响消防通道、交通安全和城市景观；\n"
            "3. 申请人对设置场地拥有使用权。"
        ),
        "case_type": CaseType.PROMISED,
        "statutory": (20, WD),
        "promised": (7, WD),
        "visits": 1,
        "visit_reason": "需提交设施结构安全的纸质鉴定报告原件。",
        "online_depth": PRE_REVIEW,
        "levels": [HALL],
        "result_type": ResultType.APPROVAL_DOCUMENT,
        "result_name": "户外广告设施设置许可决定书",
        "materials": [
            material("户外广告设施设置申请表", "form", copies=1),
            business_licence(),
            material("设置场地使用权证明", "cert", copies=1),
            material("设施设计效果图和结构图", "other", copies=2),
            material(
                "设施结构安全鉴定报告",
                "other",
                form=MaterialForm.PAPER,
                copies=1,
                necessity=MaterialNecessity.DEFERRABLE,
                notes="大型设施需提供；可容缺受理，在作出决定前补交。",
            ),
        ],
        "topics": ["operating_permit"],
        "guide": {
            "summary": "想在楼顶、墙面或路边立广告牌，先办这个审批。店招按招牌规定办理。",
            "you_get": "设置许可决定书，写明位置、尺寸和期限。",
            "who": "要设置户外广告的企业和个体户。",
            "bring": "申请表、场地使用证明、效果图和结构图；结构安全报告可以后补。",
            "how_long": "7个工作日内办好。",
            "how_much": "不收费。",
        },
        "keywords": "广告牌 户外广告 招牌 楼顶广告 广告审批 立广告",
        "faqs": [],
    },
    # 16. Registration of a medical institution.
    {
        "key": "clinic_registration",
        "department": "wjj",
        "name": "医疗机构执业登记",
        "name_en": "Practice registration of a medical institution",
        "item_type": ItemType.LICENSING,
        "service_objects": [
            ServiceObject.ENTERPRISE,
            ServiceObject.INSTITUTION,
            ServiceObject.NATURAL_PERSON,
        ],
        "legal_basis": "《医疗机构管理条例》；《医疗机构管理条例实施细则》。",
        "conditions": (
            "1. 按照医疗机构基本标准配备房屋、设备和卫生技术人员；\n"
            "2. 有相应的规章制度；\n"
            "3. 能够独立承担民事责任。"
        ),
        "case_type": CaseType.PROMISED,
        "statutory": (45, ND),
        "promised": (20, WD),
        "special_procedures": "现场审核。",
        "visits": 1,
        "visit_reason": "需现场核验卫生技术人员执业证书原件。",
        "online_depth": PRE_REVIEW,
        "levels": [HALL],
        "result_type": ResultType.LICENCE,
        "result_name": "医疗机构执业许可证",
        "materials": [
            material("医疗机构申请执业登记注册书", "form", copies=1),
            material("医疗机构用房产权证明或使用证明", "cert", copies=1),
            material("医疗机构建筑设计平面图", "other", copies=1),
            material("卫生技术人员名录及执业证书", "cert", copies=1),
            material(
                "医疗机构规章制度",
                "other",
                necessity=MaterialNecessity.DEFERRABLE,
                notes="可容缺受理，现场审核前补交。",
            ),
            id_card("法定代表人（主要负责人）居民身份证"),
        ],
        "topics": ["operating_permit"],
        "guide": {
            "summary": "开诊所、门诊部，开业前要办医疗机构执业许可证。",
            "you_get": "医疗机构执业许可证。",
            "who": "准备开设诊所、门诊部等医疗机构的单位或个人。",
            "bring": "登记注册书、场地证明、平面图、医生护士名单和执业证书。",
            "how_long": "20个工作日内办好，包括现场审核。",
            "how_much": "不收费。",
        },
        "keywords": "开诊所 诊所执业 医疗机构 门诊部 医疗许可证 开医馆",
        "faqs": [],
    },
    # 17. Construction permit.
    {
        "key": "construction_permit",
        "department": "zjj",
        "name": "建筑工程施工许可证核发",
        "name_en": "Issuing the building construction permit",
        "item_type": ItemType.LICENSING,
        "service_objects": [ServiceObject.ENTERPRISE, ServiceObject.INSTITUTION],
        "legal_basis": "《中华人民共和国建筑法》第七条、第八条；《建筑工程施工许可管理办法》。",
        "conditions": (
            "1. 已办理用地批准手续，依法应当办理建设工程规划许可证的已取得；\n"
            "2. 已经确定施工企业，有满足施工需要的施工图纸及技术资料；\n"
            "3. 有保证工程质量和安全的具体措施；\n"
            "4. 建设资金已经落实。"
        ),
        "case_type": CaseType.PROMISED,
        "statutory": (7, ND),
        "promised": (3, WD),
        "visits": 0,
        "visit_reason": "",
        "online_depth": FULL_ONLINE_LICENCE,
        "levels": [HALL],
        "result_type": ResultType.LICENCE,
        "result_name": "建筑工程施工许可证",
        "materials": [
            material("建筑工程施工许可申请表", "form", form=MaterialForm.ELECTRONIC),
            material(
                "建设工程规划许可证",
                "cert",
                form=MaterialForm.ELECTRONIC,
                source="政府部门核发",
                standard="系统共享调取。",
            ),
            material("中标通知书或直接发包证明", "cert", form=MaterialForm.ELECTRONIC),
            material("施工图设计文件审查合格书", "cert", form=MaterialForm.ELECTRONIC),
            material("建设资金已落实承诺书", "form", form=MaterialForm.ELECTRONIC),
        ],
        "topics": ["construction"],
        "guide": {
            "summary": "工程开工前，拿施工许可证，证明手续齐了可以动工。",
            "you_get": "建筑工程施工许可证（电子证照）。",
            "who": "有建设项目的建设单位。",
            "bring": "全部网上提交：申请表、中标通知书、施工图审查合格书、资金承诺书。"
            "规划许可证由系统自动调取。",
            "how_long": "3个工作日内办好。",
            "how_much": "不收费。",
        },
        "keywords": "施工许可 开工证 施工证 报建 开工许可",
        "faqs": [],
    },
    # 18. Joint completion acceptance (seed 004): one submission, several departments inspect.
    {
        "key": "joint_acceptance",
        "department": "zjj",
        "name": "房屋建筑和市政基础设施工程竣工联合验收",
        "name_en": "Joint completion acceptance of building and municipal works",
        "item_type": ItemType.OTHER_POWER,
        "service_objects": [ServiceObject.ENTERPRISE, ServiceObject.INSTITUTION],
        "legal_basis": "《建设工程质量管理条例》第四十九条；《国务院办公厅关于全面开展工程建设"
        "项目审批制度改革的实施意见》（国办发〔2019〕11号）。",
        "conditions": "工程已按设计和合同要求完成，建设单位已组织勘察、设计、施工、监理单位"
        "进行竣工验收。",
        "case_type": CaseType.PROMISED,
        "statutory": (12, WD),
        "promised": (8, WD),
        "special_procedures": "各部门联合现场验收。",
        "visits": 1,
        "visit_reason": "联合验收需建设单位到现场配合查验。",
        "online_depth": PRE_REVIEW,
        "levels": [HALL],
        "joint": ["ghj", "xfj", "swj", "hbj", "cgj"],
        "result_type": ResultType.APPROVAL_DOCUMENT,
        "result_name": "竣工联合验收意见书",
        "materials": [
            material("竣工联合验收申请表", "form", copies=1),
            material("工程竣工验收报告", "other", copies=1),
            material("竣工图", "other", form=MaterialForm.ELECTRONIC),
            material(
                "规划条件核实测量成果",
                "other",
                necessity=MaterialNecessity.DEFERRABLE,
                notes="可容缺受理，在联合现场验收前补交。",
            ),
        ],
        "topics": ["construction"],
        "guide": {
            "summary": "工程完工后，规划、消防、水务、环保等部门一次一起来验收，不用一个个约。",
            "you_get": "竣工联合验收意见书，凭它办竣工备案和不动产首次登记。",
            "who": "工程已经完工的建设单位。",
            "bring": "申请表、竣工验收报告、竣工图。",
            "how_long": "8个工作日内出意见。",
            "how_much": "不收费。",
        },
        "keywords": "竣工验收 联合验收 完工验收 验收备案 工程验收",
        "faqs": [],
    },
    # 19. ID card renewal: a real fee.
    {
        "key": "id_card_renewal",
        "department": "gafj",
        "name": "居民身份证换领",
        "name_en": "Renewal of the resident identity card",
        "item_type": ItemType.CONFIRMATION,
        "service_objects": PERSON,
        "legal_basis": "《中华人民共和国居民身份证法》。",
        "conditions": "居民身份证有效期满、登记内容变更、证件严重损坏不能辨认的本区户籍居民。",
        "case_type": CaseType.PROMISED,
        "statutory": (60, ND),
        "promised": (10, WD),
        "visits": 1,
        "visit_reason": "需本人到场采集人像和指纹。",
        "online_depth": [OnlineDepth.CONSULT, OnlineDepth.RECEIVE, OnlineDepth.RESULT_FEEDBACK],
        "levels": [HALL, STREET],
        "charges_fee": True,
        "supports_online_payment": True,
        "fee_basis": "《国家发展改革委 财政部关于居民身份证收费标准及有关问题的通知》"
        "（发改价格〔2003〕2322号）。",
        "fees": [
            {
                "name": "居民身份证工本费",
                "standard": "20元/证",
                "basis": "发改价格〔2003〕2322号",
                "reducible": True,
            },
        ],
        "result_type": ResultType.LICENCE,
        "result_name": "中华人民共和国居民身份证",
        "materials": [
            material(
                "居民身份证申领登记表",
                "form",
                copies=1,
                standard="窗口根据户籍信息打印，本人核对后签名。",
            ),
            material("原居民身份证", "cert", form=MaterialForm.PAPER, copies=1),
            material(
                "户口簿",
                "cert",
                form=MaterialForm.PAPER,
                copies=1,
                necessity=MaterialNecessity.OPTIONAL,
                notes="登记内容变更时提供。",
            ),
        ],
        "topics": ["residence"],
        "guide": {
            "summary": "身份证快到期或已经过期，或者坏得看不清，来换新证。",
            "you_get": "新的身份证，可以邮寄到家。",
            "who": "本区户籍居民，本人来办。",
            "bring": "旧身份证。",
            "how_long": "10个工作日内做好新证。",
            "how_much": "工本费20元，低保等困难群众可以减免。",
        },
        "keywords": "身份证 换身份证 身份证过期 身份证到期 换证 新身份证",
        "faqs": [
            ("到期前多久可以换？", "有效期满前3个月内就可以申请换领。"),
        ],
    },
    # 20. Unemployment benefit: fully online, instant.
    {
        "key": "unemployment_benefit",
        "department": "rsj",
        "name": "失业保险金申领",
        "name_en": "Claiming unemployment insurance benefits",
        "item_type": ItemType.PAYMENT,
        "service_objects": PERSON,
        "legal_basis": "《中华人民共和国社会保险法》第四十五条；《失业保险条例》。",
        "conditions": (
            "1. 失业前用人单位和本人已经缴纳失业保险费满一年；\n"
            "2. 非因本人意愿中断就业；\n"
            "3. 已经进行失业登记，并有求职要求。"
        ),
        "case_type": CaseType.INSTANT,
        "statutory": (10, WD),
        "promised": (0, WD),
        "visits": 0,
        "visit_reason": "",
        "online_depth": FULL_ONLINE,
        "levels": [HALL, STREET, KIOSK],
        "supports_kiosk": True,
        "result_type": ResultType.OTHER,
        "result_name": "失业保险金核定结果",
        "materials": [
            material("失业保险金申领表", "form", form=MaterialForm.ELECTRONIC),
            id_card(),
        ],
        "topics": ["work", "insurance"],
        "guide": {
            "summary": "被单位辞退或合同到期没续签，失业了，可以按月领失业金。",
            "you_get": "失业保险金，每月发到社保卡，同时可以领医保补助。",
            "who": "交失业保险满1年、不是自己辞职、已经做了失业登记的人。",
            "bring": "身份证。手机上办什么都不用带。",
            "how_long": "当场办好。",
            "how_much": "不收费。",
        },
        "keywords": "失业金 失业保险 领失业金 被辞退 没工作 失业补助",
        "faqs": [
            ("自己辞职能领吗？", "本人主动辞职的不能领失业保险金，可以申请失业补助等其他帮扶。"),
        ],
    },
    # 21. Public-place hygiene licence under the notify-and-commit procedure: instant.
    {
        "key": "hygiene_licence",
        "department": "wjj",
        "name": "公共场所卫生许可（告知承诺方式）",
        "name_en": "Public-place hygiene licence (notification and commitment)",
        "item_type": ItemType.LICENSING,
        "service_objects": COMPANY,
        "legal_basis": "《公共场所卫生管理条例》；《公共场所卫生管理条例实施细则》。",
        "conditions": "宾馆、美容美发、游泳场所等公共场所的经营者，书面承诺已符合公共场所"
        "卫生规范并承担虚假承诺的法律责任。",
        "case_type": CaseType.INSTANT,
        "statutory": (20, WD),
        "promised": (0, WD),
        "promised_note": "告知承诺方式当场作出许可决定，事后核查。",
        "visits": 0,
        "visit_reason": "",
        "online_depth": FULL_ONLINE_LICENCE,
        "levels": [HALL, STREET],
        "result_type": ResultType.LICENCE,
        "result_name": "公共场所卫生许可证",
        "materials": [
            material("公共场所卫生许可申请表", "form", form=MaterialForm.BOTH, copies=1),
            material("公共场所卫生许可告知承诺书", "form", form=MaterialForm.BOTH, copies=1),
            business_licence(),
        ],
        "topics": ["operating_permit"],
        "guide": {
            "summary": "开发廊、美容店、宾馆、游泳馆，签一份承诺书当场拿卫生许可证。",
            "you_get": "公共场所卫生许可证，之后会有人来店里核查。",
            "who": "开设美容美发、住宿、游泳等公共场所的企业和个体户。",
            "bring": "申请表、承诺书，营业执照系统自动调取。",
            "how_long": "当场办好。",
            "how_much": "不收费。",
        },
        "keywords": "卫生许可 卫生许可证 理发店 美容院 发廊 宾馆 游泳池",
        "faqs": [],
    },
    # 22. Cancelling the household registration of a deceased person.
    {
        "key": "death_deregistration",
        "department": "gafj",
        "name": "死亡人员户口注销",
        "name_en": "Cancelling the household registration of a deceased person",
        "item_type": ItemType.CONFIRMATION,
        "service_objects": PERSON,
        "legal_basis": "《中华人民共和国户口登记条例》第八条。",
        "conditions": "本区户籍人员死亡后，其家属或监护人申报注销户口。",
        "case_type": CaseType.INSTANT,
        "statutory": (1, WD),
        "promised": (0, WD),
        "visits": 1,
        "visit_reason": "需交回死者居民身份证原件。",
        "online_depth": [OnlineDepth.CONSULT],
        "levels": [HALL, STREET],
        "result_type": ResultType.OTHER,
        "result_name": "注销户口证明",
        "materials": [
            material("户口注销申报表", "form", copies=1),
            material(
                "居民死亡医学证明（推断）书或死亡证明",
                "cert",
                form=MaterialForm.BOTH,
                copies=1,
                source="医疗机构或公安机关出具",
            ),
            material("死者居民身份证和户口簿", "cert", form=MaterialForm.PAPER, copies=1),
            id_card("申报人居民身份证"),
        ],
        "topics": ["after_death"],
        "guide": {
            "summary": "家人去世后，为他注销户口，后面办继承、停养老金都要用到证明。",
            "you_get": "注销户口证明。",
            "who": "去世者的家属或监护人。",
            "bring": "死亡证明、去世者的身份证和户口簿、你自己的身份证。",
            "how_long": "当场办好。",
            "how_much": "不收费。",
        },
        "keywords": "销户 注销户口 去世 死亡 过世 人走了 身后事",
        "faqs": [
            (
                "还要去别的部门办什么？",
                "可在同一窗口一并申请停发养老金、丧葬补助金和医保个人账户"
                "一次性支取，不用再跑社保和医保。",
            ),
        ],
    },
]
