"""The true people of one chunk: who they are, where they live, how rich and how active they are.

Every source record is derived from these arrays; ``ground_truth/`` records the link back.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from kequn.demo.generator.arrays import concat, digits, pick
from kequn.demo.generator.context import DAY, BankContext
from kequn.demo.generator.idnumbers import id_bodies
from kequn.demo.generator.names import draw_names
from kequn.demo.generator.phones import landlines, mobiles
from kequn.demo.generator.places import CITY_OF_DISTRICT, REGION_CODE, Address, draw_districts

OCCUPATIONS = (
    "职员",
    "工人",
    "个体工商户",
    "专业技术人员",
    "公务员",
    "教师",
    "医生",
    "企业管理人员",
    "退休",
    "学生",
    "自由职业",
)
EDUCATIONS = ("初中及以下", "高中", "大专", "本科", "硕士", "博士")
MARITAL = ("未婚", "已婚", "离异", "丧偶")
INCOME_BANDS = ("<5万", "5-10万", "10-30万", "30-100万", ">100万")
EMAIL_DOMAINS = ("qq.com", "163.com", "126.com", "sina.com", "gmail.com", "hotmail.com")
STATUS_ACTIVE, STATUS_DORMANT, STATUS_CLOSED = 0, 1, 2


@dataclass
class People:
    pid: np.ndarray
    male: np.ndarray
    birth: np.ndarray  # datetime64[D]
    surname: np.ndarray
    given: np.ndarray
    address: Address
    id_body: np.ndarray
    mobile: np.ndarray
    landline: pa.Array  # null unless the household has one
    email: pa.Array
    occupation: np.ndarray
    education: np.ndarray
    marital: np.ndarray
    income_band: np.ndarray
    aum: np.ndarray  # target assets under management, CNY
    open_day: np.ndarray
    sub_branch: np.ndarray
    risk_level: np.ndarray  # 0 = never assessed
    risk_eval_day: np.ndarray
    status: np.ndarray
    has_card: np.ndarray
    has_app: np.ndarray
    has_crm: np.ndarray
    salary: np.ndarray  # monthly salary in CNY, 0 when not paid through the bank
    pay_day: np.ndarray
    activity: np.ndarray  # expected transactions over the window
    churn_day: np.ndarray  # NaT unless the customer leaves after as_of
    churn_reason: np.ndarray
    second_core: np.ndarray  # opened a second customer number at another branch

    def __len__(self) -> int:
        return len(self.pid)

    @property
    def churner(self) -> np.ndarray:
        return ~np.isnat(self.churn_day)

    @property
    def age(self) -> np.ndarray:
        return (np.datetime64("2026-01-01") - self.birth).astype(np.int64) / 365.25

    @property
    def person_id(self) -> pa.Array:
        return concat("P", digits(self.pid + 1, 9))


def draw_people(ctx: BankContext, chunk: int, lo: int, hi: int) -> People:
    rng = ctx.rng("people", chunk)
    n = hi - lo
    male = rng.random(n) < 0.5
    birth = _birth_dates(rng, n)
    surname, given = draw_names(rng, male)
    _share_name_and_birthday(rng, male, birth, surname, given)
    address = Address.draw(rng, draw_districts(rng, n))
    family = _families(rng, n)
    address = address.replace_where(family >= 0, address.take(np.maximum(family, 0)))
    surname = np.where((family >= 0) & (rng.random(n) < 0.5), surname[np.maximum(family, 0)], surname)
    aum = _aum(rng, n)
    status = _status(rng, aum)
    income = np.clip(np.digitize(np.log10(aum + 1) + rng.normal(0, 0.8, n), [3.8, 4.6, 5.4, 6.3]), 0, 4)
    return People(
        pid=np.arange(lo, hi, dtype=np.int64),
        male=male,
        birth=birth,
        surname=surname,
        given=given,
        address=address,
        id_body=id_bodies(REGION_CODE[address.district], birth, male, chunk),
        mobile=mobiles(rng, n),
        landline=_household_landlines(rng, family),
        email=_emails(rng, n),
        occupation=rng.integers(0, len(OCCUPATIONS), n),
        education=np.clip(np.round(rng.normal(2.6, 1.1, n)), 0, 5).astype(np.int64),
        marital=rng.choice(4, n, p=[0.28, 0.62, 0.07, 0.03]),
        income_band=income,
        aum=aum,
        open_day=_open_days(ctx, rng, birth),
        sub_branch=_sub_branches(ctx, rng, address.district),
        **_risk(ctx, rng, aum),
        status=status,
        **_channels(rng, birth, aum, status),
        **_salary(rng, birth, income, status),
        activity=_activity(ctx, rng, status),
        **_churn(ctx, rng, status, aum),
        second_core=rng.random(n) < 0.02,
    )


def _birth_dates(rng: np.random.Generator, n: int) -> np.ndarray:
    age_days = (rng.gamma(4.0, 6.0, n) + 18).clip(18, 90) * 365.25
    return np.datetime64("2026-06-30") - age_days.astype(np.int64) * DAY


def _share_name_and_birthday(rng, male, birth, surname, given) -> None:
    """About 0.5% of people are namesakes born on the same day as someone else (a hard case for OneID)."""
    n = len(male)
    twin = np.flatnonzero(rng.random(n) < 0.005)
    other = rng.integers(0, n, len(twin))
    for arr in (male, birth, surname, given):
        arr[twin] = arr[other]


def _families(rng: np.random.Generator, n: int) -> np.ndarray:
    """For ~15% of people, the index of a household member whose address they share (else -1)."""
    joins = (rng.random(n) < 0.15) & (np.arange(n) > 0)
    return np.where(joins, np.arange(n) - 1, -1)


def _household_landlines(rng: np.random.Generator, family: np.ndarray) -> pa.Array:
    phones = landlines(rng, len(family)).to_numpy(zero_copy_only=False)
    head = np.where(family >= 0, family, np.arange(len(family)))
    keep = (rng.random(len(family)) < 0.3)[head]
    return pa.array(np.where(keep, phones[head], None))


def _emails(rng: np.random.Generator, n: int) -> pa.Array:
    user = concat(
        pick(("", "wx", "zh", "li", "cn", "vip"), rng.integers(0, 6, n)),
        digits(rng.integers(10**5, 10**10, n)),
    )
    email = concat(user, "@", pick(EMAIL_DOMAINS, rng.choice(6, n, p=[0.4, 0.25, 0.12, 0.08, 0.1, 0.05])))
    return pa.array(np.where(rng.random(n) < 0.45, email.to_numpy(zero_copy_only=False), None), pa.string())


def _aum(rng: np.random.Generator, n: int) -> np.ndarray:
    """Lognormal assets: ~79% under 50,000, ~1% over 1,000,000, ~0.07% private banking (>= 6,000,000)."""
    return np.round(np.exp(np.log(10_000) + 2.0 * rng.standard_normal(n)), 2)


def _status(rng: np.random.Generator, aum: np.ndarray) -> np.ndarray:
    u = rng.random(len(aum))
    dormant = (aum < 2000) & (u < 0.35)
    closed = (aum < 500) & (u > 0.95)
    return np.select([closed, dormant], [STATUS_CLOSED, STATUS_DORMANT], STATUS_ACTIVE)


def _open_days(ctx: BankContext, rng: np.random.Generator, birth: np.ndarray) -> np.ndarray:
    earliest = np.maximum(birth + 18 * 365 * DAY, np.datetime64("2001-01-01"))
    latest = ctx.start - 30 * DAY
    span = np.maximum((latest - earliest).astype(np.int64), 1)
    return latest - (span * rng.random(len(birth)) ** 1.5).astype(np.int64) * DAY


def _sub_branches(ctx: BankContext, rng: np.random.Generator, district: np.ndarray) -> np.ndarray:
    """A sub-branch in the customer's city when the bank has a branch there, else any sub-branch."""
    org = ctx.org
    branch = org.branch_of_city(CITY_OF_DISTRICT[district])  # type: ignore[attr-defined]
    subs = org.sub_branch  # type: ignore[attr-defined]
    first = np.searchsorted(subs, np.maximum(branch, 0))
    count = np.searchsorted(subs, np.maximum(branch, 0), side="right") - first
    local = first + (rng.random(len(district)) * count).astype(np.int64)
    anywhere = rng.integers(0, len(subs), len(district))
    return np.where(branch >= 0, local, anywhere)


