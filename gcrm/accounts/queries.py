"""Key accounts read from the warehouse and the operational store, as one viewer may see them.

Visibility: a viewer sees the customers of their regions (the single scope helper
:func:`gcrm.security.scope.scope_sql`) **plus their own portfolio** (a manager follows a key
account outside their regions). Lists are masked for roles without ``read_pii``
(:func:`gcrm.security.masking.mask_frame`); the CLI and the page audit them.

Key accounts: big customers, customers in any portfolio and customers on any watchlist.
"""

from __future__ import annotations

import itertools
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import duckdb
import pandas as pd

from gcrm import config
from gcrm.accounts import alert_words
from gcrm.accounts import alerts as rules
from gcrm.accounts import groups as grp
from gcrm.accounts import portfolios as pf
from gcrm.customers import merge as crm_merge
from gcrm.customers.anniversaries import next_anniversary
from gcrm.customers.risk import arrears_of, overdue
from gcrm.security import audit
from gcrm.security.masking import mask_frame
from gcrm.security.scope import scope_sql
from gcrm.storage import warehouse
from gcrm.storage.warehouse import BY_ID
from gcrm.vocab import RELATION_KINDS


class AccountsError(ValueError):
    """A bad request (unknown customer, group or relation): nothing was written."""


@dataclass(frozen=True)
class Viewer:
    """Who is looking: account name (None: the local operator), region scope, PII."""

    name: str | None = None
    scope: tuple[str, ...] | None = None
    show_pii: bool = True

    @classmethod
    def of(cls, principal) -> Viewer:
        if principal is None:
            return cls()
        return cls(principal.name, principal.scope, principal.can("read_pii"))


def thresholds() -> rules.Thresholds:
    """The alert thresholds from the settings (``alert_*``)."""
    get = config.get
    try:
        return rules.Thresholds(
            float(get("alert_drop_pct")), float(get("alert_jump_pct")),
            int(get("alert_arrears_days")), float(get("alert_outage_minutes")),
            int(get("alert_complaint_days")), int(get("alert_anniversary_days")),
            int(get("alert_contract_days")))
    except ValueError as exc:
        raise AccountsError(f"an alert_* setting is not a number: {exc}") from None


# ------------------------------------------------------------------------ visibility
def _visible(viewer: Viewer, store: sqlite3.Connection | None) -> tuple[str, list]:
    """SQL condition over ``c`` (dim_customer): in the viewer's regions or portfolio."""
    where, params = scope_sql(viewer.scope)
    if viewer.scope is None or viewer.name is None or store is None:
        return where, params
    own = pf.portfolio_ids(store, viewer.name)
    return f"({where} OR c.customer_id IN (SELECT unnest(?::VARCHAR[])))", [*params, own]


def visible(con: duckdb.DuckDBPyConnection, store: sqlite3.Connection | None, viewer: Viewer,
            ids: Sequence[str]) -> list[str]:
    """The ids among ``ids`` that exist and that ``viewer`` may see."""
    where, params = _visible(viewer, store)
    return [r[0] for r in con.execute(
        f"SELECT c.customer_id FROM dim_customer c WHERE c.customer_id IN "
        f"(SELECT unnest(?::VARCHAR[])) AND {where} ORDER BY 1", [list(ids), *params]).fetchall()]


def key_accounts(con: duckdb.DuckDBPyConnection, store: sqlite3.Connection,
                 viewer: Viewer, mine_only: bool = False) -> list[str]:
    """Key accounts the viewer follows: their portfolio and watchlist, plus (unless
    ``mine_only``) every key account in their regions; for the local operator, all."""
    watched = pf.managed_ids(store) + pf.watchlist(store)
    own = (pf.portfolio_ids(store, viewer.name) + pf.watchlist(store, viewer.name)
           if viewer.name else [])
    if mine_only:
        return visible(con, store, viewer, own)
    where, params = scope_sql(viewer.scope)
    region = [r[0] for r in con.execute(
        f"SELECT c.customer_id FROM dim_customer c WHERE (c.big_customer OR c.customer_id IN "
        f"(SELECT unnest(?::VARCHAR[]))) AND {where}", [watched, *params]).fetchall()]
    return visible(con, store, viewer, sorted({*own, *region}))


def latest_month(con: duckdb.DuckDBPyConnection) -> str | None:
    return con.execute("SELECT max(month) FROM fact_consumption").fetchone()[0]


