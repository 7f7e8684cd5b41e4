"""Scale-out: the DuckDB warehouse file vs the Parquet store read by DuckDB vs Spark local[2].

    python -m bench scale [--customers 1000000 3000000 10000000] [--months 12]
                          [--workdir DIR] [--no-spark] [--memory-limit 3GB]

For each size the demo generator writes the input (facts as Parquet, in chunks; not timed),
then three paths load it and answer the common queries:

* ``duckdb``  — ``gcrm etl`` into the single-file warehouse; queries on the file;
* ``store``   — the same warehouse exported to the Parquet store (Hive folders by month) and
  attached as views; queries by DuckDB on the Parquet files (the load column is the export);
* ``spark``   — ``gcrm etl --engine spark`` writing the store with Spark ``local[2]``;
  queries by Spark (``gcrm.cube.sparkrun``) after its session has started.

Prints wall time, peak RSS of the largest process (the JVM for Spark), input rows/s, the time
of each query, and how each grows with the data (ratio to the smallest size). Results and the
projection to a province are in docs/scale.md.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

QUERIES = {
    "kwh by district x month (rollup)": dict(measures=["kwh", "amount"],
                                             by=["district", "month"]),
    "customers by district, 12 months (activity)": dict(measures=["customers"],
                                                        by=["district"]),
    "kwh by feeder, industrial (rollup)": dict(measures=["kwh"], by=["feeder"],
                                               where={"customer_class": ["industrial"]}),
    "kwh by service point (facts scan)": dict(measures=["kwh"], by=["service_point"]),
}

QUERY_SCRIPT = """
import json, sys, time
from gcrm import cube
queries = json.loads(sys.argv[3])
out = {}
if sys.argv[1] == "spark":
    from gcrm.cube import sparkrun
    from gcrm.storage import sparkenv
    sparkenv.session()
    run = lambda q: sparkrun.query(sys.argv[2], **q)
else:
    from gcrm.storage import warehouse
    con = warehouse.connect(sys.argv[2], read_only=True)
    run = lambda q: cube.query(con, **q)
for name, q in queries.items():
    t = time.perf_counter(); df = run(q); out[name] = [time.perf_counter() - t, len(df)]
print(json.dumps(out))
"""

EXPORT_SCRIPT = """
import sys
from gcrm.storage import lake, warehouse
with warehouse.connect(sys.argv[1], read_only=True) as con:
    lake.export(con, sys.argv[2])
lake.attach(sys.argv[2], sys.argv[3])
"""


def _tree_rss(root: int) -> int:
    """Resident bytes of ``root`` and all its descendants (from /proc)."""
    parent, rss = {}, {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid = int(stat.parent.name)
        parent[pid], rss[pid] = int(fields[1]), int(fields[21]) * 4096
    tree, todo = set(), [root]
    while todo:
        pid = todo.pop()
        tree.add(pid)
        todo += [c for c, p in parent.items() if p == pid and c not in tree]
    return sum(rss.get(p, 0) for p in tree)


def _run(cmd: list[str], env: dict | None = None, log: Path | None = None
         ) -> tuple[float, float, str]:
    """Wall seconds, peak RSS (GiB) of the command's whole process tree (JVM included),
    sampled every 0.5 s, and its stdout; ``log`` keeps its whole output (a failure's cause
    is often far above the end of a JVM's stack trace)."""
    t = time.perf_counter()
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, text=True, env=env)
        peak = 0
        while proc.poll() is None:
            peak = max(peak, _tree_rss(proc.pid))
            time.sleep(0.5)
        wall = time.perf_counter() - t
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read(), err.read()
    if log is not None:
        log.write_text(stdout + stderr)
    if proc.returncode != 0:
        sys.stderr.write(stdout[-3000:] + stderr[-3000:])
        raise SystemExit(f"command failed: {' '.join(cmd[:6])}")
    return wall, peak / 1024**3, stdout


def _reused(report: Path) -> tuple[float, float]:
    """(load seconds, peak GiB) from an earlier run's load report: the highest of its steps'
    peaks (the loading process alone; NaN for a report without them)."""
    summary = json.loads((report / "summary.json").read_text())
    peaks = [s.get("peak_rss_mb") for s in summary["steps"]]
    peak = max((p for p in peaks if p is not None), default=float("nan") * 1024)
    return summary["seconds"], peak / 1024


def _input(work: Path, customers: int, months: int) -> dict[str, int]:
    inp = work / "input"
    if not (inp / "regions.geojson").exists():
        from etl.demo import generate

        print(f"generating {customers:,} customers x {months} months ...", flush=True)
        t = time.perf_counter()
        generate(inp, customers=customers, months=months, seed=42, progress=False)
        print(f"  generated in {time.perf_counter() - t:.0f} s (not timed)", flush=True)
    return {}


