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
City = tuple[tuple[str, str], list[tuple[str, str]]]
#: the real data sets (bench/data/README.md): file and its cities (US census regions) of state
#: "districts". ``ak_al`` is the set the previous default was chosen on, ``ar_az`` a later
#: check; ``us12`` (12 states in the four census regions, 2007-2020) the larger set the
#: current default was chosen on, by validation windows before its holdout
DATASETS: dict[str, tuple[Path, list[City]]] = {
    "ak_al": (HERE / "eia861m_ak_al_2005_2020.csv",
              [(("US", "United States (2 states)"), [("AK", "Alaska"), ("AL", "Alabama")])]),
    "ar_az": (HERE / "eia861m_ar_az_2005_2020.csv",
              [(("US", "United States (2 states)"), [("AR", "Arkansas"), ("AZ", "Arizona")])]),
    "us12": (HERE / "eia861m_12states_2007_2020.csv", [
        (("W", "West"), [("CA", "California"), ("CO", "Colorado"), ("WA", "Washington")]),
        (("S", "South"), [("FL", "Florida"), ("GA", "Georgia"), ("TX", "Texas")]),
        (("MW", "Midwest"), [("IL", "Illinois"), ("MI", "Michigan"), ("OH", "Ohio")]),
        (("NE", "Northeast"), [("MA", "Massachusetts"), ("NY", "New York"),
                               ("PA", "Pennsylvania")])]),
}
CLASSES = ("residential", "commercial", "industrial")


def _series(data: str = "ak_al") -> pd.DataFrame:
    """district, customer_class, month (YYYY-MM), kwh and the district's city."""
    path, cities = DATASETS[data]
    raw = pd.read_csv(path)
    gap = (raw[list(CLASSES)].sum(axis=1) - raw["total"]).abs().max()
    if gap > 1:
        raise SystemExit(f"{path.name}: sectors do not add up to the total (gap {gap} MWh)")
    raw["month"] = [f"{y:04d}-{m:02d}" for y, m in zip(raw["year"], raw["month"], strict=True)]
    long = raw.melt(id_vars=["state", "month"], value_vars=list(CLASSES),
                    var_name="customer_class", value_name="kwh")
    city = {d: c[0] for c, ds in cities for d, _ in ds}
    return long.rename(columns={"state": "district"}).assign(
        city=lambda df: df["district"].map(city))


def _load(tmp: Path, data: str = "ak_al") -> Path:
    from etl.aggregates import write_cities
    from etl.pipeline import load

    write_cities(tmp / "input", DATASETS[data][1], _series(data).drop(columns="city"))
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


#: the configurations compared by ``--validate`` (label, options): the selection rule, the
#: candidate models (members of a combination) and the reconciliation method. Decided before
#: scoring: the default is the configuration with the lowest mean validation MASE over every
#: series of every level, window and data set (``--validate 3 --data all``)
ETS, ARIMA, THETA = "AutoETS", "AutoARIMA", "Theta"
ALL = ("SeasonalNaive", ETS, ARIMA, THETA, "AutoTheta", "MSTL")
_RULES: tuple[tuple[str, dict], ...] = (
    ("AutoETS", {"selection": ETS}),
    ("AutoARIMA", {"selection": ARIMA}),
    ("Theta", {"selection": THETA}),
    ("AutoTheta", {"selection": "AutoTheta"}),
    ("MSTL", {"selection": "MSTL"}),
    ("best of ETS/ARIMA/Theta/MSTL", {"selection": "best",
                                      "models": ("SeasonalNaive", ETS, ARIMA, THETA, "MSTL")}),
    ("best of ETS/Theta/MSTL", {"selection": "best",
                                "models": ("SeasonalNaive", ETS, THETA, "MSTL")}),
    ("mean ETS+Theta", {"selection": "ensemble", "models": ("SeasonalNaive", ETS, THETA)}),
    ("mean ETS+MSTL", {"selection": "ensemble", "models": ("SeasonalNaive", ETS, "MSTL")}),
    ("mean ETS+Theta+MSTL", {"selection": "ensemble",
                             "models": ("SeasonalNaive", ETS, THETA, "MSTL")}),
    ("median ETS+Theta+MSTL", {"selection": "median",
                               "models": ("SeasonalNaive", ETS, THETA, "MSTL")}),
    ("mean ETS+ARIMA", {"selection": "ensemble", "models": ("SeasonalNaive", ETS, ARIMA)}),
    ("mean ETS+ARIMA+Theta", {"selection": "ensemble",
                              "models": ("SeasonalNaive", ETS, ARIMA, THETA)}),
    ("median ETS+ARIMA+Theta", {"selection": "median",
                                "models": ("SeasonalNaive", ETS, ARIMA, THETA)}),
    ("mean ETS+ARIMA+Theta+MSTL", {"selection": "ensemble",
                                   "models": ("SeasonalNaive", ETS, ARIMA, THETA, "MSTL")}),
)
CONFIGS: tuple[tuple[str, dict], ...] = tuple(
    (f"{label} / {how}", {**kw, "reconcile": how})
    for label, kw in _RULES for how in ("mint_shrink", "wls_struct", "bottom_up"))


