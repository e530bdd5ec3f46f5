"""The bank's product catalogue (core/products.csv) and organisation (org/orgs.csv, org/staff.csv)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from kequn.demo.generator.arrays import concat, digits, pick
from kequn.demo.generator.names import random_names
from kequn.demo.generator.places import CITIES

# (code, name, category, risk 1-5, min amount, term days or 0, annual rate %)
PRODUCTS: tuple[tuple[str, str, str, int, int, int, float], ...] = (
    ("DD0001", "个人活期储蓄", "demand_deposit", 1, 0, 0, 0.10),
    ("TD0003", "整存整取三个月", "time_deposit", 1, 50, 90, 0.85),
    ("TD0006", "整存整取六个月", "time_deposit", 1, 50, 180, 1.05),
    ("TD0012", "整存整取一年", "time_deposit", 1, 50, 365, 1.25),
    ("TD0024", "整存整取二年", "time_deposit", 1, 50, 730, 1.35),
    ("TD0036", "大额存单三年", "time_deposit", 1, 200000, 1095, 1.75),
    ("WM0001", "安心天天盈现金管理", "wealth", 1, 1, 0, 1.80),
    ("WM0002", "稳健季季享固收理财", "wealth", 2, 10000, 91, 2.60),
    ("WM0003", "悦享半年定开理财", "wealth", 2, 10000, 182, 2.90),
    ("WM0004", "固收增强一年持有", "wealth", 3, 10000, 365, 3.30),
    ("WM0005", "私行尊享权益精选", "wealth", 4, 1000000, 365, 5.00),
    ("FD0001", "货币市场基金A", "fund", 1, 1, 0, 1.70),
    ("FD0002", "中短债债券基金", "fund", 2, 10, 0, 2.80),
    ("FD0003", "沪深300指数增强", "fund", 4, 10, 0, 0.0),
    ("FD0004", "科技创新混合基金", "fund", 5, 10, 0, 0.0),
    ("FD0005", "平衡配置混合基金", "fund", 3, 10, 0, 0.0),
    ("IN0001", "安享年金保险", "insurance", 2, 10000, 3650, 2.50),
    ("IN0002", "增额终身寿险", "insurance", 2, 20000, 7300, 2.50),
    ("IN0003", "投资连结保险", "insurance", 4, 50000, 3650, 0.0),
    ("LN0001", "个人住房贷款", "loan", 1, 100000, 10950, 3.55),
    ("LN0002", "个人消费贷款", "loan", 1, 10000, 1095, 3.95),
    ("LN0003", "个人经营贷款", "loan", 1, 100000, 1095, 3.80),
    ("CC0001", "标准信用卡", "credit_card", 1, 0, 0, 18.25),
    ("CC0002", "金卡信用卡", "credit_card", 1, 0, 0, 18.25),
    ("CC0003", "白金信用卡", "credit_card", 1, 0, 0, 18.25),
)
PROD_INDEX = {p[0]: i for i, p in enumerate(PRODUCTS)}
CODES = tuple(p[0] for p in PRODUCTS)


def products_table() -> pa.Table:
    cols = list(zip(*PRODUCTS, strict=True))
    return pa.table(
        {
            "prod_code": pa.array(cols[0]),
            "prod_name": pa.array(cols[1]),
            "category": pa.array(cols[2]),
            "risk_rating": pa.array([f"R{r}" for r in cols[3]]),
            "min_amount": pa.array([f"{m:.2f}" for m in cols[4]]),
            "term_days": pa.array([t or None for t in cols[5]], pa.int32()),
            "rate": pa.array([f"{r:.2f}" for r in cols[6]]),
        }
    )


@dataclass
class Org:
    """Head office, one branch per city, sub-branches (about one per 2,000 customers) and their staff."""

    n_branches: int
    sub_branch: np.ndarray  # branch index of each sub-branch
    sub_ids: list[str]
    staff: pa.Table
    rm_start: np.ndarray  # per sub-branch: first row of its RMs in `rm_ids`, and how many
    rm_count: np.ndarray
    rm_ids: np.ndarray
    pb_start: np.ndarray  # per branch: its private bankers
    pb_count: np.ndarray
    pb_ids: np.ndarray
    ops_ids: np.ndarray  # digital direct-operations staff at head office

    def branch_of_city(self, city: np.ndarray) -> np.ndarray:
        """Branch index of a city, or -1 when the bank has no branch there."""
        return np.where(city < self.n_branches, city, -1)

    def orgs_table(self) -> pa.Table:
        branch_ids = [f"B{b + 1:02d}" for b in range(self.n_branches)]
        rows: list[tuple[str, str, str, str | None]] = [("H000", "总行", "head", None)]
        rows += [(bid, f"{CITIES[b][:-1]}分行", "branch", "H000") for b, bid in enumerate(branch_ids)]
        for sid, b in zip(self.sub_ids, self.sub_branch, strict=True):
            rows.append((sid, f"{CITIES[b][:-1]}第{sid[-2:].lstrip('0')}支行", "sub_branch", branch_ids[b]))
        cols = list(zip(*rows, strict=True))
        names = ["org_id", "org_name", "org_level", "parent_org_id"]
        return pa.table({n: pa.array(list(c), pa.string()) for n, c in zip(names, cols, strict=True)})


def build_org(rng: np.random.Generator, customers: int) -> Org:
    n_sub = max(4, round(customers / 2000))
    n_branches = min(len(CITIES), max(2, n_sub // 4))
    sub_branch = np.arange(n_sub) % n_branches
    order = np.argsort(sub_branch, kind="stable")
    sub_branch = sub_branch[order]
    numbers = np.arange(n_sub) - np.searchsorted(sub_branch, sub_branch)
    sub_ids = [f"B{b + 1:02d}S{k + 1:02d}" for b, k in zip(sub_branch, numbers, strict=True)]
    # Books of 70-80 clients per RM, 15-20 per private banker (DOMAIN.md §5) at the expected tier shares.
    rms_per_sub = max(1, int(np.ceil(customers / n_sub * 0.17 / 65)))
    pbs_per_branch = max(1, int(np.ceil(customers / n_branches * 0.0009 / 15)))
    n_ops = max(2, customers // 50_000)
    roles = (
        [("rm", s) for s in range(n_sub) for _ in range(rms_per_sub)]
        + [("private_banker", -1 - b) for b in range(n_branches) for _ in range(pbs_per_branch)]
        + [("branch_manager", s) for s in range(n_sub)]
        + [("teller", s) for s in range(n_sub) for _ in range(2)]
        + [("digital_ops", -1000) for _ in range(n_ops)]
    )
    role = np.array([r for r, _ in roles])
    where = np.array([w for _, w in roles])
    ids = np.array([f"S{i + 100001}" for i in range(len(roles))])
    org_id = [sub_ids[w] if w >= 0 else ("H000" if w == -1000 else f"B{-w:02d}") for w in where]
    staff = pa.table(
        {
            "staff_id": pa.array(ids),
            "staff_name": random_names(rng, len(roles)),
            "org_id": pa.array(org_id),
            "role": pa.array(role),
            "max_book": pa.array(np.select([role == "rm", role == "private_banker"], [80, 20], 0)),
        }
    )
    is_rm, is_pb = role == "rm", role == "private_banker"
    return Org(
        n_branches=n_branches,
        sub_branch=sub_branch,
        sub_ids=sub_ids,
        staff=staff,
        rm_start=np.arange(n_sub) * rms_per_sub,
        rm_count=np.full(n_sub, rms_per_sub),
        rm_ids=ids[is_rm],
        pb_start=np.arange(n_branches) * pbs_per_branch,
        pb_count=np.full(n_branches, pbs_per_branch),
        pb_ids=ids[is_pb],
        ops_ids=ids[role == "digital_ops"],
    )


__all__ = ["CODES", "PRODUCTS", "Org", "build_org", "concat", "digits", "pick", "products_table"]
