"""A few defective rows, as real exports always have: they let the demo show quarantine at work.

Each is appended at the end of its file and listed in ground_truth/planted_defects.csv with its line
and the check that must reject it. None of them is a person record, so OneID's ground truth is untouched.
"""

from __future__ import annotations

from kequn.demo.generator.writers import Rendered

TXN = "core/transactions.csv"
ACCOUNTS = "core/accounts.csv"
BALANCES = "core/balances.csv"
TARGETS = (TXN, ACCOUNTS, BALANCES)  # UTF-8 files, so their rows can be edited as text
UNKNOWN_ACCOUNT = "6217990099999999999"


def _replace(line: str, **fields: str) -> str:
    """``line`` (a data row of the transactions file) with some of its fields replaced."""
    names = ["txn_id", "acct_no", "txn_time", "amount", "dc_flag", "channel", "txn_code"]
    values = line.split(",")
    for name, value in fields.items():
        values[names.index(name)] = value
    return ",".join(values)


def defect_rows(first_lines: dict[str, str]) -> dict[str, list[tuple[str, str]]]:
    """(row, defect) pairs per file, built from the first data row of each file."""
    txn = first_lines[TXN]
    account = first_lines[ACCOUNTS].split(",")
    return {
        TXN: [
            (txn, "duplicate txn_id"),
            (_replace(txn, txn_id="TQ0000000001", acct_no=UNKNOWN_ACCOUNT), "unknown account"),
            (_replace(txn, txn_id="TQ0000000002", txn_time="2026-02-30 10:00:00"), "invalid txn_time"),
            (
                _replace(txn, txn_id="TQ0000000003", amount="12,345.00"),
                "extra field (unquoted thousands separator)",
            ),
            (_replace(txn, txn_id="TQ0000000004", dc_flag="X"), "unknown dc_flag code"),
        ],
        ACCOUNTS: [
            (",".join([UNKNOWN_ACCOUNT[:-1] + "8", account[1], "XX9999", *account[3:]]), "unknown product"),
            (",".join([UNKNOWN_ACCOUNT[:-1] + "7", "", *account[2:]]), "missing cust_no"),
        ],
        BALANCES: [(f"{UNKNOWN_ACCOUNT},2026-10-31,100.00", "unknown account")],
    }


def rendered(rows: list[tuple[str, str]]) -> Rendered:
    body = "".join(row + "\n" for row, _ in rows).encode("utf-8")
    return Rendered(b"", body, len(rows))


def first_data_line(part: Rendered) -> str:
    return part.body.split(b"\n", 1)[0].decode("utf-8")
