"""The Outages page's queries in a fresh process: one shared customer count vs one per grouping.

    python -m bench outages_queries [--db PATH] [--repeat 3]

Each run is a child process with a fresh DuckDB instance (what a cold server pays), making the
queries of the page's first render (indices by district and by feeder, major event days,
feeders, events, feeder reach, the CEMI count and first 100 rows) and of a drill into the
busiest district (its H3 cells' and feeders' indices, feeder reach). ``shared``: the page's
way, one :func:`gcrm.outages.queries.base` (the customers counted once per feeder, city,
district and opening month) passed to every index; the peer ``per grouping``: each index
reads its own (a scan of ``dim_customer`` each), as a caller without a base does. Both give
the same numbers (``tests/test_reliability_sql.py``). Prints the medians and their ratio.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

DEFAULT_DB = Path("/tmp/gcrm-bench/c1000000_m36/gcrm.duckdb")
MODES = ("shared", "per grouping")


def child(db: Path, mode: str) -> dict[str, float]:
    """One fresh process: the first render's queries, then a drill's (seconds)."""
    from gcrm.outages import queries as q
    from gcrm.storage import warehouse

    con = warehouse.connect(db, read_only=True)
    district = con.execute("SELECT district_id FROM dim_customer WHERE district_id IS NOT NULL "
                           "GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1").fetchone()[0]
    t0 = time.perf_counter()
    year = q.years(con)[-1]
    kw = {"shared": q.base(con, year)} if mode == "shared" else {}
    q.indices(con, year, "district", **kw)
    q.feeders(con)
    q.events(con, year)
    q.indices(con, year, "feeder", **kw)
    q.feeder_reach(con, "district")
    q.med(con, year, **kw)
    q.count_interrupted(con, year, 3)
    q.most_interrupted(con, year, 3, limit=100)
    t1 = time.perf_counter()
    q.indices(con, year, "h3", within=district, **kw)
    q.indices(con, year, "feeder", within=district, **kw)
    q.feeder_reach(con, "h3", within=district)
    t2 = time.perf_counter()
    con.close()
    return {"first render": t1 - t0, "drill": t2 - t1}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench outages_queries")
    ap.add_argument("--db", type=Path, default=DEFAULT_DB)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--child", choices=MODES, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        print(json.dumps(child(args.db, args.child)))
        return 0
    if not args.db.exists():
        print(f"no benchmark warehouse at {args.db}", file=sys.stderr)
        return 2
    print(f"warehouse {args.db}; load average {os.getloadavg()[0]:.1f}", flush=True)
    runs: dict[str, dict[str, list[float]]] = {m: {} for m in MODES}
    for _ in range(args.repeat):
        for mode in MODES:  # interleaved
            res = subprocess.run([sys.executable, "-m", "bench", "outages_queries", "--db",
                                  str(args.db), "--child", mode],
                                 capture_output=True, text=True, check=False)
            if res.returncode:
                print(res.stderr[-2000:], file=sys.stderr)
                return 1
            for step, s in json.loads(res.stdout).items():
                runs[mode].setdefault(step, []).append(s)
    print(f"{'queries (s, median)':24s} {'shared':>8s} {'per grouping':>13s} {'ratio':>6s}")
    for step in runs["shared"]:
        a = statistics.median(runs["shared"][step])
        b = statistics.median(runs["per grouping"][step])
        print(f"{step:24s} {a:8.3f} {b:13.3f} {b / a:6.2f}x")
    print(f"load average at the end {os.getloadavg()[0]:.1f}")
    return 0
