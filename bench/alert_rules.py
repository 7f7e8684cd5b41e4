"""Key-account alert rule ``arrears_age``: all customers at once vs one ageing per customer.

``python -m bench alert_rules [--customers 20000] [--months 24] [--repeat 3]``

Synthetic bills (fixed seed; amounts 0-400 yuan a month, total paid 0-110 % of the total
billed, in one payment on 2026-11-15) aged as of 2026-11-30: the October bill is not yet due.
The rule computes arrears as :func:`gcrm.customers.risk.arrears_of` defines them (bills past
their due date). The peer is the per-customer loop the customer card uses
(:func:`gcrm.customers.arrears.ageing` once per customer, bills past due); the rule must give
the same customers, days and amounts (exit 1 otherwise).
"""

from __future__ import annotations

import argparse
import time
from datetime import date

import numpy as np
import pandas as pd

from gcrm.accounts import alerts as rules
from gcrm.customers.arrears import ageing


def _data(customers: int, months: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(19)
    ms = [str(m) for m in pd.period_range(end="2026-10", periods=months, freq="M")]
    ids = np.repeat([f"C{i:07d}" for i in range(customers)], months)
    amount = rng.integers(0, 400, customers * months).astype(float)
    bills = pd.DataFrame({"customer_id": ids, "month": np.tile(ms, customers),
                          "amount": amount})
    totals = bills.groupby("customer_id")["amount"].sum()
    paid = totals * rng.uniform(0.0, 1.1, len(totals))
    pays = pd.DataFrame({"customer_id": paid.index, "paid_at": pd.Timestamp("2026-11-15"),
                         "amount": paid.to_numpy()})
    return bills, pays


def _loop(bills: pd.DataFrame, pays: pd.DataFrame, as_of: date, days: int) -> dict:
    out = {}
    paid = pays.groupby("customer_id")["amount"].sum()
    for cid, b in bills.groupby("customer_id", sort=True):
        aged = ageing(b[["month", "amount"]], float(paid.get(cid, 0.0)), pd.Timestamp(as_of))
        owed = aged[(aged["outstanding"] > 0) & (aged["days_overdue"] >= 1)]
        if len(owed) and owed["days_overdue"].max() > days:
            out[cid] = (int(owed["days_overdue"].max()), round(float(owed["outstanding"].sum()),
                                                                2))
    return out


def _best(fn, repeat: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return min(times), result


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench alert_rules")
    ap.add_argument("--customers", type=int, default=20_000)
    ap.add_argument("--months", type=int, default=24)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args(argv)
    bills, pays = _data(args.customers, args.months)
    as_of, th = date(2026, 11, 30), rules.Thresholds()
    t_rule, got = _best(lambda: rules.arrears(bills, pays, as_of, th), args.repeat)
    t_loop, want = _best(lambda: _loop(bills, pays, as_of, th.arrears_days),
                         1 if args.customers > 5_000 else args.repeat)
    mine = {c: (int(v), a) for c, v, a in zip(got["customer_id"], got["value"], got["amount"],
                                              strict=True)}
    same = mine == want
    print(f"{args.customers:,} customers x {args.months} months, {len(mine):,} alerts")
    print(f"{'method':<34}{'seconds':>10}")
    print(f"{'rules.arrears (all at once)':<34}{t_rule:>10.3f}")
    print(f"{'ageing() per customer (peer)':<34}{t_loop:>10.3f}")
    print(f"ratio peer / rule: {t_loop / t_rule:,.0f}x; same alerts: {same}")
    return 0 if same else 1