def months_with_data(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Months with consumption, oldest first."""
    return [r[0] for r in con.execute(
        "SELECT DISTINCT month FROM fact_consumption ORDER BY 1").fetchall()]


def _month_end(month: str) -> date:
    return pd.Period(month, "M").end_time.date()


def _arrears_date(month: str | None) -> date:
    """The day arrears are counted on for ``month``: its last day, or today if sooner (or
    without a month)."""
    return min(_month_end(month), date.today()) if month else date.today()


def _ids_param(ids: Sequence[str]) -> list:
    return [list(ids)]


# ------------------------------------------------------------------------ alerts
def alert_inputs(con: duckdb.DuckDBPyConnection, store: sqlite3.Connection | None,
                 ids: Sequence[str], month: str, as_of: date) -> dict[str, pd.DataFrame]:
    """The facts the alert rules read, for the customers ``ids``."""
    inn = "customer_id IN (SELECT unnest(?::VARCHAR[]))"
    last_year = str(pd.Period(month, "M") - 12)
    p = _ids_param(ids)
    cons = con.execute(f"SELECT customer_id, month, kwh, amount FROM "
                       f"{BY_ID['fact_consumption']} WHERE {inn} AND month <= ?",
                       [*p, month]).df()
    pays = con.execute(f"SELECT customer_id, paid_at, amount FROM {BY_ID['fact_payment']} "
                       f"WHERE {inn} "
                       "AND CAST(paid_at AS DATE) <= ?", [*p, as_of]).df()
    hits = con.execute(f"""
        SELECT c.customer_id, o.outage_id, o.start_at, o.duration_min, o.planned
        FROM fact_outage o JOIN dim_customer c ON c.feeder_id = o.feeder_id
        WHERE c.{inn} AND strftime(o.start_at, '%Y-%m') = ?
          AND (c.opened_on IS NULL OR o.start_at >= c.opened_on)""", [*p, month]).df()
    comp = con.execute(f"SELECT customer_id, opened_at, status, closed_at FROM fact_service "
                       f"WHERE kind = 'complaint' AND {inn}", p).df()
    if store is not None:
        own = pd.read_sql_query(
            "SELECT customer_id, occurred_at AS opened_at, status, "
            "CASE WHEN status IN ('resolved', 'closed') THEN coalesce(resolved_at, updated_at) "
            "END AS closed_at FROM crm_records WHERE kind = 'complaint'", store)
        own = own[own["customer_id"].isin(set(ids))]
        comp = pd.concat([comp, own.astype({"opened_at": "datetime64[ns]"})],
                         ignore_index=True) if len(own) else comp
    opened = con.execute(f"SELECT customer_id, opened_on FROM dim_customer WHERE {inn} "
                         "AND opened_on IS NOT NULL", p).df()
    opened["anniversary"] = [next_anniversary(pd.Timestamp(o).date(), as_of)
                             for o in opened["opened_on"]]
    ends = con.execute(f"SELECT customer_id, json_extract_string(attrs, '$.contract_end') AS "
                       f"contract_end FROM dim_customer WHERE {inn} AND json_extract_string("
                       "attrs, '$.contract_end') IS NOT NULL", p).df()
    return {"cons": cons[cons["month"].isin([month, last_year])], "bills": cons, "ends": ends,
            "payments": pays, "hits": hits, "complaints": comp,
            "opened": opened}


def compute_alerts(con: duckdb.DuckDBPyConnection, store: sqlite3.Connection | None,
                   ids: Sequence[str], month: str, as_of: date | None = None,
                   th: rules.Thresholds | None = None) -> pd.DataFrame:
    """Every alert of ``month`` for the customers ``ids`` (no words, no names)."""
    th = th or thresholds()
    as_of = as_of or _month_end(month)
    x = alert_inputs(con, store, ids, month, as_of)
    return rules.combine([
        rules.consumption(x["cons"], month, th),
        rules.arrears(x["bills"], x["payments"], as_of, th),
        rules.outages(x["hits"], month, th), rules.complaints(x["complaints"], as_of, th),
        rules.anniversaries(x["opened"], as_of, th), rules.contracts(x["ends"], as_of, th)])


ALERT_COLUMNS = ("customer_id", "name", "kind", "month", "date", "value", "threshold",
                 "reason", "key", "state")


def alerts(con: duckdb.DuckDBPyConnection, store: sqlite3.Connection, viewer: Viewer,
           month: str | None = None, lang: str = "en", as_of: date | None = None,
           mine_only: bool = False, include_handled: bool = True) -> pd.DataFrame:
    """The alerts list of the viewer's key accounts (contract ``gcrm alerts``), in words,
    with the viewer's ``state`` of each (acknowledged, snoozed or empty), masked as the viewer
    may see it."""
    month = month or latest_month(con)
    if month is None:
        return pd.DataFrame(columns=list(ALERT_COLUMNS))
    ids = key_accounts(con, store, viewer, mine_only)
    df = alert_words.explain(compute_alerts(con, store, ids, month, as_of), lang)
    names = con.execute("SELECT customer_id, name, customer_class FROM dim_customer WHERE "
                        "customer_id IN (SELECT unnest(?::VARCHAR[]))", [ids]).df()
    df = df.merge(names, on="customer_id", how="left")
    df["state"] = pf.alert_states(store, viewer.name or "", df["key"], as_of or date.today())
    if not include_handled:
        df = df[df["state"].isna()]
    if not viewer.show_pii:
        df = mask_frame(df)
    return df[list(ALERT_COLUMNS)].reset_index(drop=True)


# ------------------------------------------------------------------------ portfolio view
def portfolio_view(con: duckdb.DuckDBPyConnection, store: sqlite3.Connection, viewer: Viewer,
                   manager: str | None = None, month: str | None = None,
                   as_of: date | None = None) -> pd.DataFrame:
    """A manager's portfolio (default: the viewer's) as the viewer may see it (scope, masking):
    location, the month's kWh, arrears on ``as_of`` (default: the month's end, or today if
    sooner), open complaints, the last visit and what changed since it."""
    manager = manager or viewer.name
    ids = visible(con, store, viewer, pf.portfolio_ids(store, manager) if manager else [])
    month = month or latest_month(con)
    p = _ids_param(ids)
    df = con.execute("""
        SELECT c.customer_id, c.name, c.customer_class, c.district_id, c.lon, c.lat,
               (SELECT sum(kwh) FROM fact_consumption f WHERE f.customer_key = c.customer_key
                AND f.month = ?) AS kwh
        FROM dim_customer c WHERE c.customer_id IN (SELECT unnest(?::VARCHAR[]))
        ORDER BY c.customer_id""", [month, *p]).df()
    as_of = as_of or _arrears_date(month)
    df["arrears"] = df["customer_id"].map(arrears(con, ids, as_of)).fillna(0.0).round(2)
    df = _since_last_visit(con, store, df)
    return df if viewer.show_pii else mask_frame(df)


def arrears(con: duckdb.DuckDBPyConnection, ids: Sequence[str], as_of: date) -> pd.Series:
    """customer_id -> arrears on ``as_of`` as :func:`gcrm.customers.risk.arrears_of` defines
    them: what is outstanding on bills past their due date, payments up to the end of
    ``as_of`` settling the oldest bills first; customers owing nothing overdue are absent."""
    inn = "customer_id IN (SELECT unnest(?::VARCHAR[]))"
    bills = con.execute(f"SELECT customer_id, month, sum(amount) AS amount FROM "
                        f"{BY_ID['fact_consumption']} WHERE {inn} GROUP BY 1, 2",
                        _ids_param(ids)).df()
    pays = con.execute(f"SELECT customer_id, paid_at, amount FROM {BY_ID['fact_payment']} "
                       f"WHERE {inn}", _ids_param(ids)).df()
    end = pd.Timestamp(as_of) + pd.Timedelta(days=1) - pd.Timedelta(microseconds=1)
    owed = arrears_of(overdue(bills, pays, end))["overdue_amount"]
    return owed[owed > 0]


def _since_last_visit(con: duckdb.DuckDBPyConnection, store: sqlite3.Connection,
                      df: pd.DataFrame) -> pd.DataFrame:
    """Open complaints, the last visit, and complaints and outages since that visit."""
    recs = pd.read_sql_query("SELECT customer_id, kind, status, occurred_at FROM crm_records",
                             store)
    recs = recs[recs["customer_id"].isin(set(df["customer_id"]))]
    loaded = con.execute("SELECT customer_id, kind, status, opened_at AS occurred_at FROM "
                         "fact_service WHERE customer_id IN (SELECT unnest(?::VARCHAR[]))",
                         [list(df["customer_id"])]).df()
    recs = recs.astype({"occurred_at": "datetime64[ns]"})
    allrec = pd.concat([p for p in (loaded, recs) if len(p)], ignore_index=True) if len(
        loaded) or len(recs) else loaded
    allrec["occurred_at"] = pd.to_datetime(allrec["occurred_at"])
    visits = allrec[allrec["kind"] == "visit"].groupby("customer_id")["occurred_at"].max()
    df["last_visit"] = df["customer_id"].map(visits)
    comp = allrec[allrec["kind"] == "complaint"]
    openc = comp[comp["status"].isin(rules.OPEN_STATUSES)].groupby("customer_id").size()
    df["open_complaints"] = df["customer_id"].map(openc).fillna(0).astype(int)
    since = comp.merge(df[["customer_id", "last_visit"]], on="customer_id")
    since = since[since["last_visit"].isna() | (since["occurred_at"] > since["last_visit"])]
    df["complaints_since_visit"] = df["customer_id"].map(
        since.groupby("customer_id").size()).fillna(0).astype(int)
    outs = con.execute("""SELECT c.customer_id, o.start_at FROM fact_outage o
        JOIN dim_customer c ON c.feeder_id = o.feeder_id
        WHERE c.customer_id IN (SELECT unnest(?::VARCHAR[]))""",
                       [list(df["customer_id"])]).df()
    outs = outs.merge(df[["customer_id", "last_visit"]], on="customer_id")
    outs = outs[outs["last_visit"].isna() | (outs["start_at"] > outs["last_visit"])]
    df["outages_since_visit"] = df["customer_id"].map(
        outs.groupby("customer_id").size()).fillna(0).astype(int)
    return df


def changes_since(con: duckdb.DuckDBPyConnection, store: sqlite3.Connection, viewer: Viewer,
                  manager: str, since: str) -> dict:
    """What changed for ``manager``'s portfolio since ``since`` (ISO timestamp, e.g. their last
    visit of the home view): customers handed to them and away, complaints received (loaded or
    entered) and outages on their customers' feeders."""
    rows = store.execute("SELECT customer_id, from_manager, to_manager FROM acct_handovers "
                         "WHERE at > ? AND (from_manager = ? OR to_manager = ?)",
                         (since, manager, manager)).fetchall()
    handed_in = sorted({r[0] for r in rows if r[2] == manager})
    handed_out = sorted({r[0] for r in rows if r[1] == manager and r[2] != manager})
    ids = visible(con, store, viewer, pf.portfolio_ids(store, manager))
    p = [ids, pd.Timestamp(since).to_pydatetime()]
    loaded = con.execute("SELECT count(*) FROM fact_service WHERE kind = 'complaint' AND "
                         "customer_id IN (SELECT unnest(?::VARCHAR[])) AND opened_at > ?",
                         p).fetchone()[0]
    own = store.execute("SELECT customer_id FROM crm_records WHERE kind = 'complaint' AND "
                        "occurred_at > ?", (since,)).fetchall()
    outages = con.execute("""SELECT count(DISTINCT o.outage_id) FROM fact_outage o
        JOIN dim_customer c ON c.feeder_id = o.feeder_id
        WHERE c.customer_id IN (SELECT unnest(?::VARCHAR[])) AND o.start_at > ?""",
                          p).fetchone()[0]
    return {"since": since, "handed_in": handed_in, "handed_out": handed_out,
            "complaints": int(loaded) + sum(r[0] in set(ids) for r in own),
            "outages": int(outages)}


