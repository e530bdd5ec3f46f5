"""CRM / WeCom contacts (crm/contacts.csv): the RM's view of a customer, keyed by WeCom ids."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from kequn.demo.generator.arrays import blank_where, concat, dates, digits, hex_ids, pick
from kequn.demo.generator.context import DAY, BankContext, permuted_ids
from kequn.demo.generator.people import People
from kequn.demo.generator.phones import formatted
from kequn.demo.generator.records import noisy_records
from kequn.demo.generator.txns import EMPLOYERS

PRIVATE_BANKING, AFFLUENT = 6_000_000, 50_000


def assign_staff(ctx: BankContext, rng: np.random.Generator, people: People, index: np.ndarray) -> np.ndarray:
    """Private bankers for >= 6M, an RM of the home sub-branch for >= 50k, else central digital ops."""
    org = ctx.org
    aum, sub = people.aum[index], people.sub_branch[index]
    u = rng.random(len(index))
    rm = org.rm_ids[org.rm_start[sub] + (u * org.rm_count[sub]).astype(np.int64)]  # type: ignore[attr-defined]
    branch = org.sub_branch[sub]  # type: ignore[attr-defined]
    pb = org.pb_ids[org.pb_start[branch] + (u * org.pb_count[branch]).astype(np.int64)]  # type: ignore[attr-defined]
    ops = org.ops_ids[(u * len(org.ops_ids)).astype(np.int64)]  # type: ignore[attr-defined]
    return np.select([aum >= PRIVATE_BANKING, aum >= AFFLUENT], [pb, rm], ops)


def contacts(ctx: BankContext, chunk: int, people: People) -> dict:
    rng = ctx.rng("crm", chunk)
    index = np.flatnonzero(people.has_crm)
    rec = noisy_records(rng, people, index)
    n = len(index)
    key = permuted_ids(people.pid[index], 10**8, 31_415_927, 2_718)
    phone = formatted(rng, people.mobile[index], 0.5)
    landline = people.landline.take(pa.array(index))
    phone = pc.if_else(pc.and_(pc.is_valid(landline), pa.array(rng.random(n) < 0.5)), landline, phone)
    added = rng.random(n) < 0.8  # added the RM on WeCom
    table = pa.table(
        {
            "crm_id": concat("R", digits(key, 8)),
            "name": rec.name,
            "mobile": blank_where(phone, rec.lacks(0)),
            "email": blank_where(people.email.take(pa.array(index)), rec.lacks(1)),
            "wechat_unionid": blank_where(concat("o", hex_ids(rng, n, 27)), ~added),
            "wecom_external_id": blank_where(concat("wm", hex_ids(rng, n, 30)), ~added),
            "rm_staff_id": pa.array(assign_staff(ctx, rng, people, index)),
            "assigned_on": dates(ctx.end - rng.integers(1, 1500, n) * DAY),
            "addr": blank_where(rec.address.text(), rec.lacks(2)),
            "city": rec.address.city(),
            "birth_date": blank_where(dates(people.birth[index]), rng.random(n) < 0.55),
            "gender": blank_where(pa.array(np.where(people.male[index], "M", "F")), rng.random(n) < 0.2),
            "company": blank_where(pick(EMPLOYERS, people.pid[index] % len(EMPLOYERS)), rng.random(n) < 0.5),
        }
    )
    return {"table": table, "index": index}
