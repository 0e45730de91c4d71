"""Fixed data of the demo city: the district, its streets, departments, topics and name pools.

Plain Python data, written for OneWindow. Street names are the real streets of Liwan district
(荔湾区); their division codes and every community name are demo values, not the official
statistical codes. Addresses are generic ("街道办事处一楼"), never a real street address.
"""

from __future__ import annotations

from typing import NamedTuple

DISTRICT_CODE = "440103000000"
DISTRICT_NAME = "荔湾区"
DISTRICT_NAME_EN = "Liwan District"
CITY_NAME = "广州市"


class StreetSpec(NamedTuple):
    name: str  # without the suffix 街道
    name_en: str
    # Places the communities of this street are named after (demo names).
    places: tuple[str, ...]


# The 22 streets of Liwan. Codes are assigned in this order: 440103001000, 440103002000, …
# (demo codes chosen for readability; the official statistical codes differ).
STREETS: tuple[StreetSpec, ...] = (
    StreetSpec("沙面", "Shamian", ("沙面", "沙基", "六二三路")),
    StreetSpec("岭南", "Lingnan", ("人民南", "和平中", "杉木栏", "十八甫")),
    StreetSpec("华林", "Hualin", ("华林寺", "长寿西", "下九路", "康王南")),
    StreetSpec("多宝", "Duobao", ("多宝路", "宝华", "恩宁", "宝源")),
    StreetSpec("昌华", "Changhua", ("昌华大街", "荔湾路", "西关大屋")),
    StreetSpec("逢源", "Fengyuan", ("逢源路", "文化里", "耀华", "逢源北")),
    StreetSpec("龙津", "Longjin", ("龙津西", "光复北", "蓬莱")),
    StreetSpec("金花", "Jinhua", ("陈家祠", "中山七路", "西华", "金花")),
    StreetSpec("彩虹", "Caihong", ("彩虹桥", "西华东", "中山八路")),
    StreetSpec("南源", "Nanyuan", ("南岸路", "西湾路", "南源")),
    StreetSpec("西村", "Xicun", ("西增路", "西场", "西村")),
    StreetSpec("站前", "Zhanqian", ("站前路", "流花", "东风西")),
    StreetSpec("桥中", "Qiaozhong", ("桥中", "沙洛", "裕安")),
    StreetSpec("白鹤洞", "Baihedong", ("鹤洞", "白鹤洞", "西朗路")),
    StreetSpec("冲口", "Chongkou", ("冲口", "芳村大道", "渔尾")),
    StreetSpec("花地", "Huadi", ("花地湾", "芳村", "秀水")),
    StreetSpec("石围塘", "Shiweitang", ("石围塘", "山村", "五眼桥")),
    StreetSpec("茶滘", "Chajiao", ("茶滘", "大冲口", "葵蓬")),
    StreetSpec("东漖", "Dongjiao", ("东漖北", "鹤园", "东漖南")),
    StreetSpec("海龙", "Hailong", ("海北", "龙溪", "增滘", "围洲")),
    StreetSpec("东沙", "Dongsha", ("东沙", "沙涌", "沙洛南")),
    StreetSpec("中南", "Zhongnan", ("海中", "东塱", "西塱")),
)


class DepartmentSpec(NamedTuple):
    key: str  # short pinyin key, used in demo usernames (approver_<key>, lead_<key>)
    name: str
    short_name: str
    name_en: str


