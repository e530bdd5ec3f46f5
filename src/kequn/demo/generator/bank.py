"""``generate_bank``: every source system of the synthetic bank, chunk by chunk of 50,000 people."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from datetime import date
from multiprocessing import get_context
from pathlib import Path

import numpy as np
import pyarrow as pa

from kequn.demo.generator import accounts as acc
from kequn.demo.generator import aml, app, cards, crm, defects, ledger, truth, txns
from kequn.demo.generator.callcenter import feedback
from kequn.demo.generator.catalog import build_org, products_table
from kequn.demo.generator.context import BankContext
from kequn.demo.generator.core import core_records, customers_table
from kequn.demo.generator.people import STATUS_ACTIVE, STATUS_DORMANT, People, draw_people
from kequn.demo.generator.writers import OutputFiles, Rendered, render_csv, render_json_lines

Progress = Callable[[str, int, int], None]  # (step, chunks done, chunks in all)

GB = {"encoding": "gb18030"}
PIPE_GB = {"encoding": "gb18030", "delimiter": "|"}
FILES: dict[str, dict[str, str]] = {
    "org/orgs.csv": {},
    "org/staff.csv": {},
    "core/customers.csv": GB,
    "core/products.csv": {},
    "core/accounts.csv": {},
    "core/balances.csv": {},
    "core/transactions.csv": {},
    "core/consents.csv": {},
    "cards/card_customers.txt": PIPE_GB,
    "cards/cards.txt": PIPE_GB,
    "cards/card_transactions.txt": PIPE_GB,
    "app/users.jsonl": {},
    "app/events.jsonl": {},
    "crm/contacts.csv": {},
    "callcenter/feedback.csv": {},
    "ground_truth/persons.csv": {},
    "ground_truth/attrition.csv": {},
    "ground_truth/purchases.csv": {},
    "ground_truth/offer_response.csv": {},
    "ground_truth/aml_patterns.csv": {},
    "ground_truth/planted_defects.csv": {},
}
STEPS = ("customers", "accounts", "transactions", "cards", "app", "crm & call centre", "ground truth")


# Ids are numbered per chunk, in blocks, so that chunks can be generated in any order or in parallel.
ID_BLOCK = {"txn": 10**8, "event": 10**8, "card_txn": 10**7, "ticket": 10**6}


class _ChunkSink:
    """Collects one chunk's rendered share of every file."""

    def __init__(self, chunk: int) -> None:
        self.chunk = chunk
        self.parts: dict[str, Rendered] = {}

    def write(self, name: str, rows: pa.Table | pa.Array) -> None:
        if name.endswith(".jsonl"):
            self.parts[name] = render_json_lines(rows)
        else:
            self.parts[name] = render_csv(rows, **FILES[name])

    def first_id(self, kind: str) -> int:
        return self.chunk * ID_BLOCK[kind]


def generate_bank(
    out: Path,
    *,
    customers: int,
    seed: int,
    days: int = 90,
    as_of: date = date(2026, 10, 31),
    progress: Progress | None = None,
) -> dict:
    """Write every source export of a bank with ``customers`` people; returns the manifest.

    Chunks of 50,000 people are generated in worker processes (one per CPU) and written in order.
    """
    ctx = BankContext(customers, seed, days, as_of)
    object.__setattr__(ctx, "org", build_org(ctx.rng("org"), customers))
    out.mkdir(parents=True, exist_ok=True)
    files = OutputFiles(out, list(FILES))
    files.append("org/orgs.csv", render_csv(ctx.org.orgs_table()))  # type: ignore[attr-defined]
    files.append("org/staff.csv", render_csv(ctx.org.staff))  # type: ignore[attr-defined]
    files.append("core/products.csv", render_csv(products_table()))
    report = progress or (lambda step, done, total: None)
    chunks = ctx.chunks()
    first_lines: dict[str, str] = {}
    for done, parts in enumerate(_chunk_results(ctx, chunks), start=1):
        for name in FILES:
            if name in parts:
                if name in defects.TARGETS:
                    first_lines.setdefault(name, defects.first_data_line(parts[name]))
                files.append(name, parts[name])
        for step in STEPS:
            report(step, done, len(chunks))
    _plant_defects(files, first_lines)
    manifest = {"as_of": as_of.isoformat(), "days": days, "customers": customers, "seed": seed}
    manifest["files"] = files.close()
    (out / "manifest.json").write_text(
        json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8"
    )
    return manifest


def _plant_defects(files: OutputFiles, first_lines: dict[str, str]) -> None:
    """Append the defective rows and record where each went (line 1 is the header)."""
    listing = []
    for name, rows in defects.defect_rows(first_lines).items():
        start = files.rows[name] + 2
        listing += [(name, start + i, defect) for i, (_, defect) in enumerate(rows)]
        files.append(name, defects.rendered(rows))
    table = pa.table(
        {
            "file": [f for f, _, _ in listing],
            "line": [line for _, line, _ in listing],
            "defect": [d for _, _, d in listing],
        }
    )
    files.append("ground_truth/planted_defects.csv", render_csv(table))


def _chunk_results(ctx: BankContext, chunks: list[tuple[int, int, int]]) -> Iterator[dict[str, Rendered]]:
    """Rendered chunks in chunk order; in-process for one chunk (fast start), else a process pool."""
    if len(chunks) == 1:
        yield _one_chunk(ctx, *chunks[0])
        return
    workers = min(len(chunks), os.cpu_count() or 1)
    with ProcessPoolExecutor(workers, mp_context=get_context("spawn")) as pool:
        pending = [pool.submit(_one_chunk, ctx, *c) for c in chunks[:workers]]
        for nxt in chunks[workers:] + [None] * workers:  # keep at most `workers` chunks in flight (memory)
            result = pending.pop(0).result()
            if nxt is not None:
                pending.append(pool.submit(_one_chunk, ctx, *nxt))
            yield result


