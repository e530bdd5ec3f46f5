"""Real Chinese districts with their GB/T 2260 region codes (the first 6 digits of an ID number)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from kequn.demo.generator.arrays import concat, digits, pick


@dataclass(frozen=True)
class District:
    province: str
    city: str
    district: str
    code: int
    post_code: str
    weight: float


def _d(province: str, city: str, district: str, code: int, post_code: str, weight: float) -> District:
    return District(province, city, district, code, post_code, weight)


DISTRICTS: tuple[District, ...] = (
    _d("北京市", "北京市", "朝阳区", 110105, "100020", 5),
    _d("北京市", "北京市", "海淀区", 110108, "100080", 4),
    _d("北京市", "北京市", "东城区", 110101, "100010", 2),
    _d("上海市", "上海市", "浦东新区", 310115, "200120", 6),
    _d("上海市", "上海市", "徐汇区", 310104, "200030", 3),
    _d("上海市", "上海市", "静安区", 310106, "200040", 2),
    _d("天津市", "天津市", "和平区", 120101, "300041", 2),
    _d("重庆市", "重庆市", "渝中区", 500103, "400010", 3),
    _d("广东省", "广州市", "天河区", 440106, "510630", 4),
    _d("广东省", "广州市", "越秀区", 440104, "510030", 2),
    _d("广东省", "深圳市", "南山区", 440305, "518052", 4),
    _d("广东省", "深圳市", "福田区", 440304, "518033", 3),
    _d("浙江省", "杭州市", "西湖区", 330106, "310013", 3),
    _d("浙江省", "宁波市", "海曙区", 330203, "315000", 2),
    _d("江苏省", "南京市", "鼓楼区", 320106, "210009", 3),
    _d("江苏省", "苏州市", "姑苏区", 320508, "215008", 2),
    _d("四川省", "成都市", "武侯区", 510107, "610041", 3),
    _d("四川省", "成都市", "锦江区", 510104, "610021", 2),
    _d("湖北省", "武汉市", "武昌区", 420106, "430061", 3),
    _d("陕西省", "西安市", "雁塔区", 610113, "710061", 2),
    _d("山东省", "济南市", "历下区", 370102, "250011", 2),
    _d("山东省", "青岛市", "市南区", 370202, "266001", 2),
    _d("福建省", "厦门市", "思明区", 350203, "361001", 2),
    _d("福建省", "福州市", "鼓楼区", 350102, "350001", 1),
    _d("湖南省", "长沙市", "岳麓区", 430104, "410006", 2),
    _d("河南省", "郑州市", "金水区", 410105, "450003", 2),
    _d("辽宁省", "沈阳市", "和平区", 210102, "110001", 2),
    _d("安徽省", "合肥市", "蜀山区", 340104, "230031", 2),
    _d("河北省", "石家庄市", "长安区", 130102, "050011", 1),
    _d("云南省", "昆明市", "五华区", 530102, "650021", 1),
)

CITIES: tuple[str, ...] = tuple(dict.fromkeys(d.city for d in DISTRICTS))
CITY_OF_DISTRICT = np.array([CITIES.index(d.city) for d in DISTRICTS], np.int32)
REGION_CODE = np.array([d.code for d in DISTRICTS], np.int64)

STREETS = [
    "人民路",
    "中山路",
    "解放路",
    "建设路",
    "和平路",
    "新华路",
    "长江路",
    "黄河路",
    "文化路",
    "胜利路",
    "光明路",
    "青年路",
    "朝阳路",
    "学府路",
    "科技路",
    "滨江路",
    "南京路",
    "北京路",
    "世纪大道",
    "迎宾大道",
    "花园路",
    "幸福路",
    "东风路",
    "五一路",
    "工业路",
    "振兴路",
    "金融街",
    "湖滨路",
    "府前街",
    "园林路",
]
COMPOUNDS = [
    "阳光花园",
    "锦绣家园",
    "翠苑小区",
    "金色家园",
    "幸福里",
    "碧桂园",
    "万科城",
    "保利花园",
    "绿地新都",
    "华润城",
    "世纪新城",
    "中海国际",
    "龙湖天街",
    "恒大名都",
    "紫薇苑",
    "梧桐苑",
    "东方明珠苑",
    "滨江花园",
    "丽景湾",
    "和谐家园",
]


def draw_districts(rng: np.random.Generator, n: int) -> np.ndarray:
    weights = np.array([d.weight for d in DISTRICTS])
    return rng.choice(len(DISTRICTS), size=n, p=weights / weights.sum()).astype(np.int32)


@dataclass
class Address:
    """Address parts as indices and numbers; ``text`` builds the full address string."""

    district: np.ndarray
    street: np.ndarray
    number: np.ndarray
    compound: np.ndarray
    building: np.ndarray
    room: np.ndarray

    @classmethod
    def draw(cls, rng: np.random.Generator, district: np.ndarray) -> Address:
        n = len(district)
        return cls(
            district=district,
            street=rng.integers(0, len(STREETS), n),
            number=rng.integers(1, 900, n),
            compound=rng.integers(0, len(COMPOUNDS), n),
            building=rng.integers(1, 30, n),
            room=rng.integers(1, 33, n) * 100 + rng.integers(1, 5, n),
        )

    def take(self, index: np.ndarray) -> Address:
        return Address(*(getattr(self, f)[index] for f in self.__dataclass_fields__))

    def replace_where(self, mask: np.ndarray, other: Address) -> Address:
        return Address(
            *(np.where(mask, getattr(other, f), getattr(self, f)) for f in self.__dataclass_fields__)
        )

    def text(self) -> pa.Array:
        """``广东省深圳市南山区科技路88号阳光花园3栋1502室`` (municipalities do not repeat the province)."""
        prefix = [d.city if d.province == d.city else d.province + d.city for d in DISTRICTS]
        return concat(
            pick([p + d.district for p, d in zip(prefix, DISTRICTS, strict=True)], self.district),
            pick(STREETS, self.street),
            digits(self.number),
            "号",
            pick(COMPOUNDS, self.compound),
            digits(self.building),
            "栋",
            digits(self.room),
            "室",
        )

    def city(self, short: bool = False) -> pa.Array:
        """City name; the card system writes it without the trailing 市."""
        names = [d.city[:-1] if short else d.city for d in DISTRICTS]
        return pick(names, self.district)

    def post_code(self) -> pa.Array:
        return pick([d.post_code for d in DISTRICTS], self.district)
