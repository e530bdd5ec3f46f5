"""The probabilistic step: a Splink model on the DuckDB backend over normalised person records.

Blocking rules only admit pairs where at most one side has a valid ID number: pairs with the same valid ID
are linked by the deterministic rule already, and pairs whose valid ID numbers differ are never linked.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from typing import Any

import duckdb

from kequn.identity.normalize import NORM_TABLE

SEED = 20260101
U_MAX_PAIRS = 1.5e6
MIN_TRAIN_RECORDS = 1000
DEFAULT_THRESHOLD = 0.95
# Evidence (bits, prior excluded) that p = 0.95 asks for at about 20,000 customers (λ ≈ 5e-5).
EVIDENCE_BITS = 18.5
EDGE_TABLE = "oneid_splink_edges"

# Both sides may not carry a valid ID number (same valid ID: deterministic; different: never a match).
NO_ID_CONFLICT = "(l.id_label IS NULL OR r.id_label IS NULL)"

BLOCKING_KEYS: tuple[tuple[str, ...], ...] = (
    ("phone",),
    ("id_no",),
    ("name_py", "birth_date"),
    ("email",),
    ("name_py", "address"),
)


@dataclass(frozen=True)
class SplinkResult:
    pairs: int
    seconds_train: float
    seconds_predict: float


def _null(col: str) -> dict[str, Any]:
    return {
        "sql_condition": f"{col}_l IS NULL OR {col}_r IS NULL",
        "label_for_charts": "null",
        "is_null_level": True,
    }


def _level(sql: str, label: str, m: float, u: float, **extra: Any) -> dict[str, Any]:
    """A level with prior m/u probabilities (used as they are when the input is too small to train)."""
    return {"sql_condition": sql, "label_for_charts": label, "m_probability": m, "u_probability": u, **extra}


def _comparison(col: str, *levels: dict[str, Any]) -> dict[str, Any]:
    return {"output_column_name": col, "comparison_levels": [_null(col), *levels]}


def comparisons() -> list[dict[str, Any]]:
    """The comparison levels, strongest evidence first within each field; priors from a generated bank."""
    tf_name = {"tf_adjustment_column": "name_s", "tf_adjustment_weight": 1.0}
    fixed = {"fix_m_probability": True}
    return [
        _comparison(
            "name_s",
            _level("name_s_l = name_s_r", "exact", 0.93, 1e-3, **tf_name),
            _level("name_py_l = name_py_r", "same pinyin", 0.025, 3e-5),
            _level("damerau_levenshtein(name_s_l, name_s_r) <= 1", "one character", 0.017, 2.5e-4),
            _level("ELSE", "else", 0.03, 0.9987),
        ),
        _comparison(
            "birth_str",
            _level("birth_str_l = birth_str_r", "exact", 0.97, 4e-4),
            _level("hamming(birth_str_l, birth_str_r) <= 1", "one digit", 0.01, 1.6e-3),
            _level("ELSE", "else", 0.02, 0.998),
        ),
        _comparison(
            "phone",
            _level("phone_l = phone_r", "exact", 0.95, 3e-4),
            _level("hamming(phone_l, phone_r) <= 1", "one digit", 0.01, 3e-3),
            _level("ELSE", "else", 0.04, 0.9967),
        ),
        _comparison(
            "id_no",
            _level("id_no_l = id_no_r", "exact", 0.97, 1e-5, **fixed),
            _level(
                "length(id_no_l) = length(id_no_r) AND hamming(id_no_l, id_no_r) <= 1",
                "one char",
                0.025,
                1e-6,
                **fixed,
            ),
            _level("ELSE", "else", 0.005, 0.99999, **fixed),
        ),
        _comparison(
            "email",
            _level("email_l = email_r", "exact", 0.9, 3e-4),
            _level("ELSE", "else", 0.1, 0.9997),
        ),
        _comparison(
            "address",
            _level("address_l = address_r", "exact", 0.85, 3e-4),
            _level("jaro_winkler_similarity(address_l, address_r) >= 0.92", "similar", 0.05, 0.03),
            _level("ELSE", "else", 0.1, 0.97),
        ),
        _comparison(
            "gender",
            _level("gender_l = gender_r", "exact", 0.98, 0.5),
            _level("ELSE", "else", 0.02, 0.5),
        ),
    ]


def blocking_rules() -> list[str]:
    rules = []
    for keys in BLOCKING_KEYS:
        equal = " AND ".join(f"l.{k} = r.{k}" for k in keys)
        rules.append(f"{equal} AND {NO_ID_CONFLICT}")
    return rules


def prior_match_rate(records: int) -> float:
    """The prior λ: about 2.5 records per person gives ≈ 1.5 / records."""
    return min(0.5, 1.5 / max(records, 1))


def settings(records: int) -> dict[str, Any]:
    """Splink settings."""
    return {
        "link_type": "dedupe_only",
        "probability_two_random_records_match": prior_match_rate(records),
        "unique_id_column_name": "rid",
        "comparisons": comparisons(),
        "blocking_rules_to_generate_predictions": [{"blocking_rule": r} for r in blocking_rules()],
        "additional_columns_to_retain": ["id_label"],
        "retain_matching_columns": False,
        "retain_intermediate_calculation_columns": False,
    }


def quiet_splink() -> None:
    """Splink logs every step at INFO; keep it to warnings and above."""
    for name in ("splink", "splink.internals"):
        logging.getLogger(name).setLevel(logging.WARNING)


def build_linker(con: duckdb.DuckDBPyConnection, records: int, table: str = NORM_TABLE) -> Any:
    from splink import DuckDBAPI, Linker

    quiet_splink()
    db_api = DuckDBAPI(connection=con)
    sdf = db_api.register(table)
    return Linker(sdf, settings(records), log_level=None)


def train(linker: Any, *, records: int, id_pairs: int, seed: int = SEED) -> None:
    """λ from deterministic rules, u by seeded random sampling, m from records sharing a valid ID number.

    Without any pair sharing a valid ID number the m probabilities keep Splink's defaults.
    """
    training = linker.training
    training.estimate_probability_two_random_records_match(
        ["l.id_label = r.id_label", "l.phone = r.phone AND l.name_py = r.name_py"], recall=0.8
    )
    _keep_prior_if_degenerate(linker, records)
    max_pairs = min(U_MAX_PAIRS, max(records * (records - 1) / 2, 1.0))
    training.estimate_u_using_random_sampling(max_pairs=max_pairs, seed=seed)
    if id_pairs:
        training.estimate_m_from_label_column("id_label")


def _match_rate(linker: Any) -> float:
    """λ as the linker holds it (Splink keeps it on a private settings object: read it in one place)."""
    return float(linker._settings_obj._probability_two_random_records_match)


def _keep_prior_if_degenerate(linker: Any, records: int) -> None:
    """Sources without ID numbers, names or phones (Berka) give no deterministic pairs, so the estimate
    of λ is 0 and every match weight would be log2(0): keep the prior instead."""
    if not 0.0 < _match_rate(linker) < 1.0:
        linker._settings_obj._probability_two_random_records_match = prior_match_rate(records)


def link_weight(linker: Any, threshold: float = DEFAULT_THRESHOLD) -> float:
    """The match weight a pair needs: posterior ≥ ``threshold``, or evidence ≥ ``EVIDENCE_BITS``.

    The prior λ falls as the bank grows (one true pair among ~N²/2), so a fixed posterior threshold asks
    for more evidence from a large bank than from a small one: at 2.6M records a record with the same
    name and phone as another fell short. Whichever bar is lower applies, so small inputs keep the
    posterior rule and large banks need no more evidence than a 20,000-customer bank does.
    """
    lam = _match_rate(linker)
    prior = math.log2(lam / (1 - lam))
    return min(math.log2(threshold / (1 - threshold)), prior + EVIDENCE_BITS)


def predict_edges(con: duckdb.DuckDBPyConnection, linker: Any, threshold: float = DEFAULT_THRESHOLD) -> int:
    """Keep scored pairs at or above ``link_weight`` in ``oneid_splink_edges``; returns their count."""
    scored = linker.inference.predict(
        threshold_match_weight=link_weight(linker, threshold), warning_mode="never"
    )
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE {EDGE_TABLE} AS "
        f"SELECT rid_l, rid_r, match_weight, match_probability FROM {scored.physical_name} "
        "WHERE id_label_l IS NULL OR id_label_r IS NULL"
    )
    scored.drop_table_from_database_and_remove_from_cache()
    return int(con.execute(f"SELECT count(*) FROM {EDGE_TABLE}").fetchall()[0][0])
