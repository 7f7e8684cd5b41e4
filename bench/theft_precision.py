"""Theft suspicion quality: precision@50/100/200 and recall, against the naive ranking.

Data: a demo generated with injected cases (``etl.demo_revenue``: thieves of three kinds,
meter faults, move-outs, recorded vacancies, seasonal homes), loaded into a fresh warehouse;
its answer key ``revenue_truth.csv`` says who the thieves are. Positives: the theft cases
only (a meter fault also makes the area's loss rise, but it is not a thief: counted wrong).

Two rankings of the same candidates, in the same run: GCRM's score
(:func:`gcrm.revenue.suspicion.rank`) and the naive "biggest drop first"
(:func:`gcrm.revenue.suspicion.naive_rank`). Exit status 1 when precision@100 < 0.6.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

TARGET = 0.6


def evaluate(ranked: Sequence[str], positives: set[str], ks: Sequence[int]) -> dict[str, float]:
    """precision@k and recall@k of a ranked list of customer ids.

    >>> r = evaluate(["a", "x", "b", "y"], {"a", "b", "c"}, [2, 4])
    >>> r["precision@2"], r["precision@4"], round(r["recall@4"], 3)
    (0.5, 0.5, 0.667)
    """
    out: dict[str, float] = {}
    for k in ks:
        top = list(ranked[:k])
        hits = sum(1 for c in top if c in positives)
        out[f"precision@{k}"] = hits / k if k else 0.0
        out[f"recall@{k}"] = hits / len(positives) if positives else 0.0
    return out


def _build(folder: Path, customers: int, months: int, seed: int) -> Path:
    from etl.demo import generate
    from etl.pipeline import load

    generate(folder / "input", customers=customers, months=months, seed=seed, progress=False)
    db = folder / "bench.duckdb"
    load(folder / "input", db, quiet=True, report_dir=folder / "report")
    return db


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench theft_precision")
    ap.add_argument("--customers", type=int, default=20_000)
    ap.add_argument("--months", type=int, default=24)
    ap.add_argument("--seed", type=int, default=11)
    args = ap.parse_args(argv)
    import pandas as pd

    from gcrm.revenue import queries, suspicion
    from gcrm.storage import warehouse

    with tempfile.TemporaryDirectory(prefix="gcrm-theft-") as tmp:
        t0 = time.perf_counter()
        db = _build(Path(tmp), args.customers, args.months, args.seed)
        built = time.perf_counter() - t0
        truth = pd.read_csv(Path(tmp) / "input" / "revenue_truth.csv", dtype=str)
        with warehouse.connect(db, read_only=True) as con:
            t1 = time.perf_counter()
            month = queries.latest_month(con)
            feats = suspicion.features(queries.suspect_inputs(con, month))
            scored = list(suspicion.rank(feats)["customer_id"])
            ranked_s = time.perf_counter() - t1
    naive = list(suspicion.naive_rank(feats)["customer_id"])
    thieves = set(truth.loc[truth["case"].str.startswith("theft"), "customer_id"])
    ks = (50, 100, 200)
    ours, base = evaluate(scored, thieves, ks), evaluate(naive, thieves, ks)
    print(f"demo {args.customers:,} customers x {args.months} months (seed {args.seed}), "
          f"built+loaded in {built:.1f} s; ranked {len(feats):,} candidates in {ranked_s:.1f} s")
    print("cases: " + ", ".join(f"{k} {v}" for k, v in truth["case"].value_counts().items()))
    print(f"{'measure':<14}{'GCRM score':>12}{'naive drop':>12}")
    for key in ours:
        print(f"{key:<14}{ours[key]:>12.2f}{base[key]:>12.2f}")
    p100, n100 = ours["precision@100"], base["precision@100"]
    print(f"precision@100: {p100:.2f} vs naive {n100:.2f} (target >= {TARGET})")
    return 0 if p100 >= TARGET else 1
