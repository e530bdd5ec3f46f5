"""The synthetic bank: layout as docs/synthetic-bank.md says, determinism, identity ground truth, realism."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from kequn.demo.generator import FILES, generate_bank
from kequn.demo.generator.idnumbers import id_bodies, is_valid

COLUMNS = {
    "org/orgs.csv": "org_id,org_name,org_level,parent_org_id",
    "org/staff.csv": "staff_id,staff_name,org_id,role,max_book",
    "core/customers.csv": "cust_no,cust_name,sex,birth_dt,cert_type,cert_no,mobile,email,addr,city,"
    "post_code,"
    "occupation,education,marital,income_band,open_dt,branch_no,risk_level,risk_eval_dt,"
    "cust_status",
    "core/products.csv": "prod_code,prod_name,category,risk_rating,min_amount,term_days,rate",
    "core/accounts.csv": "acct_no,cust_no,prod_code,open_dt,close_dt,acct_status,ccy,maturity_dt,"
    "credit_limit",
    "core/balances.csv": "acct_no,bal_date,balance",
    "core/transactions.csv": "txn_id,acct_no,txn_time,amount,dc_flag,channel,txn_code,cpty_acct,cpty_name,"
    "cpty_bank,cross_border,ccy",
    "core/consents.csv": "cust_no,purpose,channel,granted,updated_at,source",
    "cards/card_customers.txt": "cc_cust_id|cust_name|gender|birthday|id_number|phone|email|bill_addr|city"
    "|zip|open_date",
    "cards/cards.txt": "card_no|cc_cust_id|card_product|credit_limit|open_date|card_status",
    "cards/card_transactions.txt": "txn_id|card_no|txn_time|amount|dc_flag|mcc|merchant_name"
    "|cross_border|ccy",
    "crm/contacts.csv": "crm_id,name,mobile,email,wechat_unionid,wecom_external_id,rm_staff_id,"
    "assigned_on,addr,"
    "city,birth_date,gender,company",
    "callcenter/feedback.csv": "ticket_id,cust_no,caller_mobile,created_at,channel,content,satisfaction",
    "ground_truth/persons.csv": "source,source_key,person_id",
    "ground_truth/attrition.csv": "person_id,cust_no,churn_date,reason",
    "ground_truth/purchases.csv": "person_id,cust_no,prod_code,purchase_date",
    "ground_truth/offer_response.csv": "person_id,cust_no,offer,p_control,p_treated",
    "ground_truth/aml_patterns.csv": "person_id,cust_no,pattern,txn_ids",
}
GB18030_FILES = [name for name, opts in FILES.items() if opts.get("encoding") == "gb18030"]


@pytest.fixture(scope="module")
def bank(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("bank")
    generate_bank(out, customers=2000, seed=7)
    return out


def _rows(bank: Path, name: str) -> list[dict[str, str]]:
    encoding = FILES[name].get("encoding", "utf-8")
    delimiter = FILES[name].get("delimiter", ",")
    text = (bank / name).read_bytes().decode(encoding)
    return list(csv.DictReader(io.StringIO(text), delimiter=delimiter))


def test_every_file_has_the_contract_columns(bank: Path) -> None:
    for name, header in COLUMNS.items():
        encoding = FILES[name].get("encoding", "utf-8")
        first_line = (bank / name).read_bytes().decode(encoding).split("\n", 1)[0]
        assert first_line == header, name
    user = json.loads((bank / "app/users.jsonl").read_text("utf-8").split("\n", 1)[0])
    assert list(user) == ["app_user_id", "name", "mobile", "id_no", "email", "registered_at", "device_id"]
    event = json.loads((bank / "app/events.jsonl").read_text("utf-8").split("\n", 1)[0])
    assert list(event) == [
        "event_id",
        "app_user_id",
        "device_id",
        "ts",
        "name",
        "page",
        "product_id",
        "props",
    ]


def test_manifest_counts_rows(bank: Path) -> None:
    manifest = json.loads((bank / "manifest.json").read_text())
    assert manifest["customers"] == 2000 and manifest["as_of"] == "2026-10-31"
    assert manifest["files"]["core/customers.csv"] == len(_rows(bank, "core/customers.csv"))
    assert manifest["files"]["app/events.jsonl"] == len((bank / "app/events.jsonl").read_text().splitlines())


@pytest.mark.parametrize("name", GB18030_FILES)
def test_gb18030_files_are_not_utf8(bank: Path, name: str) -> None:
    data = (bank / name).read_bytes()
    text = data.decode("gb18030")
    if any("\u4e00" <= ch <= "\u9fff" for ch in text):
        with pytest.raises(UnicodeDecodeError):
            data.decode("utf-8")


def test_id_numbers_valid_except_planted_typos(bank: Path) -> None:
    core = [r["cert_no"] for r in _rows(bank, "core/customers.csv")]
    assert all(is_valid(i) for i in core)
    cards = [r["id_number"] for r in _rows(bank, "cards/card_customers.txt") if r["id_number"]]
    invalid = sum(not is_valid(i) for i in cards) / len(cards)
    assert 0 < invalid < 0.04


def test_different_people_never_share_an_id_number(bank: Path) -> None:
    person = {
        r["source_key"]: r["person_id"]
        for r in _rows(bank, "ground_truth/persons.csv")
        if r["source"] == "core"
    }
    holders: dict[str, set[str]] = {}
    for r in _rows(bank, "core/customers.csv"):
        holders.setdefault(r["cert_no"], set()).add(person[r["cust_no"]])
    assert max(len(p) for p in holders.values()) == 1


def test_id_sequences_are_unique_across_chunks() -> None:
    rng = np.random.default_rng(0)
    n = 3_000  # crowded on purpose (~2.5 per region, date and sex; reality is far sparser)
    region = rng.choice(np.array([110105, 310101, 440305]), n)
    birth = np.datetime64("1990-01-01") + rng.integers(0, 200, n)
    male = rng.random(n) < 0.5
    bodies = np.concatenate([id_bodies(region, birth, male, chunk) for chunk in range(3)])
    assert len(np.unique(bodies)) == len(bodies)
    assert ((bodies % 10) % 2 == np.tile(male, 3)).all()  # sex parity kept


def test_same_seed_same_bytes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("kequn.demo.generator.context.CHUNK", 200)  # two chunks: the process pool path
    generate_bank(tmp_path / "a", customers=300, seed=5)
    generate_bank(tmp_path / "b", customers=300, seed=5)
    for name in [*FILES, "manifest.json"]:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name


def test_every_person_record_has_one_true_person(bank: Path) -> None:
    truth = _rows(bank, "ground_truth/persons.csv")
    keys = [(r["source"], r["source_key"]) for r in truth]
    assert len(keys) == len(set(keys))
    sources = {
        "core": ("core/customers.csv", "cust_no"),
        "cards": ("cards/card_customers.txt", "cc_cust_id"),
        "crm": ("crm/contacts.csv", "crm_id"),
    }
    for source, (name, key) in sources.items():
        assert sorted(r[key] for r in _rows(bank, name)) == sorted(k for s, k in keys if s == source)
    app = [json.loads(line)["app_user_id"] for line in (bank / "app/users.jsonl").read_text().splitlines()]
    assert sorted(app) == sorted(k for s, k in keys if s == "app")
    persons = {r["person_id"] for r in truth if r["source"] == "core"}
    assert len(persons) == 2000


def test_aml_plants_point_at_real_transactions(bank: Path) -> None:
    txn_ids = {r["txn_id"] for r in _rows(bank, "core/transactions.csv")}
    cases = _rows(bank, "ground_truth/aml_patterns.csv")
    assert {c["pattern"] for c in cases} >= {
        "fan_in",
        "fan_out",
        "structuring",
        "rapid_in_out",
        "frequent_cash",
    }
    for case in cases:
        assert set(case["txn_ids"].split(";")) <= txn_ids


def test_aum_is_long_tailed(tmp_path: Path) -> None:
    generate_bank(tmp_path, customers=20_000, seed=11)
    rows = _rows(tmp_path, "core/balances.csv")
    first: dict[str, float] = {}
    for r in rows:
        if r["bal_date"] == "2026-08-03":
            first[r["acct_no"]] = float(r["balance"])
    owner = {
        r["acct_no"]: r["cust_no"] for r in _rows(tmp_path, "core/accounts.csv") if r["prod_code"][:2] != "LN"
    }
    aum: dict[str, float] = {}
    for acct, balance in first.items():
        if acct in owner:
            aum[owner[acct]] = aum.get(owner[acct], 0.0) + balance
    values = np.array(list(aum.values()))
    assert (values < 50_000).mean() > 0.6
    assert (values > 1_000_000).sum() > 20


def test_bad_arguments_exit_2_with_one_line(tmp_path: Path) -> None:
    kequn = Path(sys.executable).parent / "kequn"
    for args in (["--customers", "0"], ["--days", "0"], ["--as-of", "2026-02-30"]):
        result = subprocess.run(
            [kequn, "generate", "--out", str(tmp_path), *args], capture_output=True, text=True
        )
        assert result.returncode == 2, args
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr
