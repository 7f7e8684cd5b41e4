"""Benchmark: a tariff scenario over the 1M-customer warehouse (issue #20: under 10 s on
2 cores), beside a peer measured in the same run: the plain cube query ``kwh by
customer_class`` over the same months computed from the facts (no rollups), i.e. one scan
of the same rows.

``python -m bench tariff_simulate [--db PATH] [--scenario FILE] [--repeat N]``
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

DEFAULT_DB = Path("/tmp/gcrm-bench/c1000000_m36/gcrm.duckdb")
EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "tariffs"


def _best(fn, repeat: int) -> tuple[float, object]:
    best, out = float("inf"), None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t)
    return best, out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench tariff_simulate")
    ap.add_argument("--db", type=Path, default=DEFAULT_DB)
    ap.add_argument("--scenario", type=Path, default=EXAMPLES / "ndrc-1093-4to1.toml")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args(argv)
    if not args.db.exists():
        print(f"no warehouse at {args.db}: build one with `gcrm demo --customers 1000000 "
              "--months 36` (skipped)")
        return 0
    from gcrm import cube
    from gcrm.storage import warehouse
    from gcrm.tariff import queries
    from gcrm.tariff.scenario import load

    con = warehouse.connect(args.db, read_only=True)
    s = load(args.scenario)
    wide = load(EXAMPLES / "residential-tou.toml")  # covers most customers: the model's worst
    months = queries.period(con)
    n = con.execute("SELECT count(*) FROM fact_consumption WHERE month BETWEEN ? AND ?",
                    list(months)).fetchone()[0]
    steps = {
        "peer: cube kwh by customer_class (facts)": lambda: cube.run(con, cube.Query.make(
            ["kwh"], ["customer_class"], months=months, use_rollups=False), cache=False),
        "simulate, total": lambda: queries.simulate(con, s, (), months),
        "simulate by district x customer_class": lambda: queries.simulate(
            con, s, ["district", "customer_class"], months),
        "simulate, total, residential-tou (wide)": lambda: queries.simulate(
            con, wide, (), months),
        "simulate by customer (1M rows out; info)": lambda: queries.simulate(
            con, s, ["customer"], months),
    }
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores; {args.db} "
          f"({n:,} customer-months in {months[0]}..{months[1]}); scenario {s.name}; best of "
          f"{args.repeat}")
    print(f"{'step':<44} {'seconds':>8} {'x peer':>7}")
    times: dict[str, float] = {}
    results = {}
    for name, fn in steps.items():
        times[name], results[name] = _best(fn, args.repeat)
        peer = next(iter(times.values()))
        print(f"{name:<44} {times[name]:>8.2f} {times[name] / peer:>7.1f}")
    for name, r in results.items():
        if name.startswith("simulate, total"):
            t = r.total.iloc[0]
            print(f"{r.scenario.name}: {t['covered']:,.0f} of {t['customers']:,.0f} customers "
                  f"covered; revenue {t['revenue_change']:+,.0f} yuan; peak energy "
                  f"{t['peak_change_kwh']:+,.0f} kWh")
    worst = max(v for k, v in times.items() if k.startswith("simulate") and "info" not in k)
    print(f"target < 10 s: {'met' if worst < 10 else 'MISSED'} (slowest simulate {worst:.2f} s)")
    return 0 if worst < 10 else 1
