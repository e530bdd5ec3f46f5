"""Mobile banking app: registrations (app/users.jsonl) and behaviour events (app/events.jsonl)."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from kequn.demo.generator.arrays import blank_where, concat, digits, fmt_times, hex_ids, pick
from kequn.demo.generator.catalog import PRODUCTS
from kequn.demo.generator.context import DAY, BankContext, permuted_ids
from kequn.demo.generator.people import People
from kequn.demo.generator.phones import formatted
from kequn.demo.generator.records import noisy_records
from kequn.demo.generator.txns import times_of_day

EVENTS = ("login", "view_product", "search", "transfer", "purchase", "logout")
PAGES = ("login", "product_detail", "search", "transfer", "purchase_confirm", "home")
LOGIN, VIEW, SEARCH, TRANSFER, PURCHASE, LOGOUT = range(6)
OFFERED = [p[0] for p in PRODUCTS if p[2] in ("time_deposit", "wealth", "fund", "insurance")]
KEYWORDS = ("理财", "基金", "定期", "转账", "信用卡", "保险", "大额存单", "贷款")


def json_str(values: pa.Array) -> pa.Array:
    """A JSON string literal, or ``null``; our values never contain quotes or backslashes."""
    return pc.if_else(pc.is_null(values), "null", concat('"', values, '"'))


def app_users(ctx: BankContext, chunk: int, people: People) -> dict:
    rng = ctx.rng("app", chunk)
    index = np.flatnonzero(people.has_app)
    rec = noisy_records(rng, people, index)
    n = len(index)
    key = permuted_ids(people.pid[index], 10**10, 2_718_281_829, 42)
    verified = rng.random(n) < 0.75  # 实名认证 done
    registered = ctx.end - rng.integers(ctx.days // 3, 3000, n) * DAY
    device = hex_ids(rng, n, 16)
    user_id = concat("U", digits(key, 10))
    line = concat(
        '{"app_user_id": "', user_id,
        '", "name": ', json_str(rec.name),
        ", \"mobile\": ", json_str(formatted(rng, people.mobile[index], 0.1)),
        ", \"id_no\": ", json_str(blank_where(rec.id_no, ~verified | rec.lacks(1))),
        ", \"email\": ", json_str(blank_where(people.email.take(pa.array(index)), rec.lacks(2))),
        ', "registered_at": "', fmt_times(times_of_day(rng, registered), "%Y-%m-%dT%H:%M:%S+08:00"),
        '", "device_id": "', device, '"}',
    )  # fmt: skip
    return {"lines": line, "index": index, "user_id": user_id, "device": device, "rng": rng}


def app_events(
    ctx: BankContext, people: People, users: dict, intent_product: np.ndarray, first_id: int
) -> pa.Array:
    """Sessions of login, views/searches/transfers/purchases, logout. Future churners log in less and
    less; customers about to buy keep viewing that product in the last two weeks."""
    rng = users["rng"]
    index = users["index"]
    rate = rng.gamma(0.9, 5 / 0.9, len(index)) * ctx.days / 90  # sessions per user: ~5 per 90 days
    sessions = rng.poisson(rate)
    user = np.repeat(np.arange(len(index)), sessions)
    u = rng.random(len(user))
    fading = people.churner[index][user]
    u = np.where(fading, 1 - np.sqrt(1 - u), u)
    start = times_of_day(rng, ctx.start + (u * ctx.days).astype(np.int64) * DAY)
    intent = intent_product[index]
    keen = np.flatnonzero(intent >= 0)
    extra_user = np.repeat(keen, 4)
    extra_start = times_of_day(rng, ctx.end - rng.integers(0, 14, len(extra_user)) * DAY)
    user = np.concatenate([user, extra_user])
    start = np.concatenate([start, extra_start])
    middle = rng.integers(1, 5, len(user))
    length = middle + 2
    event_user = np.repeat(user, length)
    step = np.arange(len(event_user)) - np.repeat(np.cumsum(length) - length, length)
    last = step == np.repeat(length - 1, length)
    name = np.where(
        step == 0,
        LOGIN,
        np.where(last, LOGOUT, rng.choice([1, 2, 3, 4], len(step), p=[0.55, 0.2, 0.18, 0.07])),
    )
    keen_session = np.repeat(np.arange(len(user)) >= len(user) - len(extra_user), length)
    name = np.where(keen_session & ~last & (step > 0), VIEW, name)
    ts = np.repeat(start, length) + (step * rng.integers(15, 90, len(step))).astype("timedelta64[s]")
    product = np.where(keen_session, intent[event_user], rng.integers(0, len(OFFERED), len(step)))
    has_product = (name == VIEW) | (name == PURCHASE)
    order = np.lexsort((ts, event_user))
    return _event_lines(
        rng, users, event_user[order], ts[order], name[order], product[order], has_product[order], first_id
    )


def _event_lines(rng, users, event_user, ts, name, product, has_product, first_id) -> pa.Array:
    n = len(event_user)
    uid = pa.array(event_user)
    props = np.select(
        [name == LOGIN, name == SEARCH],
        [np.where(rng.random(n) < 0.7, '{"os": "android"}', '{"os": "ios"}'), "KW"],
        "{}",
    )
    props_col = pa.array(props)
    keyword = concat('{"keyword": "', pick(KEYWORDS, rng.integers(0, len(KEYWORDS), n)), '"}')
    props_col = pc.if_else(pa.array(name == SEARCH), keyword, props_col)
    product_col = json_str(blank_where(pick(OFFERED, np.maximum(product, 0)), ~has_product))
    return concat(
        '{"event_id": "E', digits(first_id + np.arange(n), 12),
        '", "app_user_id": "', users["user_id"].take(uid),
        '", "device_id": "', users["device"].take(uid),
        '", "ts": "', fmt_times(ts, "%Y-%m-%dT%H:%M:%S+08:00"),
        '", "name": "', pick(EVENTS, name),
        '", "page": "', pick(PAGES, name),
        '", "product_id": ', product_col,
        ', "props": ', props_col, "}",
    )  # fmt: skip