# ------------------------------------------------------------------------ relations, groups
def relations(con: duckdb.DuckDBPyConnection, store: sqlite3.Connection | None) -> pd.DataFrame:
    """Every relation in force: loaded (relations.csv) with the card's edits applied."""
    if warehouse.has_tables(con, warehouse.ACCOUNTS_TABLES):
        loaded = con.execute("SELECT customer_id, related_id, kind FROM dim_relation "
                             "ORDER BY customer_id, related_id, kind").df()  # a stable order
    else:  # a warehouse loaded before key accounts: no relations.csv yet
        loaded = pd.DataFrame({c: pd.Series(dtype=str)
                               for c in ("customer_id", "related_id", "kind")})
    edits = None if store is None else pd.read_sql_query(
        "SELECT customer_id, related_id, kind, action FROM acct_relation_edits "
        "ORDER BY edit_id", store)
    return grp.apply_edits(loaded, edits)


def group_of(con: duckdb.DuckDBPyConnection, store: sqlite3.Connection | None,
             customer_id: str) -> str | None:
    return grp.group_of(relations(con, store)).get(customer_id)


def group_members(con: duckdb.DuckDBPyConnection, store: sqlite3.Connection | None,
                  group_id: str) -> list[str]:
    groups = grp.group_of(relations(con, store))
    return sorted(c for c, g in groups.items() if g == group_id)


