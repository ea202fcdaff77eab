"""Words the demo generator combines: places, organization names, and per-domain project phrases.

Everything is written by hand in Chinese and English so that generated projects read like real
ones (no lorem ipsum). Places carry their GB/T 2260 province code, used as the division code of
generated credit codes. Organization names are invented combinations; none names a real body.
"""

from dataclasses import dataclass

from commonweal.core.divisions import mainland_province
from commonweal.core.domains import Domain
from commonweal.orgs.models import OrgType

__all__ = [
    "Place",
    "Province",
    "PROVINCES",
    "RURAL_PROVINCES",
    "BRANDS",
    "ORG_SUFFIXES",
    "Concept",
    "DOMAIN_TEXT",
    "MANAGEMENT_LINE",
    "TRANSPARENCY_ZH",
    "TRANSPARENCY_EN",
    "CLOSINGS",
    "DomainText",
    "DONOR_MESSAGES",
    "REFUND_REASONS",
    "UPDATE_TEMPLATES",
]


@dataclass(frozen=True, slots=True, kw_only=True)
class Place:
    """A prefecture, city or district inside a province."""

    short: str
    """How titles write it: 凉山."""
    full: str
    """Its full name, as organization names write it: 凉山彝族自治州."""
    en: str
    """English (pinyin) name: Liangshan."""
    settings: frozenset[str]
    """What kind of place it is: "city", "rural", "pastoral" (herding), "arid"."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Province:
    """A provincial-level division of mainland China."""

    zh: str
    """Full name, also the project region: 云南省."""
    en: str
    """English name: Yunnan."""
    code: str
    """GB/T 2260 division code: 530000."""
    places: tuple[Place, ...]
    """A few places in it."""


def _province(code: str, *, places: tuple[Place, ...]) -> Province:
    division = mainland_province(code=code)
    return Province(zh=division.zh, en=division.en, code=code, places=places)


def _p(short: str, full: str, en: str, settings: str = "rural") -> Place:
    return Place(short=short, full=full, en=en, settings=frozenset(settings.split()))


PROVINCES: tuple[Province, ...] = (
    _province("110000", places=(
        _p("海淀", "北京市海淀区", "Haidian", "city"), _p("朝阳", "北京市朝阳区", "Chaoyang", "city"), _p("延庆", "北京市延庆区", "Yanqing"))),
    _province("120000", places=(
        _p("滨海新区", "天津市滨海新区", "Binhai", "city"), _p("蓟州", "天津市蓟州区", "Jizhou"))),
    _province("130000", places=(
        _p("张家口", "张家口市", "Zhangjiakou", "rural arid"), _p("承德", "承德市", "Chengde"), _p("保定", "保定市", "Baoding", "city rural"))),
    _province("140000", places=(
        _p("吕梁", "吕梁市", "Lüliang"), _p("大同", "大同市", "Datong", "city arid"), _p("忻州", "忻州市", "Xinzhou"))),
    _province("150000", places=(
        _p("锡林郭勒", "锡林郭勒盟", "Xilingol", "pastoral arid"), _p("赤峰", "赤峰市", "Chifeng", "rural arid"), _p("鄂尔多斯", "鄂尔多斯市", "Ordos", "city arid"))),
    _province("210000", places=(
        _p("沈阳", "沈阳市", "Shenyang", "city"), _p("阜新", "阜新市", "Fuxin", "rural arid"), _p("大连", "大连市", "Dalian", "city"))),
    _province("220000", places=(
        _p("延边", "延边朝鲜族自治州", "Yanbian"), _p("白城", "白城市", "Baicheng", "rural arid"))),
    _province("230000", places=(
        _p("齐齐哈尔", "齐齐哈尔市", "Qiqihar", "city rural"), _p("黑河", "黑河市", "Heihe"))),
    _province("310000", places=(
        _p("浦东", "上海市浦东新区", "Pudong", "city"), _p("崇明", "上海市崇明区", "Chongming", "rural"), _p("徐汇", "上海市徐汇区", "Xuhui", "city"))),
    _province("320000", places=(
        _p("南京", "南京市", "Nanjing", "city"), _p("苏州", "苏州市", "Suzhou", "city"), _p("宿迁", "宿迁市", "Suqian"))),
    _province("330000", places=(
        _p("杭州", "杭州市", "Hangzhou", "city"), _p("丽水", "丽水市", "Lishui"), _p("安吉", "安吉县", "Anji"))),
    _province("340000", places=(
        _p("金寨", "金寨县", "Jinzhai"), _p("阜阳", "阜阳市", "Fuyang"), _p("黄山", "黄山市", "Huangshan"))),
    _province("350000", places=(
        _p("宁德", "宁德市", "Ningde"), _p("龙岩", "龙岩市", "Longyan"), _p("厦门", "厦门市", "Xiamen", "city"))),
    _province("360000", places=(
        _p("赣州", "赣州市", "Ganzhou"), _p("井冈山", "井冈山市", "Jinggangshan"), _p("上饶", "上饶市", "Shangrao"))),
    _province("370000", places=(
        _p("临沂", "临沂市", "Linyi"), _p("菏泽", "菏泽市", "Heze"), _p("青岛", "青岛市", "Qingdao", "city"))),
    _province("410000", places=(
        _p("兰考", "兰考县", "Lankao"), _p("信阳", "信阳市", "Xinyang"), _p("南阳", "南阳市", "Nanyang"))),
    _province("420000", places=(
        _p("恩施", "恩施土家族苗族自治州", "Enshi"), _p("十堰", "十堰市", "Shiyan"), _p("武汉", "武汉市", "Wuhan", "city"))),
    _province("430000", places=(
        _p("湘西", "湘西土家族苗族自治州", "Xiangxi"), _p("怀化", "怀化市", "Huaihua"), _p("邵阳", "邵阳市", "Shaoyang"))),
    _province("440000", places=(
        _p("深圳", "深圳市", "Shenzhen", "city"), _p("清远", "清远市", "Qingyuan"), _p("梅州", "梅州市", "Meizhou"))),
    _province("450000", places=(
        _p("百色", "百色市", "Baise"), _p("河池", "河池市", "Hechi"), _p("桂林", "桂林市", "Guilin", "city rural"))),
    _province("460000", places=(
        _p("五指山", "五指山市", "Wuzhishan"), _p("琼中", "琼中黎族苗族自治县", "Qiongzhong"))),
    _province("500000", places=(
        _p("酉阳", "重庆市酉阳县", "Youyang"), _p("巫山", "重庆市巫山县", "Wushan"), _p("万州", "重庆市万州区", "Wanzhou", "city"))),
    _province("510000", places=(
        _p("凉山", "凉山彝族自治州", "Liangshan"), _p("甘孜", "甘孜藏族自治州", "Garzê", "pastoral rural"),
        _p("阿坝", "阿坝藏族羌族自治州", "Aba", "pastoral rural"), _p("成都", "成都市", "Chengdu", "city"))),
    _province("520000", places=(
        _p("毕节", "毕节市", "Bijie"), _p("黔东南", "黔东南苗族侗族自治州", "Qiandongnan"), _p("铜仁", "铜仁市", "Tongren"))),
    _province("530000", places=(
        _p("怒江", "怒江傈僳族自治州", "Nujiang"), _p("昭通", "昭通市", "Zhaotong"),
        _p("红河", "红河哈尼族彝族自治州", "Honghe"), _p("昆明", "昆明市", "Kunming", "city"))),
    _province("540000", places=(
        _p("日喀则", "日喀则市", "Shigatse", "pastoral rural"), _p("那曲", "那曲市", "Nagqu", "pastoral"))),
    _province("610000", places=(
        _p("延安", "延安市", "Yan'an"), _p("汉中", "汉中市", "Hanzhong"), _p("榆林", "榆林市", "Yulin", "rural arid"))),
    _province("620000", places=(
        _p("定西", "定西市", "Dingxi", "rural arid"), _p("临夏", "临夏回族自治州", "Linxia"), _p("甘南", "甘南藏族自治州", "Gannan", "pastoral rural"))),
    _province("630000", places=(
        _p("玉树", "玉树藏族自治州", "Yushu", "pastoral"), _p("海东", "海东市", "Haidong", "rural arid"), _p("果洛", "果洛藏族自治州", "Golog", "pastoral"))),
    _province("640000", places=(
        _p("固原", "固原市", "Guyuan", "rural arid"), _p("吴忠", "吴忠市", "Wuzhong", "rural arid"))),
    _province("650000", places=(
        _p("喀什", "喀什地区", "Kashgar", "city rural arid"), _p("和田", "和田地区", "Hotan", "rural arid"), _p("阿勒泰", "阿勒泰地区", "Altay", "pastoral arid"))),
)
"""The 31 provincial-level divisions of mainland China, each with a few places."""

RURAL_PROVINCES: frozenset[str] = frozenset(
    {"甘肃省", "贵州省", "云南省", "四川省", "青海省", "西藏自治区", "宁夏回族自治区", "广西壮族自治区",
     "新疆维吾尔自治区", "湖南省", "江西省", "山西省", "河南省"}
)
"""Provinces that rural-revitalization, education and water projects favour."""

BRANDS: tuple[tuple[str, str], ...] = (
    ("阳光", "Sunshine"), ("春晖", "Chunhui"), ("明德", "Mingde"), ("仁爱", "Ren'ai"), ("蓝天", "Blue Sky"),
    ("绿源", "Green Source"), ("晨光", "Morning Light"), ("同心", "Tongxin"), ("益心", "Yixin"),
    ("星火", "Spark"), ("启明", "Qiming"), ("青禾", "Green Sprout"), ("暖流", "Warm Current"),
    ("善源", "Shanyuan"), ("博爱", "Bo'ai"), ("守望", "Shouwang"), ("新芽", "New Bud"), ("山海", "Shanhai"),
    ("长青", "Evergreen"), ("微光", "Glimmer"), ("知行", "Zhixing"), ("百川", "Baichuan"), ("众扶", "Zhongfu"),
    ("和美", "Hemei"), ("云桥", "Cloud Bridge"), ("恒源", "Hengyuan"), ("乐龄", "Leling"), ("蒲公英", "Dandelion"),
)
"""Name words (zh, en) that make an organization's name distinctive."""

