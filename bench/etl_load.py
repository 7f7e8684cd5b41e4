"""ETL at benchmark scale: `gcrm demo` input (1M customers x 36 months by default) loaded by
`gcrm etl`, against the peer: DuckDB copying the same files into tables with no validation.

    python -m bench etl_load [--customers 1000000] [--months 36] [--workdir DIR] [--keep]
                             [--rollups]

Prints rows/s per step, wall time, peak RSS of the load process, and the ratio to the peer.
Targets: issue #4, whole ETL under 3 minutes and peak memory under 6 GB on 2 cores; issue #22,
at most 1.5x the raw copy and 4 GiB. ``--rollups`` then times, on a copy of the loaded
warehouse, a full rollup build against the incremental one a load of the last month runs
(``build_rollups(con, {month})``), and checks that both give the same tables.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

PEER = """
import sys, time, duckdb, resource
from pathlib import Path
src = Path(sys.argv[1]); con = duckdb.connect(sys.argv[2])
con.execute("SET enable_progress_bar = false")
t = time.perf_counter()
for f in sorted(src.iterdir()):
    if f.suffix == ".csv":
        con.execute(f"CREATE TABLE {f.stem} AS SELECT * FROM read_csv(?, all_varchar=true)",
                    [str(f)])
    elif f.suffix == ".parquet":
        con.execute(f"CREATE TABLE {f.stem} AS SELECT * FROM read_parquet(?)", [str(f)])
con.close()
print(time.perf_counter() - t, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def _run(cmd: list[str]) -> tuple[float, int, str]:
    """Wall seconds, peak RSS (KiB) of the child, stdout."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    t = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True)
    wall = time.perf_counter() - t
    if proc.returncode != 0:
        sys.stderr.write(proc.stdout + proc.stderr)
        raise SystemExit(f"command failed: {' '.join(cmd)}")
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return wall, max(peak, before), proc.stdout


def _close(a, b) -> bool:
    """Equal, sums of doubles within 1e-9 relative (their order of addition may differ)."""
    import pandas as pd

    try:
        pd.testing.assert_frame_equal(a, b, check_exact=False, rtol=1e-9)
    except AssertionError:
        return False
    return True


def _rollups(db: Path, copy: Path) -> None:
    """Full rollup build vs the incremental build of the last month, on a copy of ``db``."""
    from gcrm.cube.rollups import ACTIVITY, ROLLUPS, build_rollups
    from gcrm.storage import warehouse

    shutil.copy(db, copy)
    con = warehouse.connect(copy)
    try:
        last = con.execute("SELECT max(month) FROM dim_time").fetchone()[0]
        t = time.perf_counter()
        build_rollups(con)
        full = time.perf_counter() - t
        names = [r.name for r in (*ROLLUPS, *ACTIVITY)]
        before = {n: con.execute(f"SELECT * FROM {n} ORDER BY ALL").df() for n in names}
        t = time.perf_counter()
        build_rollups(con, {last})
        inc = time.perf_counter() - t
        same = all(_close(before[n], con.execute(f"SELECT * FROM {n} ORDER BY ALL").df())
                   for n in names)
    finally:
        con.close()
        copy.unlink(missing_ok=True)
    print(f"rollups: full build {full:.1f} s, incremental build of {last} {inc:.1f} s "
          f"({full / inc:.1f}x faster); same tables: {same}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench etl_load")
    ap.add_argument("--customers", type=int, default=1_000_000)
    ap.add_argument("--months", type=int, default=36)
    ap.add_argument("--workdir", type=Path, default=Path("/tmp/gcrm-bench"))
    ap.add_argument("--keep", action="store_true", help="keep the warehouse for bench cube")
    ap.add_argument("--rollups", action="store_true",
                    help="also time a full against an incremental (last month) rollup build")
    args = ap.parse_args(argv)
    work = args.workdir / f"c{args.customers}_m{args.months}"
    inp, db = work / "input", work / "gcrm.duckdb"
    py = sys.executable
    if not (inp / "customers.csv").exists():
        print(f"generating demo input ({args.customers:,} customers x {args.months} months)...")
        from etl.demo import generate

        t = time.perf_counter()
        generate(inp, customers=args.customers, months=args.months, seed=42, progress=False)
        print(f"  generated in {time.perf_counter() - t:.1f} s (not part of the ETL figure)")
    for f in (db, Path(f"{db}.wal")):
        f.unlink(missing_ok=True)
    wall, rss_kib, _ = _run([py, "-m", "gcrm.cli", "etl", "--db", str(db), "--input", str(inp),
                             "--quiet", "--report-dir", str(work / "report")])
    summary = json.loads((work / "report" / "summary.json").read_text("utf-8"))
    peer_db = work / "peer.duckdb"
    peer_db.unlink(missing_ok=True)
    _, _, out = _run([py, "-c", PEER, str(inp), str(peer_db)])
    peer_s, peer_rss = (float(x) for x in out.split())
    peer_db.unlink(missing_ok=True)

    rows = {f["file"].split(".")[0]: f["read"] for f in summary["files"]}
    print(f"\nETL of {args.customers:,} customers x {args.months} months "
          f"({sum(rows.values()):,} input rows)")
    print(f"{'step':<18}{'seconds':>10}{'rows':>14}{'rows/s':>14}")
    for s in summary["steps"]:
        n = rows.get(s["step"], 0)
        rate = f"{n / s['seconds']:,.0f}" if n and s["seconds"] else ""
        print(f"{s['step']:<18}{s['seconds']:>10.1f}{n:>14,}{rate:>14}")
    print(f"{'gcrm etl (wall)':<18}{wall:>10.1f}   peak RSS {rss_kib / 1024**2:.2f} GiB")
    print(f"{'peer: raw copy':<18}{peer_s:>10.1f}   peak RSS {peer_rss / 1024**2:.2f} GiB")
    print(f"ratio gcrm etl / raw DuckDB copy: {wall / peer_s:.2f}x")
    ok = wall < 180 and rss_kib / 1024**2 < 6
    print(f"targets of issue #4 (< 180 s, < 6 GiB): {'met' if ok else 'NOT met'}")
    ok = wall <= 1.5 * peer_s and rss_kib / 1024**2 <= 4
    print(f"targets of issue #22 (<= 1.5x the raw copy, <= 4 GiB): {'met' if ok else 'NOT met'}")
    if args.rollups:
        _rollups(db, work / "rollups.duckdb")
    if not args.keep:
        shutil.rmtree(work / "report", ignore_errors=True)
    print(f"warehouse: {db}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