def groups_list(con: duckdb.DuckDBPyConnection, store: sqlite3.Connection | None,
                viewer: Viewer) -> pd.DataFrame:
    """``group_id``, head ``name``, ``members`` (all) and ``visible`` (the viewer's)."""
    groups = grp.group_of(relations(con, store))
    df = pd.DataFrame({"customer_id": list(groups), "group_id": list(groups.values())})
    if df.empty:
        return pd.DataFrame(columns=["group_id", "name", "members", "visible"])
    seen = set(visible(con, store, viewer, list(df["customer_id"])))
    df["seen"] = df["customer_id"].isin(seen)
    out = df.groupby("group_id").agg(members=("customer_id", "size"), visible=("seen", "sum"))
    out = out[out["visible"] > 0].reset_index()
    names = con.execute("SELECT customer_id AS group_id, name, customer_class FROM dim_customer "
                        "WHERE customer_id IN (SELECT unnest(?::VARCHAR[]))",
                        [list(out["group_id"])]).df()
    out = out.merge(names, on="group_id", how="left")
    out = out if viewer.show_pii else mask_frame(out)
    return out[["group_id", "name", "members", "visible"]].sort_values("group_id",
                                                                     ignore_index=True)


GROUP_MEASURES = ("kwh", "amount", "paid", "balance", "arrears", "outages", "outage_minutes")