def _one_chunk(ctx: BankContext, chunk: int, lo: int, hi: int) -> dict[str, Rendered]:
    files = _ChunkSink(chunk)
    people = draw_people(ctx, chunk, lo, hi)
    core = core_records(ctx, chunk, people)
    cust_no = core.cust_no
    files.write("core/customers.csv", customers_table(ctx, chunk, people, core))
    files.write("core/consents.csv", truth.consents(ctx, chunk, cust_no))
    links = [truth.person_links("core", cust_no, people.person_id.take(pa.array(core.pos)))]
    accounts = acc.open_accounts(ctx, chunk, people, core)
    files.write("core/accounts.csv", acc.accounts_table(accounts, core))
    aml_truth = _ledger(ctx, chunk, people, core, accounts, files)
    holders = cards.card_holders(ctx, chunk, people)
    card_table, spending = cards.cards_and_spending(ctx, people, holders, files.first_id("card_txn"))
    files.write("cards/card_customers.txt", holders["table"])
    files.write("cards/cards.txt", card_table)
    files.write("cards/card_transactions.txt", spending)
    links.append(_links("cards", holders["table"]["cc_cust_id"], people, holders["index"]))
    intent = truth.intents(ctx, chunk, people)
    users = app.app_users(ctx, chunk, people)
    files.write("app/users.jsonl", users["lines"])
    files.write("app/events.jsonl", app.app_events(ctx, people, users, intent, files.first_id("event")))
    links.append(_links("app", users["user_id"], people, users["index"]))
    contacts = crm.contacts(ctx, chunk, people)
    files.write("crm/contacts.csv", contacts["table"])
    links.append(_links("crm", contacts["table"]["crm_id"], people, contacts["index"]))
    files.write("callcenter/feedback.csv", feedback(ctx, chunk, people, cust_no, files.first_id("ticket")))
    files.write("ground_truth/persons.csv", pa.concat_tables(links))
    files.write("ground_truth/attrition.csv", truth.attrition(people, cust_no))
    files.write("ground_truth/purchases.csv", truth.purchases(ctx, chunk, people, cust_no, intent))
    files.write("ground_truth/offer_response.csv", truth.offer_responses(ctx, chunk, people, cust_no))
    files.write("ground_truth/aml_patterns.csv", aml_truth)
    return files.parts


def _links(source: str, keys, people: People, index: np.ndarray) -> pa.Table:
    return truth.person_links(source, pa.array(keys), people.person_id.take(pa.array(index)))


def _ledger(
    ctx: BankContext, chunk: int, people: People, core, accounts: acc.AccountSet, files: _ChunkSink
) -> pa.Table:
    """Transactions of every demand deposit, their balances, and the planted AML cases."""
    rng = ctx.rng("transactions", chunk)
    dd = accounts.dd()
    dd_acct, record = accounts.acct_no[dd], accounts.record[dd]
    pos = core.pos[record]
    second = core.second[record]
    status = people.status[pos]
    active = (status == STATUS_ACTIVE) & (accounts.status[dd] == "N")
    activity = np.where(active, people.activity[pos] * np.where(second, 0.1, 1.0), 0.0)
    parts = [txns.everyday(ctx, rng, dd_acct, activity, people.income_band[pos], people.churner[pos])]
    parts.append(
        txns.salaries(
            ctx,
            rng,
            dd_acct,
            np.where(second | ~active, 0, people.salary[pos]),
            people.pay_day[pos],
            people.pid[pos] % len(txns.EMPLOYERS),
        )
    )
    parts.append(txns.interest(ctx, rng, dd_acct[active], accounts.amount[dd][active]))
    loans = np.flatnonzero((accounts.slot == acc.LOAN) & (accounts.status == "N"))
    dd_of_record = np.full(len(core.pos), -1, np.int64)
    dd_of_record[record] = dd_acct
    parts.append(
        txns.repayments(
            ctx,
            rng,
            dd_of_record[accounts.record[loans]],
            accounts.acct_no[loans],
            accounts.payment[loans],
            acc._pay_days(ctx, 20),
        )
    )
    leavers = np.flatnonzero(active & people.churner[pos] & ~second)
    parts.append(txns.leaving(ctx, rng, dd_acct[leavers], people.aum[pos[leavers]]))
    dormant = (status == STATUS_DORMANT) & ~second & (accounts.status[dd] != "C")
    planted, case_pattern, case_row = aml.plant(ctx, chunk, dd_acct, active & ~second, dormant)
    parts.append(planted)
    ordered = ledger.order(txns.Txns.concat(parts), dd_acct)
    first_id = files.first_id("txn")
    files.write("core/transactions.csv", ledger.transactions_table(ordered, first_id))
    opening = ledger.opening_balances(ordered, dd_acct, accounts.amount[dd])
    open_dd = accounts.status[dd] != "C"
    balances = [
        acc.non_deposit_balances(ctx, chunk, accounts),
        ledger.dd_balances(ctx, ordered, dd_acct, opening, open_dd),
    ]
    files.write("core/balances.csv", ledger.balances_table(balances))
    case_ids = np.unique(planted.case)
    return truth.aml_cases(
        people, core.cust_no, pos[case_row], aml.PATTERNS, case_pattern, case_ids, ordered.case, first_id
    )
