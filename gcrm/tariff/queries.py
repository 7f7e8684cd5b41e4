"""Demand-side management over the warehouse: peak/valley profiles, the tariff what-if, the
policy check and campaign lists. Reads with bound parameters, applies the user's region scope
(:func:`gcrm.security.scope.scope_sql`) and calls the pure kernels
(:mod:`gcrm.tariff.response`, :mod:`~gcrm.tariff.policy`, :mod:`~gcrm.tariff.loadshape`).

The same functions serve the CLI (``gcrm tariff ...``) and the page. Method: docs/tariff.md.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from gcrm import config, cube
from gcrm.cube import disclosure
from gcrm.cube.engine import coerce_member
from gcrm.security.scope import scope_sql
from gcrm.tariff import elasticity, loadshape, policy, response
from gcrm.tariff.scenario import Scenario, ScenarioError, load, to_toml
from gcrm.vocab import CUSTOMER_CLASSES

#: dimensions a simulation can be grouped by: the customer's attributes, and the season
SIM_DIMENSIONS = ("city", "district", "customer_class", "segment", "tariff", "big_customer",
                  "feeder", "service_point", "customer", "season")
#: what a profile shows (cube measures), and what is worked out from them
PROFILE_MEASURES = ["customers", "kwh", "peak_kwh", "flat_kwh", "valley_kwh", "peak_share",
                    "valley_share"]
RANK_ORDERS = ("peak_share", "seasonal_swing", "valley_headroom")
TARGET_KINDS = ("invite", "warn")
#: summed per row of a simulation, then per group
_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
_SUMS = ("kwh_before", "kwh_after", "peak_kwh_before", "peak_kwh_after", "valley_kwh_before",
         "valley_kwh_after", "bill_before", "bill_static", "bill_after")


# --------------------------------------------------------------------------- scenarios
def scenario_dir(db: str | Path) -> Path:
    """Where saved scenarios live: setting ``tariff_dir``, else ``tariffs`` beside the
    warehouse file."""
    d = config.get("tariff_dir")
    return Path(d) if d else Path(db).resolve().parent / "tariffs"


def saved_scenarios(db: str | Path) -> list[str]:
    """Names of the saved scenarios, sorted."""
    d = scenario_dir(db)
    return sorted(p.stem for p in d.glob("*.toml")) if d.is_dir() else []


def save_scenario(db: str | Path, s: Scenario) -> Path:
    """Save ``s`` as ``<scenario_dir>/<name>.toml`` (replacing a saved one of that name)."""
    d = scenario_dir(db)
    d.mkdir(parents=True, exist_ok=True)
    path = d / f"{s.name}.toml"
    path.write_text(to_toml(s), encoding="utf-8")
    return path


def resolve_scenario(db: str | Path, ref: str | Path) -> Scenario:
    """A scenario from a file path, or by the name of a saved scenario."""
    p = Path(ref)
    if p.suffix.lower() in (".toml", ".json") or p.exists():
        return load(p)
    saved = scenario_dir(db) / f"{ref}.toml"
    if saved.is_file():
        return load(saved)
    names = saved_scenarios(db)
    raise ScenarioError(f"no scenario file or saved scenario {str(ref)!r}; saved: "
                        f"{', '.join(names) or 'none'}")


def period(con: duckdb.DuckDBPyConnection, month_from: str | None = None,
           month_to: str | None = None) -> tuple[str, str]:
    """The months to work on: ``month_from``..``month_to`` (YYYY-MM), a missing end filled
    from the last 12 months with data."""
    first, last = cube.month_range(con, 12)
    for label, m in (("--from", month_from), ("--to", month_to)):
        if m is not None and not _MONTH.match(m):
            raise ValueError(f"{label} {m!r}: expected a month YYYY-MM")
    m = (month_from or first, month_to or last)
    if m[0] > m[1]:
        raise ValueError(f"--from {m[0]} is after --to {m[1]}")
    return m


# --------------------------------------------------------------------------- profiles
def profiles(con: duckdb.DuckDBPyConnection, by: Sequence[str] = (),
             where: Mapping[str, Sequence] | None = None,
             months: tuple[str, str] | None = None, scope: Sequence[str] | None = None,
             min_cell: int | None = None) -> pd.DataFrame:
    """Peak, flat and valley energy and shares by any cube dimensions (``month`` for the
    trend), from the cube, plus ``flat_share`` and ``valley_headroom``
    (:func:`gcrm.tariff.loadshape.headroom`). Disclosure control as :func:`gcrm.cube.query`.
    """
    m = months or cube.month_range(con, 12)
    df = cube.query(con, PROFILE_MEASURES, by=list(by), where=where, months=m, scope=scope,
                    min_cell=min_cell)
    df["flat_share"] = df["flat_kwh"] / df["kwh"].where(df["kwh"] > 0)
    df["valley_headroom"] = loadshape.headroom(df["peak_kwh"], df["valley_kwh"])
    return df


def rank(con: duckdb.DuckDBPyConnection, by: str = "district", order: str = "peak_share",
         months: tuple[str, str] | None = None, scope: Sequence[str] | None = None,
         min_cell: int | None = None, limit: int | None = None) -> pd.DataFrame:
    """Groups of ``by`` (``customer`` needs read_pii-free access to individuals: the caller
    checks the role) ranked by ``peak_share``, ``seasonal_swing`` or ``valley_headroom``,
    highest first. Small groups are suppressed for ``min_cell`` and listed last."""
    if order not in RANK_ORDERS:
        raise ValueError(f"unknown order {order!r}; valid: {', '.join(RANK_ORDERS)}")
    if by not in cube.DIMENSIONS or by in ("month", "quarter", "year", "channel"):
        raise ValueError(f"cannot rank by {by!r}: use a customer or region dimension")
    if min_cell is not None:
        disclosure.check_request([by], None)
    m = months or cube.month_range(con, 12)
    monthly = cube.query(con, ["kwh"], by=[by, "month"], months=m, scope=scope)
    df = profiles(con, [by], None, m, scope)
    df = df.merge(loadshape.swing(monthly, [by]).reset_index(), on=by, how="left")
    values = [c for c in df.columns if c != by]
    hidden = (disclosure.hide(df, [by], df["customers"], min_cell) if min_cell is not None
              else np.zeros(len(df), dtype=bool))
    df.loc[hidden, values] = np.nan
    out = disclosure.order_hidden_last(df, hidden, [by], f"-{order}", limit)
    out.attrs["suppressed"] = int(hidden.sum())
    return out


# --------------------------------------------------------------------------- simulation
def _dim_expr(d: str) -> str:
    if d == "season":
        return "f.season"
    if d not in SIM_DIMENSIONS:
        raise ValueError(f"dimension {d!r} is not available in a simulation; valid: "
                         f"{', '.join(SIM_DIMENSIONS)}")
    return cube.DIMENSIONS[d].expr


def _where_sql(where: Mapping[str, Sequence] | None) -> tuple[str, list]:
    conds, params = [], []
    for d, values in (where or {}).items():
        if d == "season":
            raise ValueError("--where season= is not supported: group --by season instead")
        expr = _dim_expr(d)
        bad = [v for v in values if d == "customer_class" and v not in CUSTOMER_CLASSES]
        if bad:
            raise ValueError(f"unknown customer class {bad[0]!r}; valid classes: "
                             f"{', '.join(CUSTOMER_CLASSES)}")
        vals = [coerce_member(d, v) for v in values]
        known = [v for v in vals if v is not None]
        alts = [f"{expr} IN ({', '.join('?' for _ in known)})"] if known else []
        alts += [f"{expr} IS NULL"] if len(known) < len(vals) else []  # '' = unlocated
        conds.append(f"({' OR '.join(alts)})")
        params += known
    return " AND ".join(conds) or "TRUE", params


def _covered_sql(s: Scenario) -> tuple[str, list]:
    conds, params = [], []
    for col, values in (("c.customer_class", s.classes), ("c.tariff", s.tariffs)):
        if values:
            conds.append(f"list_contains(?::VARCHAR[], {col})")
            params.append(list(values))
    if s.regions:
        conds.append("(list_contains(?::VARCHAR[], c.city_id) OR "
                     "list_contains(?::VARCHAR[], c.district_id))")
        params += [list(s.regions), list(s.regions)]
    return " AND ".join(conds) or "TRUE", params


def _rows(con, s: Scenario, dims: Sequence[str], months: tuple[str, str], scope,
          where) -> pd.DataFrame:
    """The rows to model: one per covered customer and season (``ckey`` = the customer,
    ``n`` = 0), and the customers the scenario does not cover summed in SQL by ``dims`` (their
    bills do not change: ``ckey`` empty, ``n`` = how many). kWh per period, amount, class and
    tariff codes, ``covered``, the ``dims`` columns."""
    cover, cparams = _covered_sql(s)
    scond, sparams = scope_sql(scope)
    wcond, wparams = _where_sql(where)
    names = [f'"{d}"' for d in dims]
    dim_cols = "".join(f", {_dim_expr(d)} AS {n}" for d, n in zip(dims, names, strict=True))
    keys = [*names, *(["season_idx"] if "season" in dims else [])]
    sql = (
        "WITH f AS (SELECT customer_key, "
        "list_extract(?::INTEGER[], CAST(substr(month, 6, 2) AS INTEGER)) AS season, "
        "sum(coalesce(peak_kwh, 0)) AS peak, sum(coalesce(valley_kwh, 0)) AS valley, "
        "sum(coalesce(flat_kwh, greatest(kwh - coalesce(peak_kwh, 0) - coalesce(valley_kwh, 0),"
        " 0))) AS flat, sum(amount) AS amount FROM fact_consumption "
        "WHERE month BETWEEN ? AND ? AND amount IS NOT NULL GROUP BY ALL), "
        "x AS MATERIALIZED (SELECT c.rowid AS ckey, f.peak, f.flat, f.valley, f.amount, "
        "f.season AS season_idx, list_position(?::VARCHAR[], c.customer_class) AS cls, "
        "coalesce(list_position(?::VARCHAR[], c.tariff), 0) AS trf, "
        f"coalesce({cover}, FALSE) AS covered{dim_cols} FROM f JOIN dim_customer c "
        f"USING (customer_key) WHERE {scond} AND {wcond}) "
        "SELECT ckey, 0 AS n, peak, flat, valley, amount, season_idx, cls, trf, covered"
        f"{''.join(', ' + n for n in names)} FROM x WHERE covered UNION ALL "
        "SELECT NULL, count(DISTINCT ckey), sum(peak), sum(flat), sum(valley), sum(amount), "
        f"{'season_idx' if 'season' in dims else '1'}, 0, 0, FALSE"
        f"{''.join(', ' + n for n in names)} FROM x WHERE NOT covered "
        f"{'GROUP BY ' + ', '.join(keys) if keys else ''} HAVING count(*) > 0")
    season_idx = [i + 1 for i in s.season_of_month()]
    params = [season_idx, *months, list(CUSTOMER_CLASSES), list(elasticity.multipliers()),
              *cparams, *sparams, *wparams]
    df = con.execute(sql, params).df()
    if "season" in dims:
        df["season"] = np.array([x.name for x in s.seasons], dtype=object)[
            df["season_idx"].to_numpy(dtype=int) - 1]
    return df


def _params(df: pd.DataFrame, s: Scenario) -> tuple[np.ndarray, ...]:
    """Per row: current multipliers, new prices, critical shares, elasticities."""
    table = np.array([(1.0, 1.0, 1.0), *elasticity.multipliers().values()])
    mult = table[df["trf"].to_numpy(dtype=int)]
    prices = np.array([(x.peak, x.flat, x.valley, x.critical if x.critical is not None
                        else x.peak) for x in s.seasons])
    shares = np.array([x.critical_share for x in s.seasons])
    si = df["season_idx"].to_numpy(dtype=int)
    cls = df["cls"].fillna(0).to_numpy(dtype=int) - 1  # -1 (an unknown class): no response
    own_c, sub_c = elasticity.own_price(), elasticity.substitution()
    own = np.array([own_c[c] for c in CUSTOMER_CLASSES] + [0.0])[cls]
    sub = np.array([sub_c[c] for c in CUSTOMER_CLASSES] + [0.0])[cls]
    return mult, prices[si - 1], shares[si - 1], own, sub


def simulate_rows(con: duckdb.DuckDBPyConnection, s: Scenario, dims: Sequence[str] = (),
                  months: tuple[str, str] | None = None, scope: Sequence[str] | None = None,
                  where: Mapping[str, Sequence] | None = None) -> pd.DataFrame:
    """The scenario per covered customer and season (``ckey``: the customer) and per group
    of ``dims`` of the customers it does not cover (``n``: how many; see :func:`_rows`):
    ``covered``, the ``dims`` columns and the :data:`_SUMS` columns."""
    m = months or cube.month_range(con, 12)
    df = _rows(con, s, list(dims), m, scope, where)
    mult, p1, shares, own, sub = _params(df, s)
    covered = df["covered"].to_numpy(dtype=bool)
    q0 = response.split_critical(df["peak"].to_numpy(float), df["flat"].to_numpy(float),
                                 df["valley"].to_numpy(float), np.where(covered, shares, 0.0))
    r = response.simulate(q0, df["amount"].to_numpy(float), mult, p1, covered, own, sub)
    out = df[["ckey", "n", "covered", *dims]].copy()
    out["kwh_before"], out["kwh_after"] = q0.sum(axis=1), r.q1.sum(axis=1)
    out["peak_kwh_before"], out["peak_kwh_after"] = r.peak_before, r.peak_after
    out["valley_kwh_before"] = q0[:, response.VALLEY]
    out["valley_kwh_after"] = r.q1[:, response.VALLEY]
    out["bill_before"], out["bill_static"] = r.bill_before, r.bill_static
    out["bill_after"] = r.bill_after
    return out


def _derive(df: pd.DataFrame) -> pd.DataFrame:
    df["peak_change_kwh"] = df["peak_kwh_after"] - df["peak_kwh_before"]
    df["peak_change_share"] = df["peak_change_kwh"] / df["peak_kwh_before"].where(
        df["peak_kwh_before"] > 0)
    df["bill_change_static"] = df["bill_static"] - df["bill_before"]
    df["revenue_change"] = df["bill_after"] - df["bill_before"]
    df["revenue_change_share"] = df["revenue_change"] / df["bill_before"].where(
        df["bill_before"] != 0)
    return df


def aggregate(rows: pd.DataFrame, by: Sequence[str]) -> pd.DataFrame:
    """Sum a :func:`simulate_rows` result by ``by``: ``customers``, ``covered`` (customers
    the scenario applies to), the sums and the changes."""
    by = list(by)
    if by:
        g = rows.groupby(by, dropna=False, sort=True)
        out = g[list(_SUMS)].sum()
        out.insert(0, "covered", g["ckey"].nunique())
        out.insert(0, "customers", out["covered"] + g["n"].sum())
        out = out.reset_index()
    else:
        covered = rows["ckey"].nunique()
        out = pd.DataFrame([{"customers": covered + rows["n"].sum(), "covered": covered,
                             **rows[list(_SUMS)].sum().to_dict()}])
    return _derive(out)


@dataclass
class Simulation:
    """A scenario's result: ``table`` by the asked dimensions (suppressed cells NaN for
    ``min_cell``), ``total`` (one row, never suppressed: the scope's totals) and how many
    rows were suppressed."""

    scenario: Scenario
    months: tuple[str, str]
    table: pd.DataFrame
    total: pd.DataFrame
    suppressed: int = 0


def simulate(con: duckdb.DuckDBPyConnection, s: Scenario, by: Sequence[str] = (),
             months: tuple[str, str] | None = None, scope: Sequence[str] | None = None,
             where: Mapping[str, Sequence] | None = None,
             min_cell: int | None = None) -> Simulation:
    """Bills before, at unchanged behaviour and after the shift, revenue and peak-energy
    change of scenario ``s`` over ``months`` (default: the last 12), by ``by``
    (:data:`SIM_DIMENSIONS`). For ``min_cell`` (a role without read_pii), ``customer`` is
    refused and groups of fewer customers are suppressed with their complements."""
    if min_cell is not None:
        disclosure.check_request(by, where)
    m = months or cube.month_range(con, 12)
    rows = simulate_rows(con, s, by, m, scope, where)
    table, total = aggregate(rows, by), aggregate(rows, [])
    n = 0
    if min_cell is not None:
        values = [c for c in table.columns if c not in by]
        table, n = disclosure.suppress(table, list(by), values, table["customers"], min_cell)
        total, _ = disclosure.suppress(total, [], values, total["customers"], min_cell)
    return Simulation(s, m, table, total, n)


def compare(con: duckdb.DuckDBPyConnection, scenarios: Sequence[Scenario],
            by: Sequence[str] = (), months: tuple[str, str] | None = None,
            scope: Sequence[str] | None = None, where: Mapping[str, Sequence] | None = None,
            min_cell: int | None = None) -> pd.DataFrame:
    """Scenarios side by side: one :func:`simulate` table per scenario, with a first column
    ``scenario``."""
    names = [s.name for s in scenarios]
    if len(set(names)) != len(names):
        raise ValueError("two scenarios share a name: give each scenario a distinct name")
    parts = [simulate(con, s, by, months, scope, where, min_cell).table.assign(scenario=s.name)
             for s in scenarios]
    df = pd.concat(parts, ignore_index=True)
    return df[["scenario", *[c for c in df.columns if c != "scenario"]]]


# --------------------------------------------------------------------------- targets
def targets(con: duckdb.DuckDBPyConnection, s: Scenario, kind: str = "invite",
            months: tuple[str, str] | None = None, scope: Sequence[str] | None = None,
            mask: bool = True, limit: int | None = 100,
            where: Mapping[str, Sequence] | None = None) -> pd.DataFrame:
    """Campaign list of the customers the scenario applies to.

    * ``invite`` (a voluntary tariff): those whose bill falls most at unchanged behaviour
      (``bill_change_static`` < 0, most negative first);
    * ``warn`` (a mandatory tariff): those whose bill rises most even after their expected
      shift (``bill_change`` > 0, largest first).

    ``mask=True`` masks name, phone and address (:func:`gcrm.security.masking.mask_frame`).
    """
    from gcrm.security.masking import mask_frame

    if kind not in TARGET_KINDS:
        raise ValueError(f"unknown target kind {kind!r}; valid: {', '.join(TARGET_KINDS)}")
    rows = simulate_rows(con, s, (), months, scope, where)
    per = rows[rows["covered"]].groupby("ckey")[list(_SUMS)].sum()  # covered: one per ckey
    per["bill_change_static"] = per["bill_static"] - per["bill_before"]
    per["bill_change"] = per["bill_after"] - per["bill_before"]
    per["bill_change_share"] = per["bill_change"] / per["bill_before"].where(
        per["bill_before"] != 0)
    col = "bill_change_static" if kind == "invite" else "bill_change"
    per = per[per[col] < 0] if kind == "invite" else per[per[col] > 0]
    per = per.sort_values([col], ascending=kind == "invite", kind="stable").head(limit)
    people = con.execute(
        "SELECT rowid AS ckey, customer_id, name, customer_class, segment, tariff, district_id, "
        "phone, address FROM dim_customer WHERE rowid IN (SELECT unnest(?::BIGINT[]))",
        [per.index.astype("int64").tolist()]).df()
    keep = ["kwh_before", "peak_kwh_before", "peak_kwh_after", "bill_before", "bill_static",
            "bill_after", "bill_change_static", "bill_change", "bill_change_share"]
    df = people.merge(per[keep], left_on="ckey", right_index=True).drop(columns="ckey")
    df = df.sort_values([col, "customer_id"], ascending=[kind == "invite", True],
                        kind="stable").reset_index(drop=True)
    return mask_frame(df) if mask else df


# --------------------------------------------------------------------------- policy
def check(con: duckdb.DuckDBPyConnection, s: Scenario, by: str = "district",
          months: tuple[str, str] | None = None,
          scope: Sequence[str] | None = None) -> pd.DataFrame:
    """The policy check (:func:`gcrm.tariff.policy.check`) of ``s`` in every area of ``by``
    (``district`` or ``city``) where it applies, over ``months``: the area's estimated
    peak-valley gap (from all its customers' energy), the ratio it requires, the scenario's
    ratio per season and a status."""
    if by not in ("district", "city"):
        raise ValueError(f"check areas by district or city, not {by!r}")
    m = months or cube.month_range(con, 12)
    # the gap is the system's: all the area's customers, not only those the tariff covers
    df = cube.query(con, ["peak_kwh", "valley_kwh"], by=[by], months=m, scope=scope)
    if s.regions:  # the areas the scenario applies to: named, or inside a named city
        inside = {r[0] for r in con.execute(
            "SELECT region_id FROM dim_region WHERE list_contains(?::VARCHAR[], region_id) "
            "OR list_contains(?::VARCHAR[], parent_id)", [list(s.regions)] * 2).fetchall()}
        df = df[df[by].isin(inside)]
    df = df.rename(columns={by: "area"})
    ph, _, vh = elasticity.period_hours()
    out = policy.check(s, df, ph, vh)
    return out.rename(columns={"area": by})
