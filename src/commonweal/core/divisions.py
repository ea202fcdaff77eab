"""China's provincial-level divisions (GB/T 2260), named as regions are stored.

A project's region, a fund commitment's region and a grant applicant's province are the full
Chinese name of a division ("云南省"), so the portfolio's drill-down by region puts a grant beside
the projects of the same province. Hong Kong, Macao and Taiwan are separate here because a
grant applicant names them as a region of their own (``grants.eligibility.REGIONS``).
"""

from dataclasses import dataclass

__all__ = ["Division", "MAINLAND_PROVINCES", "SPECIAL_REGIONS", "mainland_province"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Division:
    code: str
    """GB/T 2260 code: 530000."""
    zh: str
    """Full name, as stored: 云南省."""
    en: str
    """English name: Yunnan."""


MAINLAND_PROVINCES: tuple[Division, ...] = (
    Division(code="110000", zh="北京市", en="Beijing"),
    Division(code="120000", zh="天津市", en="Tianjin"),
    Division(code="130000", zh="河北省", en="Hebei"),
    Division(code="140000", zh="山西省", en="Shanxi"),
    Division(code="150000", zh="内蒙古自治区", en="Inner Mongolia"),
    Division(code="210000", zh="辽宁省", en="Liaoning"),
    Division(code="220000", zh="吉林省", en="Jilin"),
    Division(code="230000", zh="黑龙江省", en="Heilongjiang"),
    Division(code="310000", zh="上海市", en="Shanghai"),
    Division(code="320000", zh="江苏省", en="Jiangsu"),
    Division(code="330000", zh="浙江省", en="Zhejiang"),
    Division(code="340000", zh="安徽省", en="Anhui"),
    Division(code="350000", zh="福建省", en="Fujian"),
    Division(code="360000", zh="江西省", en="Jiangxi"),
    Division(code="370000", zh="山东省", en="Shandong"),
    Division(code="410000", zh="河南省", en="Henan"),
    Division(code="420000", zh="湖北省", en="Hubei"),
    Division(code="430000", zh="湖南省", en="Hunan"),
    Division(code="440000", zh="广东省", en="Guangdong"),
    Division(code="450000", zh="广西壮族自治区", en="Guangxi"),
    Division(code="460000", zh="海南省", en="Hainan"),
    Division(code="500000", zh="重庆市", en="Chongqing"),
    Division(code="510000", zh="四川省", en="Sichuan"),
    Division(code="520000", zh="贵州省", en="Guizhou"),
    Division(code="530000", zh="云南省", en="Yunnan"),
    Division(code="540000", zh="西藏自治区", en="Xizang"),
    Division(code="610000", zh="陕西省", en="Shaanxi"),
    Division(code="620000", zh="甘肃省", en="Gansu"),
    Division(code="630000", zh="青海省", en="Qinghai"),
    Division(code="640000", zh="宁夏回族自治区", en="Ningxia"),
    Division(code="650000", zh="新疆维吾尔自治区", en="Xinjiang"),
)
"""The 31 provincial-level divisions of mainland China, in code order."""

SPECIAL_REGIONS: dict[str, Division] = {
    "hong_kong": Division(code="810000", zh="香港特别行政区", en="Hong Kong"),
    "macao": Division(code="820000", zh="澳门特别行政区", en="Macao"),
    "taiwan": Division(code="710000", zh="台湾省", en="Taiwan"),
}
"""The divisions outside the mainland's 31, keyed by the region codes grant applications use."""

_MAINLAND_BY_NAME = {d.zh: d for d in MAINLAND_PROVINCES}
_MAINLAND_BY_CODE = {d.code: d for d in MAINLAND_PROVINCES}


def mainland_province(*, name: str = "", code: str = "") -> Division | None:
    """The mainland province with this full name or this code, or None."""
    return _MAINLAND_BY_NAME.get(name) if name else _MAINLAND_BY_CODE.get(code)