def group_view(con: duckdb.DuckDBPyConnection, store: sqlite3.Connection | None,
               viewer: Viewer, group_id: str, months: tuple[str, str] | None = None
               ) -> pd.DataFrame:
    """One row per member the viewer may see (consumption, billing, payments, outages on its
    feeder over ``months``, default all; ``balance``: billed minus paid over those months,
    negative when payments settled earlier bills; ``arrears``: bills past their due date at
    the end of the last month, or today if sooner, as in the portfolio and on the card,
    :func:`arrears`) and a last ``TOTAL`` row that is their sum. Raises
    :class:`AccountsError` for an unknown group."""
    members = visible(con, store, viewer, group_members(con, store, group_id))
    if not members:
        raise AccountsError(f"unknown customer group {group_id!r}")
    lo, hi = months or ("0000-00", "9999-99")
    df = con.execute("""
        SELECT c.customer_id, c.name, c.customer_class, c.district_id, c.lon, c.lat,
          coalesce((SELECT sum(kwh) FROM fact_consumption f
                    WHERE f.customer_key = c.customer_key AND f.month BETWEEN ? AND ?), 0)
                    AS kwh,
          coalesce((SELECT sum(amount) FROM fact_consumption f
                    WHERE f.customer_key = c.customer_key AND f.month BETWEEN ? AND ?), 0)
                    AS amount,
          coalesce((SELECT sum(amount) FROM fact_payment p WHERE p.customer_key = c.customer_key
                    AND p.month BETWEEN ? AND ?), 0) AS paid,
          (SELECT count(*) FROM fact_outage o WHERE o.feeder_id = c.feeder_id
                    AND strftime(o.start_at, '%Y-%m') BETWEEN ? AND ?) AS outages,
          coalesce((SELECT sum(duration_min) FROM fact_outage o WHERE o.feeder_id = c.feeder_id
                    AND strftime(o.start_at, '%Y-%m') BETWEEN ? AND ?), 0) AS outage_minutes
        FROM dim_customer c WHERE c.customer_id IN (SELECT unnest(?::VARCHAR[]))
        ORDER BY c.customer_id""", [lo, hi] * 5 + [members]).df()
    df["balance"] = (df["amount"] - df["paid"]).round(2)
    last = latest_month(con) if hi == "9999-99" else hi
    df["arrears"] = df["customer_id"].map(
        arrears(con, members, _arrears_date(last))).fillna(0.0).round(2)
    df["role"] = ["head" if c == group_id else "member" for c in df["customer_id"]]
    total = {"customer_id": "TOTAL", **{m: df[m].sum() for m in GROUP_MEASURES}}
    df = pd.concat([df, pd.DataFrame([total])], ignore_index=True)
    df[["balance", "arrears"]] = df[["balance", "arrears"]].round(2)
    return df if viewer.show_pii else mask_frame(df)


def customer_relations(con: duckdb.DuckDBPyConnection, store: sqlite3.Connection | None,
                       viewer: Viewer, customer_id: str) -> pd.DataFrame:
    """The relations of one customer either way (``direction`` out/in), with the other
    customer's name, limited to customers the viewer may see."""
    rel = relations(con, store)
    out = rel[rel["customer_id"] == customer_id].rename(columns={"related_id": "other"})
    inn = rel[rel["related_id"] == customer_id].rename(columns={"customer_id": "other"})
    df = pd.concat([out.assign(direction="out")[["other", "kind", "direction", "source"]],
                    inn.assign(direction="in")[["other", "kind", "direction", "source"]]],
                   ignore_index=True)
    ok = set(visible(con, store, viewer, list(df["other"])))
    df = df[df["other"].isin(ok)]
    names = con.execute("SELECT customer_id AS other, name, customer_class FROM dim_customer "
                        "WHERE customer_id IN (SELECT unnest(?::VARCHAR[]))",
                        [list(df["other"])]).df()
    df = df.merge(names, on="other", how="left")
    df = df if viewer.show_pii else mask_frame(df)
    return df[["other", "name", "kind", "direction", "source"]].reset_index(drop=True)


