"""``generate_bank``: every source system of the synthetic bank, chunk by chunk of 100,000 people."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from pathlib import Path

import numpy as np
import pyarrow as pa

from kequn.demo.generator import accounts as acc
from kequn.demo.generator import aml, app, cards, crm, ledger, truth, txns
from kequn.demo.generator.callcenter import feedback
from kequn.demo.generator.catalog import build_org, products_table
from kequn.demo.generator.context import BankContext
from kequn.demo.generator.core import core_records, customers_table
from kequn.demo.generator.people import STATUS_ACTIVE, STATUS_DORMANT, People, draw_people
from kequn.demo.generator.writers import CsvOut, JsonLinesOut

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
}
STEPS = ("customers", "accounts", "transactions", "cards", "app", "crm & call centre", "ground truth")


class _Outputs:
    def __init__(self, out: Path) -> None:
        self.files: dict[str, CsvOut | JsonLinesOut] = {
            name: JsonLinesOut(out / name) if name.endswith(".jsonl") else CsvOut(out / name, **opts)
            for name, opts in FILES.items()
        }
        self.counters = {"txn": 0, "card_txn": 0, "event": 0, "ticket": 0}

    def __getitem__(self, name: str):  # noqa: ANN204 - CsvOut or JsonLinesOut
        return self.files[name]

    def take_ids(self, counter: str, n: int) -> int:
        first = self.counters[counter]
        self.counters[counter] += n
        return first

    def close(self) -> dict[str, int]:
        for f in self.files.values():
            f.close()
        return {name: f.rows for name, f in self.files.items()}


def generate_bank(
    out: Path,
    *,
    customers: int,
    seed: int,
    days: int = 90,
    as_of: date = date(2026, 10, 31),
    progress: Progress | None = None,
) -> dict:
    """Write every source export of a bank with ``customers`` people; returns the manifest."""
    ctx = BankContext(customers, seed, days, as_of)
    object.__setattr__(ctx, "org", build_org(ctx.rng("org"), customers))
    out.mkdir(parents=True, exist_ok=True)
    files = _Outputs(out)
    files["org/orgs.csv"].write(ctx.org.orgs_table())  # type: ignore[attr-defined]
    files["org/staff.csv"].write(ctx.org.staff)  # type: ignore[attr-defined]
    files["core/products.csv"].write(products_table())
    chunks = ctx.chunks()
    report = progress or (lambda step, done, total: None)
    for chunk, lo, hi in chunks:
        _one_chunk(ctx, chunk, lo, hi, files, lambda step: report(step, chunk + 1, len(chunks)))
    manifest = {
        "as_of": as_of.isoformat(),
        "days": days,
        "customers": customers,
        "seed": seed,
        "files": files.close(),
    }
    (out / "manifest.json").write_text(
        json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8"
    )
    return manifest


def _one_chunk(
    ctx: BankContext, chunk: int, lo: int, hi: int, files: _Outputs, done: Callable[[str], None]
) -> None:
    people = draw_people(ctx, chunk, lo, hi)
    core = core_records(ctx, chunk, people)
    cust_no = core.cust_no
    files["core/customers.csv"].write(customers_table(ctx, chunk, people, core))
    files["core/consents.csv"].write(truth.consents(ctx, chunk, cust_no))
    links = [truth.person_links("core", cust_no, people.person_id.take(pa.array(core.pos)))]
    done("customers")
    accounts = acc.open_accounts(ctx, chunk, people, core)
    files["core/accounts.csv"].write(acc.accounts_table(accounts, core))
    done("accounts")
    aml_truth = _ledger(ctx, chunk, people, core, accounts, files)
    done("transactions")
    holders = cards.card_holders(ctx, chunk, people)
    card_table, spending = cards.cards_and_spending(ctx, people, holders, files.counters["card_txn"])
    files.take_ids("card_txn", spending.num_rows)
    files["cards/card_customers.txt"].write(holders["table"])
    files["cards/cards.txt"].write(card_table)
    files["cards/card_transactions.txt"].write(spending)
    links.append(_links("cards", holders["table"]["cc_cust_id"], people, holders["index"]))
    done("cards")
    intent = truth.intents(ctx, chunk, people)
    users = app.app_users(ctx, chunk, people)
    files["app/users.jsonl"].write(users["lines"])
    events = app.app_events(ctx, people, users, intent, files.counters["event"])
    files.take_ids("event", len(events))
    files["app/events.jsonl"].write(events)
    links.append(_links("app", users["user_id"], people, users["index"]))
    done("app")
    contacts = crm.contacts(ctx, chunk, people)
    files["crm/contacts.csv"].write(contacts["table"])
    links.append(_links("crm", contacts["table"]["crm_id"], people, contacts["index"]))
    tickets = feedback(ctx, chunk, people, cust_no, files.counters["ticket"])
    files.take_ids("ticket", tickets.num_rows)
    files["callcenter/feedback.csv"].write(tickets)
    done("crm & call centre")
    for table in links:
        files["ground_truth/persons.csv"].write(table)
    files["ground_truth/attrition.csv"].write(truth.attrition(people, cust_no))
    files["ground_truth/purchases.csv"].write(truth.purchases(ctx, chunk, people, cust_no, intent))
    files["ground_truth/offer_response.csv"].write(truth.offer_responses(ctx, chunk, people, cust_no))
    files["ground_truth/aml_patterns.csv"].write(aml_truth)
    done("ground truth")


def _links(source: str, keys, people: People, index: np.ndarray) -> pa.Table:
    return truth.person_links(source, pa.array(keys), people.person_id.take(pa.array(index)))


def _ledger(
    ctx: BankContext, chunk: int, people: People, core, accounts: acc.AccountSet, files: _Outputs
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
    ordered = ledger.order(txns.Txns.concat(parts))
    first_id = files.take_ids("txn", len(ordered))
    files["core/transactions.csv"].write(ledger.transactions_table(ordered, first_id))
    opening = ledger.opening_balances(ordered, dd_acct, accounts.amount[dd])
    open_dd = accounts.status[dd] != "C"
    balances = [
        acc.non_deposit_balances(ctx, chunk, accounts),
        ledger.dd_balances(ctx, ordered, dd_acct, opening, open_dd),
    ]
    files["core/balances.csv"].write(ledger.balances_table(balances))
    case_ids = np.unique(planted.case)
    return truth.aml_cases(
        people, core.cust_no, pos[case_row], aml.PATTERNS, case_pattern, case_ids, ordered.case, first_id
    )
