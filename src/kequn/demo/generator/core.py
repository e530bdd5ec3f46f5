"""Core banking customers (core/customers.csv): one record per person, two for ~2% of them."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from kequn.demo.generator.arrays import blank_where, concat, digits, fmt_dates, pick
from kequn.demo.generator.context import DAY, BankContext, permuted_ids
from kequn.demo.generator.idnumbers import id_numbers
from kequn.demo.generator.names import full_names
from kequn.demo.generator.people import EDUCATIONS, INCOME_BANDS, MARITAL, OCCUPATIONS, People
from kequn.demo.generator.phones import mobiles
from kequn.demo.generator.places import Address

SECOND_CORE_OFFSET = 4_000_000_000  # second customer numbers live in another part of the same key space


@dataclass
class CoreRecords:
    pos: np.ndarray  # position of the person in the chunk
    key: np.ndarray  # numeric part of cust_no
    second: np.ndarray
    sub_branch: np.ndarray
    open_day: np.ndarray
    address: Address
    mobile: np.ndarray

    @property
    def cust_no(self) -> pa.Array:
        return concat("C", digits(self.key, 10))


def core_records(ctx: BankContext, chunk: int, people: People) -> CoreRecords:
    rng = ctx.rng("core", chunk)
    n = len(people)
    extra = np.flatnonzero(people.second_core)
    pos = np.concatenate([np.arange(n), extra])
    second = np.arange(len(pos)) >= n
    index = people.pid[pos] + np.where(second, SECOND_CORE_OFFSET, 0)
    n_sub = len(ctx.org.sub_ids)  # type: ignore[attr-defined]
    other_branch = rng.integers(0, n_sub, len(pos))
    home = people.address.take(pos)
    moved = second & (rng.random(len(pos)) < 0.5)
    later = people.open_day[pos] + rng.integers(30, 2000, len(pos)) * DAY
    new_mobile = second & (rng.random(len(pos)) < 0.3)
    return CoreRecords(
        pos=pos,
        key=permuted_ids(index, 10**10, 3_141_592_653, 1_000_000_007),
        second=second,
        sub_branch=np.where(second, other_branch, people.sub_branch[pos]),
        open_day=np.where(second, np.minimum(later, ctx.start - 31 * DAY), people.open_day[pos]),
        address=home.replace_where(moved, Address.draw(rng, home.district)),
        mobile=np.where(new_mobile, mobiles(rng, len(pos)), people.mobile[pos]),
    )


STATUS_CODES = ("A", "D", "C")


def customers_table(ctx: BankContext, chunk: int, people: People, core: CoreRecords) -> pa.Table:
    rng = ctx.rng("core-customers", chunk)
    p = core.pos
    m = len(p)
    old_record = rng.random(m) < 0.1  # records opened before the KYC upgrade lack profile fields
    risk = people.risk_level[p]
    return pa.table(
        {
            "cust_no": core.cust_no,
            "cust_name": full_names(people.surname[p], people.given[p]),
            "sex": pa.array(np.where(people.male[p], "1", "2")),
            "birth_dt": fmt_dates(people.birth[p], "%Y%m%d"),
            "cert_type": pa.array(np.full(m, "01")),
            "cert_no": id_numbers(people.id_body[p]),
            "mobile": digits(core.mobile),
            "email": people.email.take(pa.array(p)),
            "addr": core.address.text(),
            "city": core.address.city(),
            "post_code": core.address.post_code(),
            "occupation": blank_where(pick(OCCUPATIONS, people.occupation[p]), old_record),
            "education": blank_where(pick(EDUCATIONS, people.education[p]), old_record),
            "marital": blank_where(pick(MARITAL, people.marital[p]), old_record),
            "income_band": pick(INCOME_BANDS, people.income_band[p]),
            "open_dt": fmt_dates(core.open_day, "%Y%m%d"),
            "branch_no": pick(ctx.org.sub_ids, core.sub_branch),  # type: ignore[attr-defined]
            "risk_level": blank_where(concat("C", digits(np.maximum(risk, 1))), risk == 0),
            "risk_eval_dt": blank_where(fmt_dates(people.risk_eval_day[p], "%Y%m%d"), risk == 0),
            "cust_status": pick(STATUS_CODES, people.status[p]),
        }
    )