def edit_relation(con: duckdb.DuckDBPyConnection, store: sqlite3.Connection, viewer: Viewer,
                  customer_id: str, related_id: str, kind: str, action: str, user: str,
                  now: str | None = None) -> None:
    """Add or remove a relation from the card (kept in the store; audited)."""
    if kind not in RELATION_KINDS:
        raise AccountsError(f"unknown relation kind {kind!r}; expected one of "
                            f"{', '.join(RELATION_KINDS)}")
    if action not in ("add", "remove"):
        raise AccountsError(f"unknown action {action!r}: add or remove")
    if customer_id == related_id:
        raise AccountsError("a customer cannot be related to itself")
    for cid in (customer_id, related_id):
        if not visible(con, store, viewer, [cid]):
            raise AccountsError(f"unknown customer {cid!r}")
    ts = now or pd.Timestamp.now("UTC").tz_localize(None).isoformat(timespec="seconds")
    store.execute("INSERT INTO acct_relation_edits (customer_id, related_id, kind, action, at, "
                  "by_user) VALUES (?, ?, ?, ?, ?, ?)",
                  (customer_id, related_id, kind, action, ts, user))
    audit.record(store, user, "accounts.relation_edit", customer_id, related_id=related_id,
                 kind=kind, edit=action)


# ------------------------------------------------------------------------ the card
def card_accounts(con: duckdb.DuckDBPyConnection, store: sqlite3.Connection, viewer: Viewer,
                  customer_id: str) -> dict:
    """What the customer card shows of key accounts: manager, handover history (including
    customers merged into this one), group and relations."""
    merged = crm_merge.merged_ids(store, customer_id)
    group = group_of(con, store, customer_id)
    return {"manager": pf.manager_of(store, customer_id),
            "handovers": pf.handovers(store, customer_id, merged),
            "group": group,
            "group_size": len(group_members(con, store, group)) if group else 0,
            "relations": customer_relations(con, store, viewer, customer_id)}


def reassign(con: duckdb.DuckDBPyConnection, store: sqlite3.Connection, viewer: Viewer,
             customer_ids: Sequence[str], manager: str | None, *, user: str,
             reason: str | None) -> list[pf.Handover]:
    """Assign customers the viewer may see to ``manager`` (None: release them)."""
    ids = [c.strip() for c in customer_ids if c and c.strip()]
    ok = set(visible(con, store, viewer, ids))
    if missing := [c for c in ids if c not in ok]:
        raise AccountsError(f"unknown customer(s): {', '.join(missing[:5])}"
                            + (" ..." if len(missing) > 5 else ""))
    return pf.assign(store, ids, manager, user=user, reason=reason)


def area_of(text: str):
    """The (multi)polygon of GeoJSON ``text`` (a geometry, a Feature or a FeatureCollection,
    WGS-84); AccountsError when it holds none."""
    import json

    import shapely
    from shapely.geometry import shape

    try:
        data = json.loads(text)
        feats = data.get("features") or [data]
        area = shapely.union_all([shape(f.get("geometry", f)) for f in feats])
    except (ValueError, KeyError, AttributeError, TypeError) as exc:
        raise AccountsError(f"not a GeoJSON polygon ({exc})") from None
    if area.is_empty or area.geom_type not in ("Polygon", "MultiPolygon"):
        raise AccountsError("not a GeoJSON polygon")
    return area


def customers_in_area(con: duckdb.DuckDBPyConnection, store: sqlite3.Connection | None,
                      viewer: Viewer, polygon, big_only: bool = False) -> list[str]:
    """Customers the viewer may see inside ``polygon`` (a shapely geometry, WGS-84)."""
    import shapely

    where, params = _visible(viewer, store)
    big = " AND c.big_customer" if big_only else ""
    minx, miny, maxx, maxy = polygon.bounds
    df = con.execute(f"SELECT c.customer_id, c.lon, c.lat FROM dim_customer c WHERE "
                     f"c.lon BETWEEN ? AND ? AND c.lat BETWEEN ? AND ?{big} AND {where}",
                     [minx, maxx, miny, maxy, *params]).df()
    inside = shapely.contains_xy(polygon, df["lon"].to_numpy(), df["lat"].to_numpy())
    return sorted(df.loc[inside, "customer_id"])


