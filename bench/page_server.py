"""Server time of one run of a page, in-process (Streamlit's AppTest): no browser, no network.

    python -m bench page_server [--db PATH] [--pages outages,tradearea] [--repeat 3]

``page_render`` times what a user waits for in a browser; on a 2-core machine shared with other
jobs that is dominated by the browser (WebGL in software) and swings 2x between runs. This
benchmark times only the page's Python run: the queries, the computations and building the
elements Streamlit sends. Each page runs in a fresh child process (empty caches; modules
imported before the clock starts, as the dashboard preloads them), signed in as an admin:

* ``first run, cold``: the first run of the page in the process;
* ``first run, warm``: a new session on the same process (Streamlit's data cache is shared);
* ``drill``: the same session after a choice: Outages drills its map into a district (the
  busiest, then the next ones), Trading areas pick another business hall.

Prints the median of ``--repeat`` child processes per step. Run it from two work trees (with
``PYTHONPATH`` set to each) to compare code before and after a change.
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
PAGES = ("home", "outages", "tradearea")
USER, PASSWORD = "bench_pages", "Bench-Pages-2026!"  # the account of page_render


def _app(page_name: str, token: str) -> None:
    """The app shell's part that matters here: an admin signed in (session ``token``), then
    the page."""
    import importlib

    import streamlit as st

    from dashboards.components import auth, data, shell

    ss = st.session_state
    ss[auth._TOKEN], ss[auth._COOKIE_TRIED] = token, True
    auth.current()
    ss[shell._INFO_KEY] = data.warehouse_info()
    page = importlib.import_module(f"dashboards.{page_name}.page")
    with data.run_connection(shell.warehouse().path):
        page.render()


def _drill_choice(db: Path, page: str, i: int) -> tuple[str, str] | None:
    """(session-state key, value) of the i-th drill of ``page``."""
    from gcrm.storage import warehouse

    con = warehouse.connect(db, read_only=True)
    try:
        if page == "outages":
            rows = con.execute("SELECT district_id FROM dim_customer WHERE district_id IS NOT "
                               "NULL GROUP BY 1 ORDER BY count(*) DESC, 1").fetchall()
            return "out_drill", rows[i % len(rows)][0]
        if page == "tradearea":
            rows = con.execute("SELECT service_point_id FROM dim_service_point WHERE kind = "
                               "'business_hall' AND lon IS NOT NULL AND lat IS NOT NULL "
                               "ORDER BY 1").fetchall()[1:]
            return "ta_sp", rows[i % len(rows)][0]
        return None
    finally:
        con.close()


def _token(db: Path) -> str:
    """A session of the benchmark's admin (created if needed) in the warehouse's store."""
    from gcrm.security.accounts import authenticate, open_session
    from gcrm.storage.store import connect_store
    from tests.browser import add_account

    add_account(db, USER, "admin", PASSWORD)
    con = connect_store(db)
    try:
        return open_session(con, authenticate(con, USER, PASSWORD))
    finally:
        con.close()


def child(db: Path, page: str, i: int) -> dict[str, float]:
    """One fresh process: cold run, warm run, drill (seconds)."""
    from streamlit.testing.v1 import AppTest

    import dashboards.components.data  # noqa: F401  (imported before the clock, as preloaded)

    __import__(f"dashboards.{page}.page")
    token = _token(db)
    out = {}
    for step in ("first run, cold", "first run, warm"):
        at = AppTest.from_function(_app, args=(page, token), default_timeout=900)
        t = time.perf_counter()
        at.run()
        out[step] = time.perf_counter() - t
        if at.exception:
            raise RuntimeError(f"{page}: {at.exception[0].value}")
    choice = _drill_choice(db, page, i)
    if choice:
        at.session_state[choice[0]] = choice[1]
        t = time.perf_counter()
        at.run()
        out["drill"] = time.perf_counter() - t
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench page_server")
    ap.add_argument("--db", type=Path, default=DEFAULT_DB)
    ap.add_argument("--pages", default="outages,tradearea")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--child", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        page, i = args.child.split(":")
        print(json.dumps(child(args.db, page, int(i))))
        return 0
    if not args.db.exists():
        print(f"no benchmark warehouse at {args.db}", file=sys.stderr)
        return 2
    pages = [p for p in args.pages.split(",") if p]
    if bad := [p for p in pages if p not in PAGES]:
        ap.error(f"unknown page(s) {', '.join(bad)}")
    env = {**os.environ, "GCRM_DB": str(args.db.resolve())}
    env.pop("GCRM_LANG", None)
    print(f"warehouse {args.db}; code from {Path(__file__).resolve().parent.parent}", flush=True)
    for page in pages:
        runs: dict[str, list[float]] = {}
        for i in range(args.repeat):
            res = subprocess.run([sys.executable, "-m", "bench", "page_server", "--db",
                                  str(args.db), "--child", f"{page}:{i}"], env=env,
                                 capture_output=True, text=True, check=False)
            if res.returncode:
                print(res.stdout[-2000:], res.stderr[-2000:], file=sys.stderr)
                return 1
            got = json.loads(res.stdout.strip().splitlines()[-1])
            print(f"  [{page}] process {i}: " + ", ".join(f"{k} {v:.2f} s"
                                                         for k, v in got.items()), flush=True)
            for k, v in got.items():
                runs.setdefault(k, []).append(v)
        print(f"[{page}] medians: " + ", ".join(f"{k} {statistics.median(v):.2f} s"
                                               for k, v in runs.items()), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