ORG_SUFFIXES: dict[str, tuple[tuple[str, str, Domain | None], ...]] = {
    OrgType.FOUNDATION: (
        ("公益基金会", "Public Welfare Foundation", None),
        ("慈善基金会", "Charity Foundation", None),
        ("教育基金会", "Education Foundation", Domain.EDUCATION_INNOVATION),
        ("科技发展基金会", "Science and Technology Development Foundation", Domain.BASIC_SCIENCE),
        ("乡村发展基金会", "Rural Development Foundation", Domain.RURAL_REVITALIZATION),
        ("绿色发展基金会", "Green Development Foundation", Domain.CARBON_NEUTRALITY),
        ("老龄事业发展基金会", "Foundation for Older People", Domain.ELDERLY_CARE_TECH),
    ),
    OrgType.SOCIAL_ORGANIZATION: (
        ("慈善会", "Charity Federation", None),
        ("志愿者协会", "Volunteers Association", None),
        ("公益促进会", "Association for the Promotion of Public Welfare", None),
        ("应急救援协会", "Emergency Rescue Association", Domain.PUBLIC_EMERGENCY),
        ("水资源保护协会", "Water Conservation Association", Domain.FEW),
    ),
    OrgType.SOCIAL_SERVICE: (
        ("社会工作服务中心", "Social Work Service Center", None),
        ("公益服务中心", "Public Welfare Service Center", None),
        ("社区发展中心", "Community Development Center", Domain.RURAL_REVITALIZATION),
        ("应急救援服务中心", "Emergency Rescue Service Center", Domain.PUBLIC_EMERGENCY),
        ("养老服务中心", "Elderly Care Service Center", Domain.ELDERLY_CARE_TECH),
        ("数字公益发展中心", "Digital Philanthropy Center", Domain.PUBLIC_WELFARE_DIGITAL),
    ),
}
"""Name endings by organization type: (zh, en, the domain the ending implies, if any)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Concept:
    """One kind of project in a domain; ``{p}`` in a title is replaced by a place."""

    title_zh: str
    """Chinese title template: "{p}乡村儿童阅读角"."""
    title_en: str
    """English title template: "Reading corners for village children in {p}"."""
    what_zh: str
    """One sentence saying what the project does (the summary)."""
    what_en: str
    """The same in English."""
    beneficiaries: str
    """Who benefits, in Chinese (the beneficiaries field is single-language)."""
    reach: tuple[int, int]
    """Typical range of the number of beneficiaries."""
    setting: str | None
    """The kind of place it needs (a ``Place.settings`` value), or None for anywhere."""


@dataclass(frozen=True, slots=True, kw_only=True)
class DomainText:
    """Phrases for the projects of one domain."""

    concepts: tuple[Concept, ...]
    """Kinds of project."""
    needs: tuple[tuple[str, str], ...]
    """Why the project is needed (zh, en); ``{p}`` is the place."""
    approaches: tuple[tuple[str, str], ...]
    """How it works (zh, en)."""
    budget_items: tuple[str, ...]
    """Budget line names (Chinese)."""
    sdg_core: tuple[str, ...]
    """SDG goals and targets every project of the domain may carry; the first is always used."""
    sdg_extra: tuple[str, ...]
    """Further goals and targets, some of which are added."""


def _c(title_zh: str, title_en: str, what_zh: str, what_en: str, beneficiaries: str, reach: tuple[int, int],
       setting: str | None = None) -> Concept:
    return Concept(title_zh=title_zh, title_en=title_en, what_zh=what_zh, what_en=what_en,
                   beneficiaries=beneficiaries, reach=reach, setting=setting)


DOMAIN_TEXT: dict[str, DomainText] = {
    Domain.BASIC_SCIENCE: DomainText(
        concepts=(
            _c("{p}青少年科学探究营", "Youth science inquiry camps in {p}",
               "带领中学生走进实验室和野外，在科研人员指导下亲手完成一项真正的科学探究。",
               "Takes secondary-school students into laboratories and the field to complete a real inquiry with researchers.",
               "中学生", (120, 1500)),
            _c("{p}乡村学校天文观测站", "Astronomy stations for rural schools in {p}",
               "为乡村中学建设小型天文观测站，培训科学教师，开设夜空观测课。",
               "Builds small astronomy stations at rural secondary schools, trains science teachers and runs night-sky classes.",
               "乡村中学师生", (300, 5000), "rural"),
            _c("{p}青年科研人员仪器共享计划", "Shared instruments for young researchers in {p}",
               "资助青年科研人员按需使用大型科研仪器，并公开实验数据与方法。",
               "Funds young researchers' time on major instruments and publishes their data and methods openly.",
               "青年科研人员", (30, 400), "city"),
            _c("{p}生物多样性公民科学调查", "Citizen-science biodiversity survey in {p}",
               "组织志愿者和中小学生记录本地物种，数据开放给研究机构使用。",
               "Volunteers and schoolchildren record local species; the data are open to researchers.",
               "志愿者与中小学生", (200, 3000)),
            _c("{p}中小学科学教师研修计划", "Science teacher fellowships in {p}",
               "为中小学科学教师提供一年期研修，把探究式实验带回课堂。",
               "A year-long fellowship that helps school science teachers bring inquiry-based experiments into class.",
               "中小学科学教师", (40, 600)),
            _c("{p}少年数学思维营", "Young mathematicians' camps in {p}",
               "以开放问题和小组研讨激发少年对数学的好奇心。",
               "Open problems and group discussion spark young people's curiosity about mathematics.",
               "初中学生", (100, 1200)),
            _c("{p}自然博物馆流动课堂", "Travelling natural history classroom in {p}",
               "把标本、显微镜和科普讲解送进县乡学校。",
               "Brings specimens, microscopes and science talks to county and township schools.",
               "县乡中小学生", (1000, 20000), "rural"),
        ),
        needs=(
            ("{p}的许多学校缺少实验器材和懂科研的老师，孩子们很少有机会亲手做实验。",
             "Many schools in {p} lack lab equipment and teachers with research experience; children rarely get to run an experiment themselves."),
            ("基础研究需要长期投入，青年科研人员往往难以获得稳定支持。",
             "Basic research needs patient funding, and young researchers in {p} rarely find stable support."),
            ("好奇心是科学的起点，但在{p}，优质科学教育资源仍然稀缺。",
             "Curiosity is where science starts, yet good science education is still scarce in {p}."),
        ),
        approaches=(
            ("我们与本地高校和科研院所合作，由科研人员担任导师，每期活动都有明确的探究问题和成果展示。",
             "We work with local universities and institutes; researchers mentor every cohort, and each ends with a clear question answered and presented."),
            ("所有课程材料和数据以开放许可发布，其他学校可以免费复用。",
             "All course materials and data are published under open licences so other schools can reuse them for free."),
            ("项目设置第三方评估，跟踪学生科学素养和教师能力的变化。",
             "An independent evaluation tracks changes in students' scientific literacy and teachers' skills."),
        ),
        budget_items=("实验器材与耗材", "导师与讲师劳务", "学员交通与食宿", "课程开发与开放数据", "场地与设备维护"),
        sdg_core=("4", "9"),
        sdg_extra=("4.4", "4.7", "9.5", "9.b", "17.6"),
    ),
    Domain.EDUCATION_INNOVATION: DomainText(
        concepts=(
            _c("{p}乡村儿童阅读角", "Reading corners for village children in {p}",
               "为乡村小学建设班级阅读角，配齐分级读物，培训老师开展阅读课。",
               "Sets up classroom reading corners with levelled books in village schools and trains teachers to run reading lessons.",
               "乡村小学学生", (500, 12000), "rural"),
            _c("{p}山区小学双师课堂", "Dual-teacher classrooms for mountain schools in {p}",
               "通过直播把城市优质课程送进山区课堂，本地老师同步辅导。",
               "Streams lessons from city teachers into mountain classrooms while local teachers tutor alongside.",
               "山区小学学生", (800, 15000), "rural"),
            _c("{p}乡村教师成长计划", "Growth programme for rural teachers in {p}",
               "为乡村青年教师提供培训、导师陪伴和教学资源。",
               "Training, mentoring and teaching resources for young rural teachers.",
               "乡村青年教师", (50, 800), "rural"),
            _c("{p}留守儿童陪伴成长计划", "Companionship for left-behind children in {p}",
               "社工和志愿者每周陪伴留守儿童，开展课后辅导和心理支持。",
               "Social workers and volunteers spend time each week with left-behind children, helping with homework and wellbeing.",
               "留守儿童", (100, 3000), "rural"),
            _c("{p}融合教育资源教室", "Inclusive resource classrooms in {p}",
               "为普通学校建设融合教育资源教室，让残障儿童随班就读。",
               "Builds resource rooms in mainstream schools so that children with disabilities can learn with their classmates.",
               "残障儿童及其同学", (60, 900)),
            _c("{p}职业教育技能奖学金", "Vocational skills scholarships in {p}",
               "资助家庭困难的中职学生完成学业并获得职业资格。",
               "Helps vocational students from low-income families finish their studies and qualify in a trade.",
               "家庭困难中职学生", (50, 600)),
            _c("{p}乡村学校编程与人工智能课", "Coding and AI lessons for rural schools in {p}",
               "提供开源课程、教具和教师培训，让乡村孩子学会用编程解决身边的问题。",
               "Open curricula, kits and teacher training so that rural children learn to solve local problems with code.",
               "乡村中小学生", (300, 6000), "rural"),
        ),
        needs=(
            ("{p}的乡村学校师资紧张，很多孩子缺少适合的课外读物和个性化辅导。",
             "Rural schools in {p} are short of teachers, and many children have no suitable books or individual support."),
            ("城乡之间的教育差距，首先体现在孩子们能接触到的课程和老师上。",
             "The gap between city and village education in {p} starts with the lessons and teachers children can reach."),
            ("父母外出务工，{p}许多孩子由祖辈抚养，学习和成长缺少陪伴。",
             "With parents working far away, many children in {p} are raised by grandparents and lack support with learning."),
        ),
        approaches=(
            ("项目与当地教育部门和学校共同实施，每所学校指定项目老师，按学期跟踪成效。",
             "The project runs with local education bureaus and schools; each school names a project teacher and progress is tracked every term."),
            ("课程和培训材料开放共享，鼓励老师根据本地情况改编。",
             "Courses and training materials are openly shared, and teachers are encouraged to adapt them."),
            ("我们定期回访，用阅读量、出勤率和学业表现评估项目效果。",
             "Regular visits measure results through reading, attendance and learning outcomes."),
        ),
        budget_items=("图书与教学资源", "教师培训", "设备采购", "志愿者与社工补贴", "课程研发", "监测与评估"),
        sdg_core=("4",),
        sdg_extra=("4.1", "4.2", "4.5", "4.a", "4.c", "10.2"),
    ),
    Domain.RURAL_REVITALIZATION: DomainText(
        concepts=(
            _c("{p}乡村产业带头人培训", "Training rural business leaders in {p}",
               "培训返乡青年和合作社带头人，提升经营、营销和财务能力。",
               "Trains returning young people and cooperative leaders in management, marketing and bookkeeping.",
               "乡村产业带头人", (40, 500), "rural"),
            _c("{p}山区茶农合作社提升计划", "Strengthening mountain tea cooperatives in {p}",
               "帮助茶农合作社改进种植加工、建立品牌，让更多收益留在村里。",
               "Helps tea cooperatives improve growing and processing and build a brand, so more income stays in the village.",
               "茶农家庭", (100, 2000), "rural"),
            _c("{p}乡村医生能力提升", "Skills for village doctors in {p}",
               "为村医提供培训和基本诊疗设备，守护村民健康。",
               "Training and basic diagnostic equipment for village doctors.",
               "村医及村民", (1000, 30000), "rural"),
            _c("{p}乡村电商助农计划", "E-commerce for smallholder farmers in {p}",
               "培训农户直播和网店运营，打通农产品销售渠道。",
               "Teaches farmers to sell online and by live-stream, opening new markets for their produce.",
               "农户", (200, 3000), "rural"),
            _c("{p}妇女手工艺就业项目", "Craft jobs for rural women in {p}",
               "传承本地手工艺，组织妇女在家门口就业增收。",
               "Keeps local crafts alive and gives women paid work close to home.",
               "乡村妇女", (50, 800), "rural"),
            _c("{p}乡村公共文化空间", "Village libraries and culture rooms in {p}",
               "改造闲置房屋为村级图书室和文化活动室。",
               "Turns empty buildings into village libraries and activity rooms.",
               "村民", (500, 8000), "rural"),
            _c("{p}林下中药材种植示范", "Under-forest herb farming demonstration in {p}",
               "示范林下中药材种植，兼顾生态保护和农户增收。",
               "Demonstrates herb growing under forest cover, protecting the ecosystem while raising incomes.",
               "林区农户", (80, 1200), "rural"),
        ),
        needs=(
            ("{p}的村庄有好山好水好物产，但缺少懂经营的人才和稳定的销售渠道。",
             "Villages in {p} have good land and produce but lack people with business skills and reliable markets."),
            ("年轻人外流让{p}的许多村庄只剩老人和孩子，公共服务也难以为继。",
             "Young people have left many villages in {p}, leaving older people and children and thinning out public services."),
            ("巩固脱贫成果，关键是让农户有可持续的收入来源。",
             "Keeping families in {p} out of poverty depends on income that lasts."),
        ),
        approaches=(
            ("项目以村集体和合作社为主体，公益资金撬动本地资源，收益透明分配。",
             "Village collectives and cooperatives lead; charitable funds draw in local resources and earnings are shared openly."),
            ("我们派驻项目官员长期陪伴，每季度公开进展和资金使用。",
             "A project officer works on site for the long term, and progress and spending are published every quarter."),
            ("培训与实践结合，学员结业后仍可获得一年的跟踪辅导。",
             "Training is hands-on, and graduates get a year of follow-up coaching."),
        ),
        budget_items=("技能培训", "生产设备与物资", "市场对接与品牌建设", "项目人员劳务", "交通与差旅"),
        sdg_core=("1", "8"),
        sdg_extra=("1.4", "2.3", "3.8", "5.5", "8.3", "10.2", "11.a"),
    ),
    Domain.CARBON_NEUTRALITY: DomainText(
        concepts=(
            _c("{p}社区垃圾分类与资源回收", "Community waste sorting and recycling in {p}",
               "在社区建立分类回收站，培训志愿者督导，提高资源回收率。",
               "Sets up community recycling points and trains volunteer guides to raise recycling rates.",
               "社区居民", (2000, 40000), "city"),
            _c("{p}乡村学校屋顶光伏", "Rooftop solar for rural schools in {p}",
               "为乡村学校安装屋顶光伏，节省电费用于教学，并开设能源课。",
               "Installs rooftop solar at rural schools; the savings go to teaching, and pupils learn about energy.",
               "乡村学校师生", (300, 3000), "rural"),
            _c("{p}防沙治沙植树计划", "Tree planting against desertification in {p}",
               "与牧民合作种植耐旱乔灌木，固沙护田。",
               "Works with herders to plant drought-hardy trees and shrubs that hold the sand and protect fields.",
               "周边农牧民", (500, 10000), "arid"),
            _c("{p}湿地生态修复", "Wetland restoration in {p}",
               "修复退化湿地，恢复水鸟栖息地和湿地的固碳能力。",
               "Restores degraded wetlands, bringing back waterbird habitat and the carbon they store.",
               "周边社区居民", (1000, 20000)),
            _c("{p}低碳社区示范", "Low-carbon community pilot in {p}",
               "帮助社区测算碳排放，开展节能改造和绿色出行行动。",
               "Helps a community measure its emissions and act on energy saving and green travel.",
               "社区居民", (1000, 15000), "city"),
            _c("{p}中小学气候教育课程", "Climate education for schools in {p}",
               "开发本地化的气候变化课程，培训教师在课堂上讲授。",
               "Develops local climate-change lessons and trains teachers to use them.",
               "中小学生", (1000, 25000)),
            _c("{p}农村清洁炉灶替换", "Clean cookstoves for rural homes in {p}",
               "为农户更换高效清洁炉灶，减少燃料消耗和室内空气污染。",
               "Replaces old stoves with efficient clean ones, cutting fuel use and indoor smoke.",
               "农村家庭", (200, 3000), "rural"),
        ),
        needs=(
            ("应对气候变化需要每个社区的行动，{p}的许多社区还缺少方法和工具。",
             "Tackling climate change needs action in every community, and many in {p} lack the methods and tools."),
            ("{p}的生态系统正承受退化压力，修复越早，成本越低。",
             "Ecosystems in {p} are degrading; the sooner they are restored, the cheaper it is."),
            ("能源和资源的浪费，既增加排放，也加重了家庭负担。",
             "Wasted energy and materials in {p} add to emissions and to household bills."),
        ),
        approaches=(
            ("项目按照公开方法学测算减排量，并由第三方核查。",
             "Emission reductions are estimated with a published methodology and checked by a third party."),
            ("居民和学生全程参与，项目结束后由社区自主运营。",
             "Residents and students take part throughout, and the community runs the work after the project ends."),
            ("我们每季度公布监测数据，包括成活率、回收量和节能量。",
             "Monitoring data (survival rates, recycling volumes, energy saved) are published every quarter."),
        ),
        budget_items=("设备与材料采购", "苗木与种植", "社区动员与培训", "监测与第三方核查", "项目人员劳务"),
        sdg_core=("13",),
        sdg_extra=("13.2", "13.3", "7.2", "7.3", "11.6", "12.5", "14.2", "15.3"),
    ),
    Domain.FEW: DomainText(
        concepts=(
            _c("{p}乡村学校安全饮水", "Safe drinking water for rural schools in {p}",
               "为乡村学校安装净水设备，定期检测水质，培训管护人员。",
               "Installs water purifiers at rural schools, tests water quality regularly and trains caretakers.",
               "乡村学校师生", (300, 5000), "rural"),
            _c("{p}儿童营养午餐", "Nutritious school lunches for children in {p}",
               "为寄宿制学校的孩子提供营养均衡的午餐，并改善食堂条件。",
               "Provides balanced lunches for boarding-school pupils and improves school kitchens.",
               "寄宿制学校学生", (200, 4000), "rural"),
            _c("{p}旱作农业节水灌溉", "Water-saving irrigation for dryland farms in {p}",
               "推广滴灌和集雨设施，帮助农户用更少的水种出更多粮食。",
               "Brings drip irrigation and rain harvesting so that farmers grow more with less water.",
               "旱作区农户", (100, 2000), "arid"),
            _c("{p}村级光伏微电网", "Village solar micro-grids in {p}",
               "为偏远村庄建设光伏微电网，保障照明、冷藏和通信用电。",
               "Builds solar micro-grids for remote villages, powering lights, cold storage and phones.",
               "偏远村庄村民", (200, 3000), "rural"),
            _c("{p}社区食物银行", "Community food bank in {p}",
               "收集临期和富余食物，安全配送给有需要的家庭。",
               "Collects surplus food and delivers it safely to families who need it.",
               "困难家庭", (300, 6000), "city"),
            _c("{p}雨水收集水窖建设", "Rainwater cisterns in {p}",
               "为缺水农户修建水窖，解决人畜饮水和庭院灌溉。",
               "Builds rainwater cisterns for families without reliable water, for drinking, livestock and gardens.",
               "缺水农户", (100, 1500), "arid"),
            _c("{p}高原牧区太阳能热水", "Solar hot water for herding communities in {p}",
               "为牧区学校和卫生院安装太阳能热水系统。",
               "Installs solar water heaters at schools and clinics in herding areas.",
               "牧区师生与村民", (200, 3000), "pastoral"),
        ),
        needs=(
            ("在{p}，安全的水、稳定的电和营养的食物，仍是一些家庭和学校的难题。",
             "Safe water, reliable power and nutritious food are still hard to come by for some families and schools in {p}."),
            ("食物、能源与水彼此关联：缺水影响收成，缺电影响储存和加工。",
             "Food, energy and water are linked: without water harvests fail, without power food cannot be stored or processed."),
            ("气候变化让{p}的干旱和用水紧张更加频繁。",
             "Climate change is making droughts and water shortages more frequent in {p}."),
        ),
        approaches=(
            ("项目采用成熟可靠、便于维护的技术，并培训本地管护员。",
             "We use proven technology that is easy to maintain, and train local caretakers."),
            ("每个点位都有运行记录，水质和用电数据定期公开。",
             "Every site keeps an operating log; water-quality and power data are published regularly."),
            ("我们与当地政府和学校签订管护协议，确保设施长期使用。",
             "Maintenance agreements with local government and schools keep the facilities in use for years."),
        ),
        budget_items=("设备与工程", "食材采购", "运输与安装", "管护培训", "检测与监测"),
        sdg_core=("2", "6", "7"),
        sdg_extra=("2.1", "2.4", "6.1", "6.4", "7.1", "12.3"),
    ),
    Domain.PUBLIC_EMERGENCY: DomainText(
        concepts=(
            _c("{p}洪涝灾害紧急救援", "Flood emergency relief in {p}",
               "向受灾群众紧急发放饮用水、食品、卫生用品和临时安置物资。",
               "Delivers drinking water, food, hygiene kits and shelter supplies to people hit by floods.",
               "受灾群众", (1000, 50000)),
            _c("{p}地震灾后学校重建", "Rebuilding schools after the earthquake in {p}",
               "援建抗震标准的校舍，配齐课桌椅和教学设备。",
               "Rebuilds school buildings to seismic standards and refits them with desks and teaching equipment.",
               "受灾地区师生", (300, 5000), "rural"),
            _c("{p}社区应急救护培训", "Community first-aid training in {p}",
               "培训居民掌握心肺复苏和创伤急救，建立社区应急志愿队。",
               "Trains residents in CPR and first aid and forms neighbourhood emergency volunteer teams.",
               "社区居民", (500, 10000)),
            _c("{p}家庭应急包发放", "Family emergency kits in {p}",
               "为灾害高风险地区的家庭配发应急包，开展家庭应急演练。",
               "Gives emergency kits to families in high-risk areas and runs household drills.",
               "高风险地区家庭", (500, 8000)),
            _c("{p}山地救援队装备支持", "Equipment for mountain rescue teams in {p}",
               "为民间救援队配备专业装备，支持队员培训和保险。",
               "Equips volunteer rescue teams and pays for their training and insurance.",
               "救援队员及受助群众", (50, 2000)),
            _c("{p}公共场所AED配置", "Public-access defibrillators in {p}",
               "在学校、车站和社区配置AED，并培训周边人员使用。",
               "Places defibrillators in schools, stations and communities and trains people nearby to use them.",
               "公众", (5000, 100000)),
            _c("{p}灾后心理援助", "Psychological support after disasters in {p}",
               "为受灾儿童和家庭提供心理疏导和社会支持。",
               "Counselling and social support for children and families after a disaster.",
               "受灾儿童与家庭", (200, 4000)),
        ),
        needs=(
            ("{p}地处灾害多发区，洪涝、地震和极端天气时有发生。",
             "{p} is prone to floods, earthquakes and extreme weather."),
            ("灾害发生后的最初72小时最为关键，及时的物资和专业救援能挽救生命。",
             "The first 72 hours after a disaster are critical; timely supplies and skilled rescue save lives."),
            ("比救灾更重要的是防灾，社区的准备程度决定了损失的大小。",
             "Preparation matters even more than relief: how ready a community is decides how much it loses."),
        ),
        approaches=(
            ("我们与当地应急管理部门和社区协同，按需采购、统一调配，避免重复发放。",
             "We work with local emergency authorities and communities, buying to need and coordinating distribution to avoid duplication."),
            ("物资发放全程登记，每5天公开一次收支和发放明细。",
             "Every distribution is recorded, and receipts and spending are published at least every five days."),
            ("救援结束后转入恢复重建，持续关注受灾群众的长期需要。",
             "After the emergency we move to recovery and keep supporting affected people's longer-term needs."),
        ),
        budget_items=("应急物资采购", "物流与仓储", "救援装备", "培训与演练", "志愿者保险与补贴"),
        sdg_core=("11", "13"),
        sdg_extra=("1.5", "3.d", "11.5", "13.1"),
    ),
    Domain.ELDERLY_CARE_TECH: DomainText(
        concepts=(
            _c("{p}独居老人智能安全监测", "Smart safety monitoring for older people living alone in {p}",
               "为独居老人安装跌倒报警和燃气烟感设备，社工及时上门响应。",
               "Installs fall alarms and gas and smoke sensors for older people living alone, with social workers responding quickly.",
               "独居老人", (100, 2000)),
            _c("{p}社区长者助餐点", "Community meal points for older people in {p}",
               "在社区建设助餐点，为高龄和困难老人提供可负担的营养餐。",
               "Opens community dining points that serve affordable, nutritious meals to very old and low-income people.",
               "社区老人", (200, 3000)),
            _c("{p}老年人数字技能课堂", "Digital skills classes for older people in {p}",
               "教老人用手机挂号、支付、视频通话和识别网络诈骗。",
               "Teaches older people to book appointments, pay, video-call and spot scams on their phones.",
               "老年人", (300, 6000)),
            _c("{p}失智老人照护者支持", "Support for carers of people with dementia in {p}",
               "为失智老人家庭提供照护培训、喘息服务和互助小组。",
               "Training, respite care and peer groups for families caring for someone with dementia.",
               "失智老人家庭", (50, 800)),
            _c("{p}适老化居家改造", "Age-friendly home adaptations in {p}",
               "为困难老人家庭加装扶手、防滑地面和智能照明。",
               "Fits handrails, non-slip floors and smart lighting in the homes of older people on low incomes.",
               "困难老人家庭", (50, 1000)),
            _c("{p}乡村远程问诊服务", "Telemedicine for older villagers in {p}",
               "在村卫生室配置远程问诊设备，让老人在家门口看上专家。",
               "Equips village clinics for remote consultations so older people can see specialists close to home.",
               "乡村老人", (500, 8000), "rural"),
            _c("{p}时间银行互助养老", "Time-bank mutual aid for older people in {p}",
               "低龄老人服务高龄老人，服务时间存入时间银行。",
               "Younger retirees help older neighbours and bank the hours for their own later needs.",
               "社区老人", (100, 2000), "city"),
        ),
        needs=(
            ("{p}老龄化程度不断加深，许多老人独自生活，子女不在身边。",
             "{p} is ageing fast, and many older people live alone with their children far away."),
            ("数字时代给生活带来便利，却也让不少老人被挡在门外。",
             "Digital services make life easier for most, but shut many older people in {p} out."),
            ("居家养老是大多数老人的选择，但家中的安全隐患和照护压力不容忽视。",
             "Most older people want to age at home, where safety risks and the strain on carers are real."),
        ),
        approaches=(
            ("项目由专业社工和志愿者实施，设备选型注重简单易用和隐私保护。",
             "Professional social workers and volunteers deliver the project; devices are chosen for simplicity and privacy."),
            ("我们为每位服务对象建立档案，定期回访评估服务效果。",
             "Each person served has a care record and regular follow-up visits."),
            ("项目经验整理成开放手册，供其他社区参考。",
             "What we learn is written up as an open handbook for other communities."),
        ),
        budget_items=("智能设备采购", "社工服务", "志愿者培训", "餐食补贴", "改造工程", "运营与维护"),
        sdg_core=("3",),
        sdg_extra=("3.4", "3.8", "10.2", "11.7"),
    ),
    Domain.PUBLIC_WELFARE_DIGITAL: DomainText(
        concepts=(
            _c("{p}公益组织数字化能力建设", "Digital capacity building for charities in {p}",
               "为基层公益组织提供数字化培训和开源工具，提升管理效率。",
               "Digital training and open-source tools that help grassroots charities run more efficiently.",
               "基层公益组织", (30, 500)),
            _c("{p}开源捐赠管理系统推广", "Open-source donor management for charities in {p}",
               "帮助小型公益组织部署开源捐赠管理系统，规范票据和信息公开。",
               "Helps small charities deploy open-source donor management, with proper receipts and disclosure.",
               "小型公益组织", (20, 300)),
            _c("{p}志愿服务数字平台", "Digital volunteering platform in {p}",
               "搭建志愿服务招募与记录平台，实名记录服务时长。",
               "A platform to recruit volunteers and record their service hours under their real names.",
               "志愿者与服务对象", (1000, 20000)),
            _c("{p}公益数据开放与透明度提升", "Open data and transparency for charities in {p}",
               "帮助公益组织按开放标准发布项目和财务数据。",
               "Helps charities publish project and financial data to open standards.",
               "公益组织与公众", (50, 800)),
            _c("{p}视障人士信息无障碍", "Digital accessibility for blind people in {p}",
               "推广读屏技术，培训视障人士使用手机和电脑。",
               "Promotes screen readers and trains blind and partially sighted people to use phones and computers.",
               "视障人士", (100, 2000)),
            _c("{p}乡村学校网络接入", "Internet access for rural schools in {p}",
               "为乡村学校接入宽带网络，配置终端，培训教师使用数字资源。",
               "Connects rural schools to broadband, supplies devices and trains teachers in digital resources.",
               "乡村学校师生", (300, 5000), "rural"),
        ),
        needs=(
            ("{p}的许多基层公益组织仍靠纸质表格和微信群管理项目，信息难以公开透明。",
             "Many grassroots charities in {p} still run projects on paper forms and chat groups, which makes transparency hard."),
            ("数字工具可以大幅降低公益组织的管理成本，但好用、可负担的工具并不多。",
             "Digital tools can cut charities' running costs, but good affordable ones are few."),
            ("信息无障碍关系到每个人平等参与社会生活的权利。",
             "Accessible information is part of everyone's right to take part in society."),
        ),
        approaches=(
            ("我们只推广开源工具，数据归组织自己所有，可以随时迁移。",
             "We only promote open-source tools; organizations own their data and can move it at any time."),
            ("培训采用线上线下结合方式，并提供半年的技术支持。",
             "Training mixes online and in-person sessions, with six months of technical support afterwards."),
            ("项目产出的代码和文档全部开源发布。",
             "All code and documentation produced are published as open source."),
        ),
        budget_items=("软件开发与维护", "培训与技术支持", "设备与网络", "无障碍评测", "项目人员劳务"),
        sdg_core=("17",),
        sdg_extra=("9.c", "10.2", "16.6", "16.10", "17.8", "17.17"),
    ),
}
"""Phrases for each of the eight domains."""

MANAGEMENT_LINE = "项目执行与管理"
"""The budget line every project has, kept small (Charity Law Art. 61 caps management at 10%)."""

TRANSPARENCY_ZH = "每一笔捐赠都写入平台的公开账本，可以独立核验；我们每季度在项目页公布进展和支出明细。"
TRANSPARENCY_EN = (
    "Every gift is written to the platform's public ledger, where anyone can verify it, and we publish "
    "progress and spending on this page every quarter."
)
CLOSINGS: tuple[tuple[str, str], ...] = (
    ("您的每一份支持，都会让改变早一天发生。", "Every gift, however small, brings the change a day closer."),
    ("感谢您和我们一起，把好事做实、做久。", "Thank you for helping us do this well, and for the long run."),
    ("一元也是心意，期待与您同行。", "One yuan counts too. We would be glad to have you with us."),
)

DONOR_MESSAGES: tuple[str, ...] = (
    "加油！", "一点心意", "希望孩子们健康成长", "愿一切安好", "小小心意，聊表支持", "为家乡出一份力",
    "感谢你们的付出", "坚持就是力量", "替女儿捐的，祝你们顺利", "Keep going!", "Thank you for this work",
    "From a teacher in Shanghai", "愿山区的孩子都有书读", "守护绿水青山", "平安是福",
)
"""Short messages some donors leave."""

REFUND_REASONS: tuple[str, ...] = (
    "捐赠人误操作，重复支付",
    "捐赠人申请退回捐款",
    "捐赠金额填写错误，按捐赠人要求退回",
    "项目调整，按约定退回部分捐款",
)

UPDATE_TEMPLATES: tuple[tuple[str, str], ...] = (
    ("项目启动：首批工作已开展",
     "感谢各位捐赠人的支持！项目已在{place}正式启动，首批{n}名受益人已经参与进来。我们将按计划推进，并每季度公布一次进展和支出明细。"),
    ("阶段进展：已完成{pct}%",
     "截至目前，项目已完成计划工作的{pct}%，累计服务{n}人次。本阶段支出已登记在案，票据可在公示中查看。下一阶段我们将重点做好回访和质量评估。"),
    ("来自一线的感谢",
     "项目老师在{place}回访时，受益人托我们向所有捐赠人表达谢意。本月共开展活动{k}场，覆盖{n}人。"),
    ("物资已送达",
     "第{k}批物资已于本周送达{place}，现场由受益方签收并拍照留存。物资清单和采购票据已随本次更新公示。"),
    ("季度信息公开",
     "本季度项目累计支出已按预算科目公示，其中管理费用占比低于10%。我们在{place}共服务{n}人，下季度将继续推进剩余工作。"),
    ("项目总结",
     "项目主要工作已经完成：在{place}累计服务{n}人，开展活动{k}场。完整的执行报告和审计报告将在项目结束后三个月内公开。"),
)
"""Progress updates (Chinese), filled with a place and numbers."""
