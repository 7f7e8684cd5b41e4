"""Forecast accuracy on real data, and forecast speed on the 1M-customer warehouse.

``python -m bench forecast_accuracy [--holdout 24] [--speed-db PATH]``

1. **Accuracy** (bench/data/README.md): EIA-861M monthly sales of two US states x three
   sectors, 2005-2020, written as an input folder (two box regions under one city, one
   aggregate customer per state x sector: :mod:`etl.aggregates`) and loaded with ``gcrm etl``.
   The last ``--holdout`` months are held out; ``gcrm forecast --evaluate`` (the same
   function) forecasts them from the rest and prints, per level, the MASE of the served
   (reconciled) forecast, of seasonal naive and of AutoETS run in the same process on the
   same series, and the 80 % interval coverage; then the bottom-up coherence gap.
2. **Speed** (``--speed-db``, read-only): forecasting every district x class (every level,
   reconciled) of the warehouse, against AutoETS alone on the bottom series in the same run.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path

import pandas as pd

HERE = Path(__file__).resolve().parent / "data"
#: the real data sets (bench/data/README.md): file and its states (region id, name). ``ak_al``
#: is the benchmark the method was chosen on; ``ar_az`` was added afterwards as a fresh check
#: of that choice (nothing was chosen on it)
DATASETS: dict[str, tuple[Path, list[tuple[str, str]]]] = {
    "ak_al": (HERE / "eia861m_ak_al_2005_2020.csv", [("AK", "Alaska"), ("AL", "Alabama")]),
    "ar_az": (HERE / "eia861m_ar_az_2005_2020.csv", [("AR", "Arkansas"), ("AZ", "Arizona")]),
}
CLASSES = ("residential", "commercial", "industrial")


def _series(data: str = "ak_al") -> pd.DataFrame:
    path = DATASETS[data][0]
    raw = pd.read_csv(path)
    gap = (raw[list(CLASSES)].sum(axis=1) - raw["total"]).abs().max()
    if gap > 1:
        raise SystemExit(f"{path.name}: sectors do not add up to the total (gap {gap} MWh)")
    raw["month"] = [f"{y:04d}-{m:02d}" for y, m in zip(raw["year"], raw["month"], strict=True)]
    long = raw.melt(id_vars=["state", "month"], value_vars=list(CLASSES),
                    var_name="customer_class", value_name="kwh")
    return long.rename(columns={"state": "district"})


def _load(tmp: Path, data: str = "ak_al") -> Path:
    from etl.aggregates import write_input
    from etl.pipeline import load

    write_input(tmp / "input", ("US", "United States (2 states)"),
                DATASETS[data][1], _series(data))
    db = tmp / "eia.duckdb"
    load(tmp / "input", db, quiet=True, report_dir=tmp / "report")
    return db


def accuracy(holdout: int, data: str = "ak_al") -> pd.DataFrame:
    """Per-level scores of the held-out months (and the coherence gap in ``attrs``)."""
    from gcrm import cube
    from gcrm.forecast import accuracy as acc
    from gcrm.forecast import queries
    from gcrm.storage import warehouse

    tmp = Path(tempfile.mkdtemp(prefix="gcrm-fc-bench-"))
    try:
        con = warehouse.connect(_load(tmp, data), read_only=True)
        t0 = time.perf_counter()
        summary, per_series = queries.evaluate(con, "kwh", ["district", "customer_class"],
                                               None, holdout, 80)
        seconds = time.perf_counter() - t0
        cut = cube.shift_month(cube.month_range(con, 1)[1], -holdout)
        result = queries.compute(con, "kwh", ["district", "customer_class"], None, holdout,
                                 80, cut)
        summary.attrs.update(gap=acc.incoherence(result), seconds=seconds,
                             series=per_series, models=result.quality["model"].value_counts())
        con.close()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return summary


#: the configurations compared by ``--validate`` (label, options): the selection rule,
#: candidate models (ensemble members) and reconciliation method. The default settings are
#: the one with the lowest validation MASE (AutoETS / mint_shrink), decided before the
#: holdout was scored
FOUR = ("SeasonalNaive", "AutoETS", "Theta", "MSTL")  # the previous candidate models
CONFIGS: tuple[tuple[str, dict], ...] = (
    ("best / mint_shrink (previous default)", {"selection": "best", "models": FOUR}),
    ("best / wls_struct", {"selection": "best", "models": FOUR, "reconcile": "wls_struct"}),
    ("best / bottom_up", {"selection": "best", "models": FOUR, "reconcile": "bottom_up"}),
    ("AutoETS / mint_shrink", {"selection": "AutoETS", "models": FOUR}),
    ("AutoETS / wls_struct", {"selection": "AutoETS", "models": FOUR,
                              "reconcile": "wls_struct"}),
    ("comb ETS+Theta+MSTL / mint_shrink", {"selection": "ensemble", "models": FOUR}),
    ("comb ETS+Theta+MSTL / wls_struct", {"selection": "ensemble", "models": FOUR,
                                          "reconcile": "wls_struct"}),
    ("comb ETS+Theta+MSTL / bottom_up", {"selection": "ensemble", "models": FOUR,
                                         "reconcile": "bottom_up"}),
    ("comb ETS+Theta / mint_shrink", {"selection": "ensemble",
                                      "models": ("SeasonalNaive", "AutoETS", "Theta")}),
    ("comb ETS+Theta / wls_struct", {"selection": "ensemble", "reconcile": "wls_struct",
                                     "models": ("SeasonalNaive", "AutoETS", "Theta")}),
    ("comb ETS+MSTL / mint_shrink", {"selection": "ensemble",
                                     "models": ("SeasonalNaive", "AutoETS", "MSTL")}),
)


def validate(holdout: int, origins: int, first: int = 1, data: str = "ak_al") -> pd.DataFrame:
    """Nested rolling origin: for each configuration, mean MASE over every series and
    ``origins`` windows of ``holdout`` months, all ending BEFORE the held-out months (the
    holdout itself is never read here). The pure kernel on the same series as the ETL load.
    ``first=0``: the held-out window itself (``--score-all``: for the record, after the
    choice, never for choosing)."""
    from dataclasses import replace

    from gcrm.forecast import accuracy as acc
    from gcrm.forecast import hierarchy, predict

    s = _series(data).assign(city="US")
    s["ds"] = pd.to_datetime(s.pop("month") + "-01")
    s = s.rename(columns={"kwh": "y"})
    chains = hierarchy.chains_for(["district", "customer_class"])
    months = sorted(s["ds"].unique())
    cuts = [months[-holdout * (k + 1) - 1] for k in range(first, first + origins)]
    rows = []
    for label, kw in CONFIGS:
        per = []
        t0 = time.perf_counter()
        for cut in cuts:
            train = s[s["ds"] <= cut]
            test = s[(s["ds"] > cut) & (s["ds"] <= cut + pd.DateOffset(months=holdout))]
            opts = replace(predict.Options(horizon=holdout, level=80), **kw)
            res = predict.forecast(train, chains, opts)
            dims = list(res.hierarchy.dims)
            span = pd.date_range(test["ds"].min(), test["ds"].max(), freq="MS")
            actual = predict.series_matrix(test, dims, res.hierarchy, span)
            per.append(acc.score(res, actual).assign(origin=str(cut)[:7]))
        p = pd.concat(per)
        rows.append({"config": label, "mase": p["mase"].mean(),
                     "autoets": p["mase_AutoETS"].mean(),
                     "snaive": p["mase_SeasonalNaive"].mean(),
                     "coverage": p["coverage"].mean(), "seconds": time.perf_counter() - t0})
        print(pd.DataFrame(rows[-1:]).to_string(index=False, header=len(rows) == 1,
                                                float_format=lambda v: f"{v:.3f}"), flush=True)
    out = pd.DataFrame(rows)
    out["ratio_to_autoets"] = out["mase"] / out["autoets"]
    out.attrs["cuts"] = [str(c)[:7] for c in cuts]
    return out


def speed(db: Path) -> tuple[float, float, int]:
    """(seconds for every district x class, seconds for AutoETS alone on the bottom series,
    bottom series)."""
    from statsforecast import StatsForecast
    from statsforecast.models import AutoETS

    from gcrm.forecast import models, queries
    from gcrm.storage import warehouse

    con = warehouse.connect(db, read_only=True)
    t0 = time.perf_counter()
    result = queries.compute(con, "kwh", ["district", "customer_class"], None, 12, 80)
    ours = time.perf_counter() - t0
    bottom = result.history[result.history["unique_id"].isin(result.hierarchy.bottom_ids())]
    t0 = time.perf_counter()
    with models.quiet():
        StatsForecast(models=[AutoETS(season_length=12)], freq="MS").forecast(
            df=bottom, h=12, level=[80])
    peer = time.perf_counter() - t0
    con.close()
    return ours, peer, len(result.hierarchy.bottom_ids())


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench forecast_accuracy")
    ap.add_argument("--holdout", type=int, default=24)
    ap.add_argument("--speed-db", type=Path, default=None,
                    help="warehouse to time (e.g. /tmp/gcrm-bench/c1000000_m36/gcrm.duckdb)")
    ap.add_argument("--validate", type=int, default=0, metavar="ORIGINS",
                    help="compare the configurations on ORIGINS windows before the holdout "
                         "(nested rolling origin) instead of scoring the holdout")
    ap.add_argument("--score-all", action="store_true",
                    help="score every configuration on the holdout (for the record only: the "
                         "default was chosen by --validate before this was run)")
    ap.add_argument("--data", choices=sorted(DATASETS), default="ak_al",
                    help="real data set (bench/data/README.md)")
    args = ap.parse_args(argv)
    if args.validate or args.score_all:
        v = (validate(args.holdout, 1, first=0, data=args.data) if args.score_all
             else validate(args.holdout, args.validate, data=args.data))
        what = ("the HOLDOUT, after the choice (not for choosing)" if args.score_all
                else "the holdout is not read")
        print(f"windows from {', '.join(v.attrs['cuts'])} + {args.holdout} months ({what})")
        print(v.to_string(index=False, float_format=lambda x: f"{x:.3f}"))
        return 0
    s = accuracy(args.holdout, args.data)
    name = args.data.upper().replace("_", "+")
    print(f"EIA-861M {name} x 3 sectors, holdout {args.holdout} months "
          f"({s.attrs['seconds']:.1f} s)")
    print(s.to_string(index=False, float_format=lambda v: f"{v:.3f}"))
    per = s.attrs["series"]
    mase, ets = per["mase"].mean(), per["mase_AutoETS"].mean()
    print(f"all series: MASE {mase:.3f} vs AutoETS {ets:.3f} (ratio {mase / ets:.3f}), "
          f"seasonal naive {per['mase_SeasonalNaive'].mean():.3f}; 80 % coverage "
          f"{per['coverage'].mean():.1%}; coherence gap {s.attrs['gap']:.2e}")
    print("models chosen:", dict(s.attrs["models"]))
    ok = mase <= ets and 0.70 <= per["coverage"].mean() <= 0.90 and s.attrs["gap"] <= 0.005
    if args.speed_db:
        ours, peer, n = speed(args.speed_db)
        print(f"speed: every district x class of {args.speed_db} ({n} bottom series, every "
              f"level): {ours:.1f} s; AutoETS alone on the bottom: {peer:.1f} s "
              f"(ratio {ours / peer:.1f})")
        ok = ok and ours < 60
    return 0 if ok else 1