def customer_points(con: duckdb.DuckDBPyConnection, store: sqlite3.Connection | None,
                    viewer: Viewer) -> pd.DataFrame:
    """Where the customers the viewer may see are (customer_id, lon, lat, big_customer): the
    points of the map an area is drawn on; no names (nothing personal)."""
    where, params = _visible(viewer, store)
    return con.execute(f"SELECT c.customer_id, c.lon, c.lat, c.big_customer FROM dim_customer c "
                       f"WHERE c.lon IS NOT NULL AND c.lat IS NOT NULL AND {where} "
                       f"ORDER BY c.customer_id", params).df()


# ------------------------------------------------------------------------ visits
def visit_defaults(con: duckdb.DuckDBPyConnection, viewer: Viewer, ids: Sequence[str],
                   polygon=None, most: int = 6) -> tuple[list[str], tuple[float, float] | None]:
    """What a day's visit plan starts from: the first ``most`` of ``ids`` (in their order)
    located in the viewer's regions (their portfolio may reach beyond them) and, given a
    ``polygon`` (shapely, WGS-84), inside it; and the middle of those (mean lon, lat) as the
    start, or None when none is left."""
    import shapely

    where, params = scope_sql(viewer.scope)
    df = con.execute(f"SELECT customer_id, lon, lat FROM dim_customer c WHERE customer_id IN "
                     f"(SELECT unnest(?::VARCHAR[])) AND lon IS NOT NULL AND lat IS NOT NULL "
                     f"AND {where}", [list(ids), *params]).df()
    if polygon is not None and len(df):
        df = df[shapely.contains_xy(polygon, df["lon"].to_numpy(), df["lat"].to_numpy())]
    df = df.set_index("customer_id")
    keep = [c for c in dict.fromkeys(ids) if c in df.index][:most]
    if not keep:
        return [], None
    where_ = df.loc[keep]
    return keep, (round(float(where_["lon"].mean()), 5), round(float(where_["lat"].mean()), 5))


def _clock(text: str) -> float:
    """``HH:MM`` -> seconds after midnight (ValueError names the bad value)."""
    try:
        h, m = (int(x) for x in text.strip().split(":"))
        if not (0 <= h < 24 and 0 <= m < 60):
            raise ValueError
    except ValueError:
        raise AccountsError(f"malformed time {text!r}: expected HH:MM") from None
    return h * 3600.0 + m * 60.0


def plan_visits(con: duckdb.DuckDBPyConnection, store: sqlite3.Connection | None,
                viewer: Viewer, ids: Sequence[str], start: tuple[float, float],
                day_start: str = "08:30", windows: dict[str, str] | None = None,
                graph=None) -> tuple[pd.DataFrame, dict]:
    """An optimised visiting order of ``ids`` for one day from ``start`` (lon, lat) and back.

    ``windows``: customer id -> ``"HH:MM-HH:MM"``; ``graph``: a road network
    (:func:`gcrm.tradearea.network.graph_from_pbf`) or None for straight lines at the
    ``visit_speed_kmh`` setting. Returns (stops in order with arrival and departure times,
    summary: travel minutes, km in a straight line, method, dropped customers, unlocated)."""
    from gcrm.spatial import routing

    ok = visible(con, store, viewer, ids)
    if missing := [c for c in ids if c not in set(ok)]:
        raise AccountsError(f"unknown customer(s): {', '.join(missing[:5])}")
    pts = con.execute("SELECT customer_id, name, customer_class, lon, lat FROM dim_customer "
                      "WHERE customer_id IN (SELECT unnest(?::VARCHAR[]))", [list(ok)]).df()
    pts = pts.set_index("customer_id").loc[[c for c in dict.fromkeys(ids)]].reset_index()
    unlocated = list(pts.loc[pts["lon"].isna() | pts["lat"].isna(), "customer_id"])
    pts = pts.dropna(subset=["lon", "lat"]).reset_index(drop=True)
    t0 = _clock(day_start)
    wins: list = [None]
    for cid in pts["customer_id"]:
        w = (windows or {}).get(cid)
        if w:
            lo, _, hi = w.partition("-")
            wins.append((max(_clock(lo) - t0, 0.0), max(_clock(hi) - t0, 0.0)))
        else:
            wins.append(None)
    lon, lat = [start[0], *pts["lon"]], [start[1], *pts["lat"]]
    try:
        minutes, speed = float(config.get("visit_minutes")), float(config.get("visit_speed_kmh"))
    except ValueError:
        raise AccountsError("settings visit_minutes and visit_speed_kmh must be numbers") \
            from None
    matrix = (routing.network_matrix(graph, lon, lat) if graph is not None
              else routing.straight_matrix(lon, lat, speed))
    p = routing.plan(matrix, minutes * 60, wins)
    stops, summary = _stops(pts, p, t0, minutes, lon, lat, graph is not None, unlocated)
    return (stops if viewer.show_pii else mask_frame(stops)), summary