def _windows(data: str, holdout: int, origins: int, first: int):
    """(data set, origin, training part, test part) of each window."""
    s = _series(data)
    s["ds"] = pd.to_datetime(s.pop("month") + "-01")
    s = s.rename(columns={"kwh": "y"})
    months = sorted(s["ds"].unique())
    for k in range(first, first + origins):
        cut = months[-holdout * (k + 1) - 1]
        test = s[(s["ds"] > cut) & (s["ds"] <= cut + pd.DateOffset(months=holdout))]
        yield data, str(cut)[:7], s[s["ds"] <= cut], test


def validate(holdout: int, origins: int, first: int = 1, data: tuple[str, ...] = ("ak_al",),
             run: tuple[str, ...] = ALL) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Nested rolling origin: every configuration scored on every series (every level) of
    ``origins`` windows of ``holdout`` months per data set, all ending BEFORE the held-out
    months (the holdout itself is never read here). The pure kernel on the same series as
    the ETL load; every candidate model runs once per window, the configurations then select,
    combine and reconcile their forecasts. ``first=0``: the held-out window itself
    (``--score-all``: for the record, after the choice, never for choosing). ``run``: the
    models run (AutoARIMA and AutoTheta are slow: ``--models`` leaves them out, and with them
    the configurations that need them). Returns the summary per configuration and the scores
    per series."""
    from dataclasses import replace

    from gcrm.forecast import accuracy as acc
    from gcrm.forecast import hierarchy, predict

    chains = hierarchy.chains_for(["district", "customer_class"])
    base = predict.Options(horizon=holdout, level=80, models=tuple(run), selection="best")
    configs = [(label, kw) for label, kw in CONFIGS
               if set(predict.needed(replace(base, **kw))) <= set(run)]
    per = []
    for d in data:
        for name, cut, train, test in _windows(d, holdout, origins, first):
            t0 = time.perf_counter()
            cands = predict.candidates(train, chains, base)
            span = pd.date_range(test["ds"].min(), test["ds"].max(), freq="MS")
            actual = predict.series_matrix(test, list(cands.hierarchy.dims),
                                           cands.hierarchy, span)
            for label, kw in configs:
                res = predict.finish(cands, replace(base, **kw))
                per.append(acc.score(res, actual, ("SeasonalNaive", ETS, predict.CHOSEN))
                           .assign(config=label, data=name, origin=cut))
            print(f"{name} {cut}: {len(cands.hierarchy.series)} series, "
                  f"{time.perf_counter() - t0:.0f} s", flush=True)
    p = pd.concat(per, ignore_index=True)
    return summarise(p), p


def summarise(p: pd.DataFrame) -> pd.DataFrame:
    """Per configuration (best first): mean MASE of the served forecast and of its
    unreconciled base forecast, coverage, and AutoETS / seasonal naive of the same windows."""
    from gcrm.forecast.predict import CHOSEN

    g = p.groupby("config", sort=False)
    out = g.agg(mase=("mase", "mean"), unreconciled=(f"mase_{CHOSEN}", "mean"),
                coverage=("coverage", "mean")).reset_index()
    ref = p[p["config"] == p["config"].iloc[0]]
    out["autoets"] = ref["mase_AutoETS"].mean()
    out["snaive"] = ref["mase_SeasonalNaive"].mean()
    out["ratio_to_autoets"] = out["mase"] / out["autoets"]
    out.attrs["windows"] = sorted({(d, o) for d, o in zip(p["data"], p["origin"],
                                                            strict=True)})
    return out.sort_values("mase", kind="stable").reset_index(drop=True)


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
    ap.add_argument("--data", choices=[*sorted(DATASETS), "all"], default="us12",
                    help="real data set (bench/data/README.md); 'all' pools them (--validate)")
    ap.add_argument("--save", type=Path, default=None,
                    help="write the per-series validation scores to this CSV")
    ap.add_argument("--models", default=",".join(ALL),
                    help="models run by --validate/--score-all (comma-separated)")
    ap.add_argument("--pool", type=Path, nargs="+", default=None,
                    help="summarise per-series scores saved by --save (e.g. one run per data "
                         "set) pooled, instead of running")
    args = ap.parse_args(argv)
    data = tuple(sorted(DATASETS)) if args.data == "all" else (args.data,)
    if args.validate or args.score_all or args.pool:
        if args.pool:
            per = pd.concat([pd.read_csv(f) for f in args.pool], ignore_index=True)
            v = summarise(per)
        else:
            run = tuple(m.strip() for m in args.models.split(",") if m.strip())
            v, per = (validate(args.holdout, 1, first=0, data=data, run=run)
                      if args.score_all
                      else validate(args.holdout, args.validate, data=data, run=run))
        if args.save:
            per.to_csv(args.save, index=False)
        what = ("the HOLDOUT, after the choice (not for choosing)"
                if set(per["origin"]) & {"2018-12"} else "the holdout is not read")
        print(f"windows {v.attrs['windows']} + {args.holdout} months ({what}); "
              f"{len(per) // per['config'].nunique()} series-windows")
        print(v.to_string(index=False, float_format=lambda x: f"{x:.3f}"))
        return 0
    if args.data == "all":
        ap.error("--data all only with --validate or --score-all")
    s = accuracy(args.holdout, args.data)
    name = args.data.upper().replace("_", "+")  # e.g. AK+AL, US12
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
