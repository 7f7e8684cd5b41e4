"""ETL at benchmark scale: `gcrm demo` input (1M customers x 36 months by default) loaded by
`gcrm etl`, against the peer: DuckDB copying the same files into tables with no validation.

    python -m bench etl_load [--customers 1000000] [--months 36] [--workdir DIR] [--out DIR]
                             [--repeat N] [--tree DIR ...] [--keep] [--rollups]

The ETL and its peer run interleaved, ``--repeat`` rounds of (peer, ETL) for every ``--tree``
(the source tree whose ``gcrm etl`` runs: ``PYTHONPATH=<tree>``; default this one; give two to
compare a before and an after in the same run, their order alternating between rounds). Each
ETL run's ratio is against the peer run just before it; the figure is the median ratio. Every
run is printed with the wall time of its process (interpreter start included, for both), its
CPU seconds (user + system: less sensitive to the machine's load than the wall time), its peak
RSS and the load average (1-minute, at its start, the mean of samples every 2 s while it ran,
and at its end). The input files are
read once into the OS file cache before each timed run (both read the same files: neither
pays for the disk).

Prints seconds, CPU seconds (when the load reports them) and rows/s per step (the median over
the runs of each tree) and the ratio to the peer.
Targets: issue #4, whole ETL under 3 minutes and peak memory under 6 GB on 2 cores; issue #22,
at most 1.5x the raw copy and 4 GiB. The warehouses are written under ``--out`` (default
``<workdir>/c<customers>_m<months>/etl_load``, removed afterwards); ``--keep`` keeps the last
ETL run's warehouse as ``<workdir>/c<customers>_m<months>/gcrm.duckdb``, the one the other
benchmarks read. ``--rollups`` then times, on a copy of the last loaded warehouse, a full
rollup build against the incremental one a load of the last month runs
(``build_rollups(con, {month})``), and checks that both give the same tables.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

PEER = """
import sys, duckdb
from pathlib import Path
src = Path(sys.argv[1]); con = duckdb.connect(sys.argv[2])
con.execute("SET enable_progress_bar = false")
for f in sorted(src.iterdir()):
    if f.suffix == ".csv":
        con.execute(f"CREATE TABLE {f.stem} AS SELECT * FROM read_csv(?, all_varchar=true)",
                    [str(f)])
    elif f.suffix == ".parquet":
        con.execute(f"CREATE TABLE {f.stem} AS SELECT * FROM read_parquet(?)", [str(f)])
con.close()
"""

HERE = Path(__file__).resolve().parent.parent


@dataclass
class Run:
    """One timed child process."""

    what: str  # "peer" or the tree
    wall: float
    rss_gib: float
    load: tuple[float, float, float]  # 1-minute load average: start, mean while running, end
    cpu: float = 0.0  # CPU seconds of the process (user + system, all threads)
    steps: dict[str, float] = field(default_factory=dict)
    step_cpu: dict[str, float] = field(default_factory=dict)  # when the load reports it
    ratio: float | None = None
    peer_cpu: float = 1.0  # CPU seconds of the peer run it is compared with


def _warm(inp: Path) -> float:
    """Read every input file once (into the OS file cache); seconds taken."""
    t = time.perf_counter()
    for f in sorted(inp.iterdir()):
        with f.open("rb") as fh:
            while fh.read(1 << 24):
                pass
    return time.perf_counter() - t


def _run(what: str, cmd: list[str], env: dict[str, str] | None = None) -> tuple[Run, str]:
    """Run a :func:`_child`; its wall time, its own peak RSS (its last line) and the load
    average (1-minute: at the start, sampled every 2 s, at the end)."""
    samples: list[float] = []
    stop = threading.Event()

    def sample() -> None:
        while not stop.wait(2.0):
            samples.append(os.getloadavg()[0])

    start = os.getloadavg()[0]
    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    t = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
    wall = time.perf_counter() - t
    stop.set()
    sampler.join()
    if proc.returncode:
        sys.stderr.write(proc.stdout + proc.stderr)
        raise SystemExit(f"command failed: {' '.join(cmd)}")
    end = os.getloadavg()[0]
    mean = statistics.fmean(samples) if samples else (start + end) / 2
    lines = proc.stdout.strip().splitlines()
    peak, cpu = (int(lines[-1].split()[1]), float(lines[-1].split()[2])) \
        if lines and lines[-1].startswith("PEAK ") else (0, 0.0)
    return Run(what, wall, peak / 1024**2, (start, mean, end), cpu), "\n".join(lines[:-1])


def _child(code: str) -> list[str]:
    """A Python child that runs ``code`` and prints its own peak RSS (KiB) and CPU seconds
    last."""
    wrapped = code + ("\nimport resource as _r\nu = _r.getrusage(_r.RUSAGE_SELF)\n"
                      "print('PEAK', u.ru_maxrss, u.ru_utime + u.ru_stime)\n")
    # -P: the current folder is not put first on sys.path (it would shadow PYTHONPATH)
    return [sys.executable, "-P", "-c", wrapped]


ETL = """
import etl
print("TREE", etl.__file__)
from gcrm.cli import main
try:
    main()