def _stops(pts: pd.DataFrame, p, t0: float, minutes: float, lon: list, lat: list,
           roads: bool, unlocated: list[str]) -> tuple[pd.DataFrame, dict]:
    from gcrm.tradearea.geometry import haversine_km

    def hhmm(s: float) -> str:
        s = round(t0 + s)
        return f"{s // 3600 % 24:02d}:{s % 3600 // 60:02d}"

    rows = [pts.iloc[i - 1].to_dict() | {"seq": k + 1, "arrive": hhmm(a),
                                        "leave": hhmm(a + minutes * 60)}
            for k, (i, a) in enumerate(zip(p.order, p.arrive_s, strict=True))]
    stops = pd.DataFrame(rows, columns=["seq", "customer_id", "name", "customer_class", "lon",
                                        "lat", "arrive", "leave"])
    path = [0, *p.order, 0]
    km = float(sum(haversine_km(lon[a], lat[a], lon[b], lat[b])
                   for a, b in itertools.pairwise(path)))
    summary = {"travel_min": round(p.travel_s / 60, 1), "straight_km": round(km, 2),
               "method": "roads" if roads else "straight_line", "solver": p.solver,
               "dropped": [str(pts.iloc[i - 1]["customer_id"]) for i in p.dropped],
               "unlocated": unlocated}
    return stops, summary


def record_visit(con: duckdb.DuckDBPyConnection, store: sqlite3.Connection, viewer: Viewer,
                 customer_id: str, when, user: str, topic: str | None = None,
                 note: str | None = None, score: int | None = None,
                 comment: str | None = None) -> int:
    """Record a visit (a service record, :mod:`gcrm.customers.records`) and, when given, the
    customer's opinion on it (satisfaction 1-5 and a comment); returns the record id."""
    from gcrm.customers import records

    if score is not None and not 1 <= int(score) <= 5:
        raise AccountsError(f"a satisfaction score is 1 to 5 (got {score})")
    rid = records.create(store, records.NewRecord(customer_id, "visit", when, topic, note),
                         user, lambda c: bool(visible(con, store, viewer, [c])))
    if score is not None:
        add_opinion(store, customer_id, int(score), user, record_id=rid, topic=topic,
                    comment=comment)
    return rid


def add_opinion(store: sqlite3.Connection, customer_id: str, score: int, user: str, *,
                record_id: int | None = None, topic: str | None = None,
                comment: str | None = None) -> None:
    """Keep a customer's opinion (satisfaction 1-5, comment) on a visit or complaint."""
    if not 1 <= score <= 5:
        raise AccountsError(f"a satisfaction score is 1 to 5 (got {score})")
    ts = pd.Timestamp.now("UTC").tz_localize(None).isoformat(timespec="seconds")
    store.execute("INSERT INTO acct_opinions (customer_id, record_id, score, topic, comment, "
                  "at, by_user) VALUES (?, ?, ?, ?, ?, ?, ?)",
                  (customer_id, record_id, score, topic, comment, ts, user))
    audit.record(store, user, "accounts.opinion", customer_id, score=score, record_id=record_id)


OPINION_BY = ("manager", "district", "topic")


def opinions(con: duckdb.DuckDBPyConnection, store: sqlite3.Connection, viewer: Viewer,
             by: str = "manager") -> pd.DataFrame:
    """Satisfaction by ``manager`` (the customer's current one), ``district`` or ``topic``:
    opinions, mean score, share of scores 4-5 (satisfied) and 1-2 (dissatisfied)."""
    if by not in OPINION_BY:
        raise AccountsError(f"cannot group opinions by {by!r}; expected one of "
                            f"{', '.join(OPINION_BY)}")
    op = pd.read_sql_query("SELECT o.*, p.manager FROM acct_opinions o LEFT JOIN "
                           "acct_portfolio p USING (customer_id)", store)
    op = op[op["customer_id"].isin(set(visible(con, store, viewer, list(op["customer_id"]))))]
    if by == "district":
        d = con.execute("SELECT customer_id, district_id AS district FROM dim_customer WHERE "
                        "customer_id IN (SELECT unnest(?::VARCHAR[]))",
                        [list(op["customer_id"])]).df()
        op = op.merge(d, on="customer_id", how="left")
    op[by] = op[by].fillna("")
    out = op.groupby(by).agg(opinions=("score", "size"), mean_score=("score", "mean"),
                             satisfied=("score", lambda s: float((s >= 4).mean())),
                             dissatisfied=("score", lambda s: float((s <= 2).mean())))
    return out.round(3).reset_index().sort_values(by, ignore_index=True)
