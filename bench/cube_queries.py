"""Cube query latency on the benchmark warehouse: the planner (rollups) vs the raw facts.

    python -m bench cube_queries [--db PATH] [--repeat 30]

Default warehouse: the one `python -m bench etl_load --keep` leaves (1M customers x 36 months).
Caching is off, so every run hits DuckDB. Prints p50/p95 per query shape for the planner and
for the same query forced onto the fact tables, and their ratio.
Target (issue #5): common dashboard slices p95 < 150 ms; any query over the facts < 2 s.
Issue #22: every common slice p95 <= 50 ms, channel mix included; any fact query <= 2 s.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

DEFAULT_DB = Path("/tmp/gcrm-bench/c1000000_m36/gcrm.duckdb")


def shapes(con) -> dict[str, dict]:
    from gcrm import cube

    first, last = cube.month_range(con, 12)
    district = cube.members(con, "district")[0]
    return {
        "district x month, one class": dict(
            measures=["kwh", "amount"], by=["district", "month"],
            where={"customer_class": ["industrial"]}, months=(first, last)),
        "top-10 feeders by kWh": dict(
            measures=["kwh"], by=["feeder"], months=(first, last), order_by="-kwh", limit=10),
        "one district's month trend": dict(
            measures=["kwh", "customers", "peak_share"], by=["month"],
            where={"district": [district]}),
        "channel mix by district": dict(
            measures=["paid", "online_share"], by=["district", "channel"], months=(first, last)),
        "home KPIs (12 months)": dict(
            measures=["customers", "kwh", "amount", "paid", "arrears"], months=(first, last)),
        # a fact query by nature (no rollup holds customers): what the trading-area page asks
        "a trade area's customers": dict(
            measures=["kwh", "amount", "paid", "payments", "online_payments", "arrears"],
            where={"customer": _ring_customers(con)}, months=(first, last)),
    }


def _ring_customers(con) -> list[str]:
    """The customers within 3 km of the first business hall (the trading-area page's default
    area; 85,293 customers on the 1M warehouse)."""
    from gcrm.tradearea import queries as tradearea

    sp = tradearea.service_points(con, ["business_hall"])
    area, _ = tradearea.area_from(con, service_point=sp["service_point_id"].iloc[0], km=3)
    return tradearea.customers_in(con, area)["customer_id"].tolist()


def _time(fn, repeat: int) -> list[float]:
    fn()  # warm-up
    out = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t) * 1000)
    return out


def _p(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench cube_queries")
    ap.add_argument("--db", type=Path, default=DEFAULT_DB)
    ap.add_argument("--repeat", type=int, default=30)
    args = ap.parse_args(argv)
    if not args.db.exists():
        print(f"no benchmark warehouse at {args.db}: run `python -m bench etl_load --keep` "
              "first or pass --db", file=sys.stderr)
        return 2
    from gcrm import cube
    from gcrm.storage import warehouse

    con = warehouse.connect(args.db, read_only=True)
    n = con.execute("SELECT count(*) FROM fact_consumption").fetchone()[0]
    print(f"warehouse {args.db}: {n:,} consumption rows; {args.repeat} runs per query, no cache")
    print(f"{'query':<30}{'p50 ms':>9}{'p95 ms':>9}{'facts p50':>11}{'facts p95':>11}"
          f"{'speed-up':>10}")
    worst_planner = worst_facts = 0.0
    for name, kw in shapes(con).items():
        q = cube.Query.make(**kw)
        qf = cube.Query.make(**kw, use_rollups=False)
        a = _time(lambda q=q: cube.run(con, q, cache=False), args.repeat)
        b = _time(lambda q=qf: cube.run(con, q, cache=False), max(3, args.repeat // 5))
        pa, pb = _p(a, 95), _p(b, 95)
        worst_planner, worst_facts = max(worst_planner, pa), max(worst_facts, pb)
        print(f"{name:<30}{_p(a, 50):>9.1f}{pa:>9.1f}{_p(b, 50):>11.1f}{pb:>11.1f}"
              f"{statistics.median(b) / statistics.median(a):>9.1f}x")
    print(f"worst p95: planner {worst_planner:.0f} ms (target <= 50 for the common slices), "
          f"facts {worst_facts:.0f} ms (target <= 2000)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