def _risk(ctx: BankContext, rng: np.random.Generator, aum: np.ndarray) -> dict[str, np.ndarray]:
    """C1-C5 risk tolerance (0 = never assessed); assessments older than a year have expired."""
    n = len(aum)
    level = np.clip(np.round(rng.normal(2.4 + 0.4 * np.log10((aum + 1) / 1e4), 1.0)), 1, 5).astype(np.int64)
    assessed = rng.random(n) < np.where(aum > 50_000, 0.95, 0.65)
    eval_day = ctx.end - rng.integers(0, 540, n) * DAY
    return {"risk_level": np.where(assessed, level, 0), "risk_eval_day": eval_day}


def _channels(rng, birth, aum, status) -> dict[str, np.ndarray]:
    n = len(aum)
    age = (np.datetime64("2026-01-01") - birth).astype(np.int64) / 365.25
    p_app = np.select([age < 45, age < 60], [0.8, 0.6], 0.3)
    open_ = status != STATUS_CLOSED
    return {
        "has_card": (rng.random(n) < 0.48) & (age < 75),
        "has_app": (rng.random(n) < p_app) & open_,
        "has_crm": rng.random(n) < np.where(aum >= 50_000, 0.85, 0.3),
    }


def _salary(rng, birth, income, status) -> dict[str, np.ndarray]:
    n = len(birth)
    age = (np.datetime64("2026-01-01") - birth).astype(np.int64) / 365.25
    paid = (age > 21) & (age < 60) & (rng.random(n) < 0.7) & (status == STATUS_ACTIVE)
    monthly = np.array([3500, 7000, 14000, 40000, 120000])[income] * rng.lognormal(0, 0.3, n)
    return {
        "salary": np.where(paid, np.round(monthly, 2), 0.0),
        "pay_day": rng.choice([5, 10, 15, 20, 25], n),
    }


def _activity(ctx: BankContext, rng: np.random.Generator, status: np.ndarray) -> np.ndarray:
    """Expected everyday transactions over the window: long-tailed, ~29.5 per active customer per 90 days."""
    gamma = rng.gamma(0.8, 1 / 0.8, len(status))
    return np.where(status == STATUS_ACTIVE, 29.5 * ctx.days / 90 * gamma, 0.0)


CHURN_REASONS = ("transfer_to_other_bank", "service_complaint", "fees", "relocation", "better_rate_elsewhere")


def _churn(
    ctx: BankContext, rng: np.random.Generator, status: np.ndarray, aum: np.ndarray
) -> dict[str, np.ndarray]:
    """~4% of active customers leave in the 60 days after as_of (their drivers are planted before it)."""
    n = len(status)
    leaves = (status == STATUS_ACTIVE) & (rng.random(n) < 0.04) & (aum > 1000)
    day = ctx.end + rng.integers(1, 61, n) * DAY
    return {
        "churn_day": np.where(leaves, day, np.datetime64("NaT")),
        "churn_reason": rng.choice(len(CHURN_REASONS), n, p=[0.35, 0.25, 0.15, 0.1, 0.15]),
    }