# District departments whose items the district hall accepts (Liwan: 19 departments, 977
# items). Names follow the usual naming of Guangzhou district bodies.
DEPARTMENTS: tuple[DepartmentSpec, ...] = (
    DepartmentSpec(
        "fgj", "荔湾区发展和改革局", "区发展改革局", "Liwan Development and Reform Bureau"
    ),
    DepartmentSpec("jyj", "荔湾区教育局", "区教育局", "Liwan Education Bureau"),
    DepartmentSpec(
        "kgxj",
        "荔湾区科技工业和信息化局",
        "区科工信局",
        "Liwan Science, Technology, Industry and Information Technology Bureau",
    ),
    DepartmentSpec("mzj", "荔湾区民政局", "区民政局", "Liwan Civil Affairs Bureau"),
    DepartmentSpec("sfj", "荔湾区司法局", "区司法局", "Liwan Justice Bureau"),
    DepartmentSpec("czj", "荔湾区财政局", "区财政局", "Liwan Finance Bureau"),
    DepartmentSpec(
        "rsj",
        "荔湾区人力资源和社会保障局",
        "区人社局",
        "Liwan Human Resources and Social Security Bureau",
    ),
    DepartmentSpec(
        "ghj",
        "广州市规划和自然资源局荔湾区分局",
        "规划和自然资源分局",
        "Liwan Branch, Guangzhou Planning and Natural Resources Bureau",
    ),
    DepartmentSpec(
        "hbj",
        "广州市生态环境局荔湾分局",
        "生态环境分局",
        "Liwan Branch, Guangzhou Ecology and Environment Bureau",
    ),
    DepartmentSpec(
        "zjj", "荔湾区住房和建设局", "区住建局", "Liwan Housing and Urban-Rural Development Bureau"
    ),
    DepartmentSpec("swj", "荔湾区水务局", "区水务局", "Liwan Water Affairs Bureau"),
    DepartmentSpec("shwj", "荔湾区商务局", "区商务局", "Liwan Commerce Bureau"),
    DepartmentSpec(
        "wgltj",
        "荔湾区文化广电旅游体育局",
        "区文广旅体局",
        "Liwan Culture, Radio, Television, Tourism and Sports Bureau",
    ),
    DepartmentSpec("wjj", "荔湾区卫生健康局", "区卫生健康局", "Liwan Health Bureau"),
    DepartmentSpec(
        "tyjrj", "荔湾区退役军人事务局", "区退役军人局", "Liwan Veterans Affairs Bureau"
    ),
    DepartmentSpec("yjj", "荔湾区应急管理局", "区应急管理局", "Liwan Emergency Management Bureau"),
    DepartmentSpec(
        "scj", "荔湾区市场监督管理局", "区市场监管局", "Liwan Administration for Market Regulation"
    ),
    DepartmentSpec("ybj", "荔湾区医疗保障局", "区医保局", "Liwan Healthcare Security Bureau"),
    DepartmentSpec(
        "cgj",
        "荔湾区城市管理和综合执法局",
        "区城管执法局",
        "Liwan Urban Management and Comprehensive Law Enforcement Bureau",
    ),
    DepartmentSpec(
        "gafj",
        "广州市公安局荔湾区分局",
        "公安分局",
        "Liwan Branch, Guangzhou Public Security Bureau",
    ),
    DepartmentSpec(
        "xfj", "广州市荔湾区消防救援大队", "区消防救援大队", "Liwan Fire and Rescue Brigade"
    ),
    DepartmentSpec("cl", "荔湾区残疾人联合会", "区残联", "Liwan Disabled Persons' Federation"),
    DepartmentSpec(
        "sj",
        "国家税务总局广州市荔湾区税务局",
        "区税务局",
        "Liwan Taxation Bureau, State Taxation Administration",
    ),
)


class TopicSpec(NamedTuple):
    code: str
    name: str
    name_en: str
    audience: str  # catalog.codes.Audience value
    description: str


