"""Segments at scale: live count, profile, clustering, membership refresh and overlap on N customers.

    python bench/bench_segments.py --customers 1000000

Writes a synthetic ``features`` snapshot (skewed money, counts, flags, categories; no tags or tiers) into a
temporary workspace, then times each segment operation once (the first call, no warm cache).
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from datetime import date
from pathlib import Path

from kequn.core.workspace import init_workspace
from kequn.engine import engine_for
from kequn.tags import segments as seg
from kequn.tags.segment_upload import parse_id_text

DAY = date(2024, 6, 30)


def write_features(engine, customers: int) -> None:
    engine.execute("SELECT setseed(0.42)")
    engine.write_snapshot(
        "features",
        DAY,
        "SELECT 'K' || lpad(CAST(i AS VARCHAR), 10, '0') AS customer_id,"
        " CAST(18 + floor(random() * 70) AS INTEGER) AS age,"
        " CASE WHEN random() < 0.5 THEN 'F' ELSE 'M' END AS gender,"
        " ['北京', '上海', '广州', '深圳', '成都', '杭州', '武汉', '西安']"
        "[1 + CAST(floor(random() * 8) AS INTEGER)] AS city,"
        " exp(random() * 14) AS aum, exp(random() * 14) AS aum_mad, exp(random() * 12) AS aum_mad_wealth,"
        " CAST(floor(random() * random() * 80) AS INTEGER) AS txn_count_30d,"
        " exp(random() * 11) AS txn_in_amount_30d, exp(random() * 11) AS txn_out_amount_30d,"
        " CAST(floor(random() * random() * 60) AS INTEGER) AS app_logins_30d,"
        " CAST(floor(random() * 5) AS INTEGER) AS product_count,"
        " CAST(1 + floor(random() * 5) AS INTEGER) AS risk_level,"
        " random() < 0.1 AS is_dormant, random() < 0.7 AS consent_marketing_sms,"
        " random() < 0.4 AS consent_marketing_app"
        f" FROM range({customers}) r(i)",
    )


def timed(label: str, work):
    """Run ``work`` once; print wall seconds and this process's CPU seconds (all threads), which a
    busy shared machine inflates less."""
    start, cpu = time.perf_counter(), time.process_time()
    result = work()
    print(f"{label:<48} {time.perf_counter() - start:8.2f} s wall {time.process_time() - cpu:8.2f} s CPU")
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--customers", type=int, default=1_000_000)
    args = parser.parse_args()
    print(f"customers {args.customers:,}; load average {os.getloadavg()[0]:.2f}; cores {os.cpu_count()}")
    with tempfile.TemporaryDirectory() as tmp:
        ws = init_workspace(Path(tmp) / "ws")
        url = ws.database_url
        engine = engine_for(ws)
        timed("write features snapshot", lambda: write_features(engine, args.customers))
        engine.write_snapshot(
            "customer",
            DAY,
            "SELECT customer_id FROM read_parquet('" + engine.warehouse.files_glob("features") + "')",
        )
        expr = (
            "aum_mad >= 500000 AND age >= 40 AND txn_count_30d > 5 AND NOT is_dormant"
            " AND consent_marketing_sms"
        )
        count = timed("live count (5 conditions)", lambda: seg.live_count(engine, expr, store_url=url))
        rule = seg.create_rule_segment(engine, url, name_zh="高价值活跃", expression=expr, owner="bench")
        profile = timed(
            "profile of the rule segment (all columns)",
            lambda: seg.segment_profile(engine, url, rule.segment_id),
        )
        ids = parse_id_text("\n".join(f"K{i:010d}" for i in range(0, args.customers, 10)))
        static = timed(
            "static upload (10% of the base)",
            lambda: seg.create_static_segment(engine, url, name_zh="名单", ids=ids, owner="bench"),
        )
        features = ["aum_mad", "aum_mad_wealth", "txn_count_30d", "app_logins_30d", "is_dormant"]
        cluster = timed(
            "cluster (5 features, k by silhouette 2..8)",
            lambda: seg.create_cluster_segment(engine, url, name_zh="聚类", features=features, owner="bench"),
        )
        rows = timed("refresh_segments (3 segments)", lambda: seg.refresh_segments(engine, DAY, url))
        timed(
            "overlap of 3 segments",
            lambda: seg.segment_overlap(
                engine, url, [rule.segment_id, static.segment_id, cluster.segment_id]
            ),
        )
        timed(
            "members page 100 of cluster segment",
            lambda: seg.segment_members(engine, url, cluster.segment_id, page=100),
        )
        print(
            f"rule count {count:,}; profile top field {profile['fields'][0]['field']}; "
            f"k {len(cluster.config['centroids'])}; memberships {rows:,}"
        )
        engine.close()


if __name__ == "__main__":
    main()