def _size(args: argparse.Namespace, customers: int) -> dict:
    """Every path at one size: load seconds, peak GiB, rows read, query seconds."""
    import os

    py, work = sys.executable, args.workdir / f"c{customers}_m{args.months}"
    _input(work, customers, args.months)
    env = {**os.environ, "GCRM_MEMORY_LIMIT": args.memory_limit}
    out: dict = {}
    db, store = work / "gcrm.duckdb", work / "store"
    if args.reuse and (work / "r1" / "summary.json").exists():  # a load of an earlier run
        wall, peak = _reused(work / "r1")
    else:
        for f in (db, Path(f"{db}.wal")):  # a first load, not an incremental one into the last
            f.unlink(missing_ok=True)
        wall, peak, _ = _run([py, "-m", "gcrm.cli", "etl", "--db", str(db), "--input",
                              str(work / "input"), "--quiet", "--report-dir", str(work / "r1")],
                             env, work / "duckdb.log")
    rows = sum(f["read"] for f in json.loads((work / "r1" / "summary.json").read_text())["files"])
    out["duckdb"] = {"load": wall, "peak": peak}
    wall, peak, _ = _run([py, "-c", EXPORT_SCRIPT, str(db), str(store), str(work / "store.duckdb")],
                         env)
    out["store"] = {"load": wall, "peak": peak}
    if args.reuse and (work / "r2" / "summary.json").exists():
        out["spark"] = dict(zip(("load", "peak"), _reused(work / "r2"), strict=True))
    elif not args.no_spark:
        sdb = work / "spark.duckdb"
        wall, peak, _ = _run([py, "-m", "gcrm.cli", "etl", "--engine", "spark", "--store",
                              str(work / "spark_store"), "--db", str(sdb), "--input",
                              str(work / "input"), "--quiet", "--report-dir", str(work / "r2")],
                             env, work / "spark.log")
        out["spark"] = {"load": wall, "peak": peak}
    targets = {"duckdb": str(db), "store": str(work / "store.duckdb"),
               "spark": str(work / "spark_store")}
    for path, target in targets.items():
        if path in out:
            kind = "spark" if path == "spark" else "duckdb"
            _, _, text = _run([py, "-c", QUERY_SCRIPT, kind, target, json.dumps(QUERIES)], env)
            last = text.strip().splitlines()[-1]  # libraries may print before the result
            out[path]["queries"] = {k: v[0] for k, v in json.loads(last).items()}
    return {"customers": customers, "rows": rows, "paths": out}


def _print(results: list[dict]) -> None:
    base = results[0]
    print(f"\n{'size':>12} {'path':<7} {'load s':>8} {'rows/s':>11} {'peak GiB':>9} "
          f"{'x load':>7}  " + "  ".join(f"q{i + 1} s" for i in range(len(QUERIES))))
    for r in results:
        for path, v in r["paths"].items():
            grow = v["load"] / base["paths"][path]["load"] if path in base["paths"] else 0
            qs = "  ".join(f"{v.get('queries', {}).get(q, float('nan')):5.2f}" for q in QUERIES)
            print(f"{r['customers']:>12,} {path:<7} {v['load']:>8.1f} "
                  f"{r['rows'] / v['load']:>11,.0f} {v['peak']:>9.2f} {grow:>7.2f}  {qs}")
    for i, q in enumerate(QUERIES):
        print(f"q{i + 1}: {q}")
    for r in results:
        p = r["paths"]
        if "spark" in p:
            print(f"{r['customers']:,}: ratio spark / duckdb load "
                  f"{p['spark']['load'] / p['duckdb']['load']:.2f}x")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench scale")
    ap.add_argument("--customers", type=int, nargs="+", default=[1_000_000])
    ap.add_argument("--months", type=int, default=12)
    ap.add_argument("--workdir", type=Path, default=Path("/tmp/gcrm-scale"))
    ap.add_argument("--memory-limit", default="3GB", help="DuckDB memory limit (spilling)")
    ap.add_argument("--no-spark", action="store_true")
    ap.add_argument("--reuse", action="store_true",
                    help="keep the loads of an earlier run (their reported seconds and step "
                         "peaks) and time the export and the queries again")
    args = ap.parse_args(argv)
    results = []
    import os

    for n in args.customers:
        before = os.getloadavg()[0]
        results.append(_size(args, n))
        # other programs on the machine slow every path alike; say how busy it was
        results[-1]["load_average"] = (before, os.getloadavg()[0])
        print(json.dumps(results[-1]), flush=True)
    _print(results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