# Life events: a citizen picks what happened to them, never which department handles it.
TOPICS: tuple[TopicSpec, ...] = (
    TopicSpec(
        "birth",
        "生育收养",
        "Having a baby",
        "natural",
        "孩子出生前后要办的事：生育登记、生育津贴、新生儿入户和参保。",
    ),
    TopicSpec(
        "school", "教育入学", "Going to school", "natural", "孩子上幼儿园、上小学初中，学籍和资助。"
    ),
    TopicSpec(
        "work",
        "就业创业",
        "Finding work, starting out",
        "natural",
        "找工作、失业登记、创业补贴和职业培训。",
    ),
    TopicSpec(
        "marriage",
        "婚姻家庭",
        "Marriage and family",
        "natural",
        "结婚、离婚、补领结婚证，家庭关系证明。",
    ),
    TopicSpec("residence", "户籍居住", "Residence and ID", "natural", "身份证、户口、居住证。"),
    TopicSpec(
        "housing", "住房保障", "Housing", "natural", "公租房、住房补贴、老楼加装电梯、不动产登记。"
    ),
    TopicSpec(
        "insurance",
        "社会保险",
        "Social insurance",
        "natural",
        "参保、缴费、社保卡，失业和工伤保险待遇。",
    ),
    TopicSpec(
        "medical", "医疗保障", "Health care", "natural", "医保报销、异地就医、门诊特定病种。"
    ),
    TopicSpec(
        "retirement",
        "退休养老",
        "Retirement and old age",
        "natural",
        "退休、领养老金、高龄津贴、居家养老服务。",
    ),
    TopicSpec(
        "assistance",
        "社会救助",
        "Social assistance",
        "natural",
        "低保、特困供养、临时救助、医疗救助。",
    ),
    TopicSpec(
        "disability",
        "残疾人服务",
        "Support for disabled people",
        "natural",
        "残疾人证、两项补贴、辅助器具和康复。",
    ),
    TopicSpec("veterans", "退役军人", "Veterans", "natural", "退役军人服务、优待证、抚恤优待。"),
    TopicSpec(
        "culture",
        "文体旅游",
        "Culture, sports and tourism",
        "natural",
        "文体活动、导游和旅游服务。",
    ),
    TopicSpec(
        "after_death",
        "身后事",
        "When someone dies",
        "natural",
        "亲人去世后要办的事：殡葬、丧葬补助、销户、养老金停发和继承。",
    ),
    TopicSpec(
        "start_business",
        "开办企业",
        "Starting a business",
        "legal",
        "开公司、开个体店：登记、刻章、申领发票、社保和公积金开户。",
    ),
    TopicSpec(
        "operating_permit",
        "经营许可",
        "Operating permits",
        "legal",
        "开业前后需要的许可证：食品、药品、卫生、文化娱乐、特种行业。",
    ),
    TopicSpec(
        "construction",
        "工程建设",
        "Construction projects",
        "legal",
        "立项、用地、规划、施工许可、竣工验收。",
    ),
    TopicSpec(
        "environment",
        "环境保护",
        "Environmental protection",
        "legal",
        "环评审批、排污、建筑垃圾和排水。",
    ),
    TopicSpec("tax", "纳税缴费", "Taxes and fees", "legal", "税务登记、发票、申报纳税。"),
    TopicSpec(
        "employment",
        "用工参保",
        "Hiring and insuring staff",
        "legal",
        "企业招用员工、社保登记、劳动用工备案。",
    ),
    TopicSpec(
        "safety",
        "安全生产",
        "Work safety and fire safety",
        "legal",
        "安全生产许可、消防安全检查、危险化学品。",
    ),
    TopicSpec(
        "close_business",
        "企业注销",
        "Closing a business",
        "legal",
        "不再经营了：注销营业执照、税务、社保和许可证。",
    ),
)


# Common surnames in Guangzhou and characters for given names (for staff names).
SURNAMES = (
    "陈",
    "李",
    "黄",
    "梁",
    "林",
    "张",
    "何",
    "罗",
    "吴",
    "郑",
    "刘",
    "王",
    "杨",
    "谭",
    "冯",
    "麦",
    "邓",
    "叶",
    "钟",
    "周",
    "曾",
    "潘",
    "蔡",
    "卢",
    "余",
    "许",
    "关",
    "苏",
    "朱",
    "欧阳",
)
GIVEN_NAME_CHARACTERS = (
    "伟",
    "敏",
    "静",
    "丽",
    "强",
    "磊",
    "军",
    "洋",
    "勇",
    "艳",
    "杰",
    "娟",
    "涛",
    "明",
    "超",
    "秀",
    "霞",
    "平",
    "刚",
    "桂",
    "英",
    "华",
    "文",
    "志",
    "嘉",
    "颖",
    "倩",
    "婷",
    "俊",
    "彬",
    "慧",
    "玲",
    "锦",
    "荣",
    "珊",
    "琳",
    "欣",
    "浩",
    "宇",
    "晴",
    "思",
    "雅",
    "健",
    "坤",
    "铭",
)

HALL_NAME = "荔湾区政务服务中心"
HALL_NAME_EN = "Liwan District Government Service Centre"
HALL_ADDRESS = "广州市荔湾区政务服务中心一楼大厅"
OPENING_HOURS = "周一至周五 9:00-12:00，13:00-17:00（法定节假日除外）"
HOTLINE = "12345"