except SystemExit as e:
    if e.code:
        raise
"""


def _peer(inp: Path, out: Path) -> Run:
    db = out / "peer.duckdb"
    db.unlink(missing_ok=True)
    run, _ = _run("peer", [*_child(PEER), str(inp), str(db)])
    db.unlink(missing_ok=True)
    return run


def _etl(tree: Path, inp: Path, out: Path) -> tuple[Run, dict]:
    db, report = out / "gcrm.duckdb", out / "report"
    for f in (db, Path(f"{db}.wal")):
        f.unlink(missing_ok=True)
    env = {**os.environ, "PYTHONPATH": str(tree)}
    cmd = [*_child(ETL), "etl", "--db", str(db), "--input", str(inp), "--quiet",
           "--report-dir", str(report)]
    run, out = _run(str(tree), cmd, env)
    where = next(line.split(" ", 1)[1] for line in out.splitlines() if line.startswith("TREE "))
    if not Path(where).resolve().is_relative_to(tree):
        raise SystemExit(f"the load ran {where}, not the code of {tree}")
    summary = json.loads((report / "summary.json").read_text("utf-8"))
    run.steps = {s["step"]: s["seconds"] for s in summary["steps"]}
    run.step_cpu = {s["step"]: s["cpu_seconds"] for s in summary["steps"] if "cpu_seconds" in s}
    return run, summary


def _show(run: Run, label: str) -> None:
    ratio = f"{run.ratio:6.2f}x" if run.ratio else " " * 7
    print(f"{label:<30}{run.wall:>8.1f} s {run.cpu:>7.1f} s {run.rss_gib:>6.2f} GiB {ratio}"
          f"   {run.load[0]:.1f} / {run.load[1]:.1f} / {run.load[2]:.1f}", flush=True)


def _report(tree: str, runs: list[Run], rows: dict[str, int]) -> bool:
    """Median step times and ratio of one tree's runs; True when issue #22's targets hold."""
    print(f"\n{tree}: median of {len(runs)} run(s)")
    print(f"{'step':<18}{'seconds':>10}{'CPU s':>8}{'rows':>14}{'rows/s':>14}   each run")
    for step in runs[0].steps:
        secs = [r.steps.get(step, 0.0) for r in runs]
        cpus = [r.step_cpu[step] for r in runs if step in r.step_cpu]
        cpu = f"{statistics.median(cpus):.1f}" if cpus else ""
        med, n = statistics.median(secs), rows.get(step, 0)
        rate = f"{n / med:,.0f}" if n and med else ""
        each = " ".join(f"{s:.1f}" for s in secs)
        print(f"{step:<18}{med:>10.1f}{cpu:>8}{n:>14,}{rate:>14}   {each}")
    wall = statistics.median(r.wall for r in runs)
    rss = max(r.rss_gib for r in runs)
    ratio = statistics.median(r.ratio or 0.0 for r in runs)
    print(f"{'gcrm etl (wall)':<18}{wall:>10.1f}   peak RSS {rss:.2f} GiB (highest run), "
          f"CPU {statistics.median(r.cpu for r in runs):.1f} s")
    print(f"median ratio gcrm etl / raw DuckDB copy (same round): {ratio:.2f}x  "
          f"(runs: {', '.join(f'{r.ratio:.2f}x' for r in runs)}); CPU seconds: "
          f"{statistics.median(r.cpu / r.peer_cpu for r in runs):.2f}x")
    ok = wall < 180 and rss < 6
    print(f"targets of issue #4 (< 180 s, < 6 GiB): {'met' if ok else 'NOT met'}")
    ok = ratio <= 1.5 and rss <= 4
    print(f"targets of issue #22 (<= 1.5x the raw copy, <= 4 GiB): {'met' if ok else 'NOT met'}")
    return ok


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


def _generate(inp: Path, customers: int, months: int) -> None:
    print(f"generating demo input ({customers:,} customers x {months} months)...")
    from etl.demo import generate

    t = time.perf_counter()
    generate(inp, customers=customers, months=months, seed=42, progress=False)
    print(f"  generated in {time.perf_counter() - t:.1f} s (not part of the ETL figure)")


def _args(argv: list[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(prog="python -m bench etl_load")
    ap.add_argument("--customers", type=int, default=1_000_000)
    ap.add_argument("--months", type=int, default=36)
    ap.add_argument("--workdir", type=Path, default=Path("/tmp/gcrm-bench"))
    ap.add_argument("--out", type=Path, default=None,
                    help="folder for the warehouses written (default <input's folder>/etl_load)")
    ap.add_argument("--repeat", type=int, default=1, help="rounds of (peer, ETL) per tree")
    ap.add_argument("--tree", type=Path, action="append", default=None,
                    help="source tree whose gcrm etl runs (repeatable; default this one)")
    ap.add_argument("--keep", action="store_true",
                    help="keep the last ETL warehouse as <workdir>/c.._m../gcrm.duckdb")
    ap.add_argument("--rollups", action="store_true",
                    help="also time a full against an incremental (last month) rollup build")
    return ap.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = _args(argv)
    work = args.workdir / f"c{args.customers}_m{args.months}"
    inp, out = work / "input", (args.out or work / "etl_load")
    trees = [t.resolve() for t in (args.tree or [HERE])]
    if not (inp / "customers.csv").exists():
        _generate(inp, args.customers, args.months)
    out.mkdir(parents=True, exist_ok=True)
    print(f"input {inp} (file cache warmed before each run: first read "
          f"{_warm(inp):.1f} s); warehouses under {out}")
    print(f"{'run':<30}{'wall':>10} {'CPU':>9} {'peak RSS':>10} {'ratio':>7}   load average "
          "start / mean / end")
    runs: dict[str, list[Run]] = {str(t): [] for t in trees}
    summary: dict = {}
    for rnd in range(args.repeat):
        order = trees if rnd % 2 == 0 else trees[::-1]
        for tree in order:
            _warm(inp)
            peer = _peer(inp, out)
            _show(peer, f"{rnd + 1}. peer: raw DuckDB copy")
            _warm(inp)
            run, summary = _etl(tree, inp, out)
            run.ratio, run.peer_cpu = run.wall / peer.wall, peer.cpu
            runs[str(tree)].append(run)
            _show(run, f"{rnd + 1}. gcrm etl {tree.name}")
    rows = {f["file"].split(".")[0]: f["read"] for f in summary["files"]}
    print(f"\nETL of {args.customers:,} customers x {args.months} months "
          f"({sum(rows.values()):,} input rows)")
    for tree, tree_runs in runs.items():
        _report(tree, tree_runs, rows)
    db = out / "gcrm.duckdb"
    if args.rollups:
        _rollups(db, out / "rollups.duckdb")
    if args.keep:
        shutil.move(db, work / "gcrm.duckdb")
        print(f"warehouse: {work / 'gcrm.duckdb'}")
    if args.out is None:
        shutil.rmtree(out, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
