"""Pre-aggregated rollup tables, declared as data and compiled from the semantic model.

A rollup stores every base measure of one fact at the grain of some dimensions; its columns are
named after the dimensions and measures. They are built by every load, on its working copy
(``build_rollups``: in full on a first load, else only the months the load touched) and their
sizes recorded in ``meta`` so the planner can pick the smallest
rollup that answers a query. ``customers`` is a distinct count: it re-aggregates exactly over
customer attributes (a customer has one district, class, feeder ...) but not over months, which
the planner respects.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import duckdb

from gcrm.cube.model import DIMENSIONS, MEASURES

TIME = ("month", "quarter", "year")
#: the feeder join of :data:`SOURCES`, left out of a fact query that names no ``fd.`` column
#: (a left join on the feeder's key: it adds columns, never rows)
FEEDER_JOIN = " LEFT JOIN dim_feeder fd ON fd.feeder_id = c.feeder_id"
SOURCES = {
    "consumption": "fact_consumption f JOIN dim_customer c ON c.customer_key = f.customer_key "
                   "JOIN dim_time t ON t.month = f.month" + FEEDER_JOIN,
    "payment": "fact_payment f JOIN dim_customer c ON c.customer_key = f.customer_key "
               "JOIN dim_time t ON t.month = f.month" + FEEDER_JOIN,
}


@dataclass(frozen=True)
class Rollup:
    name: str
    fact: str
    dims: tuple[str, ...]

    def sql(self, source: str | None = None) -> str:
        """Build query: from the star join, or from a finer pre-aggregate ``source``."""
        if source is None:
            return _aggregate(self.fact, self.dims)
        cols = [f'"{d}"' for d in self.dims]
        cols += [f'{m.rollup_agg} AS "{m.name}"' for m in _measures(self.fact)]
        return f"SELECT {', '.join(cols)} FROM {source} GROUP BY ALL"


def _measures(fact: str) -> list:
    """The base measures of ``fact`` that a rollup can hold (re-aggregable ones)."""
    return [m for m in MEASURES.values() if m.fact == fact and m.rollup_agg is not None]


def _aggregate(fact: str, dims: tuple[str, ...], where: str = "") -> str:
    """Base measures of ``fact`` grouped by ``dims`` (which must include month), over the
    fact rows that satisfy ``where`` (SQL over ``f``; all rows when empty)."""
    cols = [f'{DIMENSIONS[d].expr} AS "{d}"' for d in dims]
    cols += [f'{m.month_agg or m.agg} AS "{m.name}"' for m in _measures(fact)]
    cond = f" WHERE {where}" if where else ""
    return f"SELECT {', '.join(cols)} FROM {SOURCES[fact]}{cond} GROUP BY ALL"


#: the fact table of each fact (the ``f`` of :data:`SOURCES`)
FACT_TABLES = {"consumption": "fact_consumption", "payment": "fact_payment"}


#: how :func:`_profiles` numbers a profile: its attributes' hash; should two profiles share
#: one, their rank in the attributes' order
PROFILE_NUMBERS = ("hash({exprs})", "CAST(dense_rank() OVER (ORDER BY {exprs}) AS BIGINT)")


def _profiles(con: duckdb.DuckDBPyConnection, dims: tuple[str, ...]) -> None:
    """Number every distinct combination of the customer attributes among ``dims`` (a
    profile: 94,643 for 1M benchmark customers): temp tables ``rollup__cust`` (customer_key,
    ``__pid``, the attributes) and ``rollup__prof`` (each profile once).

    The number is the attributes' 64-bit hash, computed on every thread (a ``dense_rank``
    sorted 1M customers by up to nine text columns: 1.5 CPU s of a 1M x 36 load); should two
    profiles ever share a hash, they are ranked instead. Only its uniqueness matters: each
    rollup numbers its own combinations again in their order (:func:`_map_sql`)."""
    cust = [d for d in dims if DIMENSIONS[d].expr.startswith(("c.", "fd."))]
    exprs = ", ".join(DIMENSIONS[d].expr for d in cust)
    cols = ", ".join(f'{DIMENSIONS[d].expr} AS "{d}"' for d in cust)
    attrs = ", ".join(f'"{d}"' for d in cust)
    for number in PROFILE_NUMBERS:
        con.execute(f"CREATE OR REPLACE TEMP TABLE rollup__cust AS SELECT c.customer_key, "
                    f"{number.format(exprs=exprs)} AS __pid, {cols} "
                    f"FROM dim_customer c{FEEDER_JOIN}")
        con.execute("CREATE OR REPLACE TEMP TABLE rollup__prof AS "
                    f"SELECT DISTINCT __pid, {attrs} FROM rollup__cust")
        if con.execute("SELECT count(*) = count(DISTINCT __pid) FROM rollup__prof"
                       ).fetchone()[0]:
            return
    raise RuntimeError("rollup profiles share a number")  # a rank cannot: never reached


def _split(dims: tuple[str, ...]) -> tuple[list[str], list[str], list[str]]:
    """``dims`` as (customer attributes, the fact's own columns, calendar columns)."""
    cust = [d for d in dims if DIMENSIONS[d].expr.startswith(("c.", "fd."))]
    own = [d for d in dims if DIMENSIONS[d].expr.startswith("f.")]
    time = [d for d in dims if DIMENSIONS[d].expr.startswith("t.")]
    assert len(cust) + len(own) + len(time) == len(dims), "a dimension of an unknown table"
    return cust, own, time


def _agg_sql(fact: str, dims: tuple[str, ...], where: str = "") -> str:
    """The facts satisfying ``where`` summed by profile (``rollup__cust``), month and their
    own dimensions: integer and short keys, where the star join grouped tens of millions of
    rows by a dozen text columns."""
    own = _split(dims)[1]
    inner = ", ".join(["p.__pid", "f.month", *(f'{DIMENSIONS[d].expr} AS "{d}"' for d in own),
                       *(f'{m.month_agg or m.agg} AS "{m.name}"' for m in _measures(fact))])
    cond = f" WHERE {where}" if where else ""
    return (f"SELECT {inner} FROM {FACT_TABLES[fact]} f JOIN rollup__cust p "
            f"USING (customer_key){cond} GROUP BY ALL")


def _from_agg_sql(rollup: Rollup, ordered: bool = False) -> str:
    """``rollup`` from ``rollup__agg`` (:func:`_agg_sql`) and the profiles' attributes
    ``rollup__prof``: the profiles numbered again by this rollup's attributes only
    (``rollup__map``, made by the caller from :func:`_map_sql`), the sums grouped by that
    integer, then the attributes and the calendar joined to the result. The same rows as
    ``rollup.sql()`` over the star join's pre-aggregate; ``ordered``: in the order of
    ``ORDER BY ALL`` (the number follows the attributes' order), sorted by short keys."""
    cust, own, time = _split(rollup.dims)
    assert list(rollup.dims) == [*cust, *own, *time], "attributes, own columns, calendar"
    measures = _measures(rollup.fact)
    inner = ", ".join(["m.__rid", "a.month", *(f'a."{d}"' for d in own),
                       *(f'{m.rollup_agg} AS "{m.name}"' for m in measures)])
    agg = f"SELECT {inner} FROM rollup__agg a JOIN rollup__map m USING (__pid) GROUP BY ALL"
    attrs = ", ".join(f'"{d}"' for d in cust)
    outer = []
    for d in rollup.dims:
        kind = "c" if d in cust else "x" if d in own else "t"
        outer.append(f'{DIMENSIONS[d].expr} AS "{d}"' if kind == "t" else f'{kind}."{d}"')
    outer += [f'x."{m.name}"' for m in measures]
    order = ", ".join(["x.__rid", *(f'x."{d}"' for d in own), "x.month"])
    return (f"SELECT {', '.join(outer)} FROM ({agg}) x "
            f"JOIN (SELECT DISTINCT __rid, {attrs} FROM rollup__map) c USING (__rid) "
            "JOIN dim_time t ON t.month = x.month" + (f" ORDER BY {order}" if ordered else ""))


def _map_sql(rollup: Rollup) -> str:
    """Every profile of ``rollup__prof`` with a number for its combination of ``rollup``'s
    customer attributes (``__rid``) and those attributes."""
    cust = _split(rollup.dims)[0]
    cols = ", ".join(f'"{d}"' for d in cust)
    return (f"SELECT __pid, CAST(dense_rank() OVER (ORDER BY {cols}) AS INTEGER) AS __rid, "
            f"{cols} FROM rollup__prof")


_REGION = ("city", "district", "customer_class", "segment", "tariff", "big_customer")
ROLLUPS: tuple[Rollup, ...] = (
    Rollup("rollup_consumption_month", "consumption", (*_REGION, *TIME)),
    Rollup("rollup_consumption_feeder_month", "consumption",
           ("city", "district", "substation", "feeder", "customer_class", "tariff", *TIME)),
    Rollup("rollup_consumption_grid_month", "consumption",
           ("city", "district", "grid", "customer_class", *TIME)),
    Rollup("rollup_payment_month", "payment", (*_REGION, "channel", *TIME)),
    # payments by H3 cell: the overview's KPI tiles of one cell (online share, arrears)
    Rollup("rollup_payment_grid_month", "payment",
           ("city", "district", "grid", "customer_class", "channel", *TIME)),
    # payments by district and channel: the channel mix (issue #22: p95 72-86 ms from
    # rollup_payment_month, whose customer attributes it summed away on every query)
    Rollup("rollup_payment_channel_month", "payment", ("city", "district", "channel", *TIME)),
)


def activity_name(rollup: Rollup) -> str:
    return rollup.name.replace("_month", "_activity")


#: Activity rollups answer "distinct customers with consumption in a set of months" without
#: the facts: one row per (customer attributes, month bitmap) with the number of customers.
#: The bitmap is a row of BIGINT words ``bits_0``, ``bits_1`` ... (:data:`WORD_BITS` months
#: each): bit ``i % 63`` of word ``i // 63`` is set when the customer has consumption in month
#: i of dim_time (the order is stored in meta ``activity_months``); a query counts the rows
#: whose bitmap intersects the mask of its months. Exact, and small: customers share few
#: distinct bitmaps. Plain integers (``bit_or``, ``&``) mean the same on DuckDB and Spark,
#: unlike DuckDB's BIT type.
ACTIVITY: tuple[Rollup, ...] = tuple(
    Rollup(activity_name(r), "activity", tuple(d for d in r.dims if d not in TIME))
    for r in ROLLUPS if r.fact == "consumption")


#: months per BIGINT word of an activity bitmap (the sign bit stays clear)
WORD_BITS = 63


def activity_words(n_months: int) -> int:
    """How many BIGINT words hold a bitmap of ``n_months`` months (at least one)."""
    return max(1, -(-n_months // WORD_BITS))


def activity_bits_sql(n_months: int, source: str = "fact_consumption", where: str = "") -> str:
    """Per customer (``customer_key``) of ``source``, its month bitmap as ``bits_0`` ... (shared
    with Spark), over the rows of ``source`` (``f``) that satisfy ``where`` (all when empty)."""
    words = ", ".join(
        f"bit_or(CASE WHEN m.idx >= {w * WORD_BITS} AND m.idx < {(w + 1) * WORD_BITS} "
        f"THEN CAST(1 AS BIGINT) << (m.idx - {w * WORD_BITS}) ELSE CAST(0 AS BIGINT) END) "
        f"AS bits_{w}"
        for w in range(activity_words(n_months)))
    return (f"SELECT f.customer_key, {words} FROM {source} f "
            "JOIN (SELECT month, CAST(row_number() OVER (ORDER BY month) - 1 AS INTEGER) AS idx "
            f"FROM dim_time) m ON m.month = f.month {'WHERE ' + where if where else ''} "
            "GROUP BY f.customer_key")


def activity_sql(rollup: Rollup, n_months: int, bits: str = "rollup__bits") -> str:
    """The activity rollup ``rollup`` from the per-customer bitmaps ``bits``."""
    dims = ", ".join(f'{DIMENSIONS[d].expr} AS "{d}"' for d in rollup.dims)
    words = ", ".join(f"b.bits_{w}" for w in range(activity_words(n_months)))
    return (f"SELECT {dims}, {words}, count(*) AS customers "
            f"FROM {bits} b JOIN dim_customer c USING (customer_key) "
            "LEFT JOIN dim_feeder fd ON fd.feeder_id = c.feeder_id GROUP BY ALL")


#: the persistent per-customer month bitmaps the activity rollups are summed from, kept so
#: that a load touching some months recomputes only those months' bits
BITS_TABLE = "rollup_activity_bits"


def _in_months(months: set[str]) -> str:
    """``f.month IN ('2026-09', ...)``: constants, so a scan skips row groups by their
    min/max (appended months sit together at the end of a fact table)."""
    return "f.month IN (" + ", ".join("'" + m.replace("'", "''") + "'"
                                      for m in sorted(months)) + ")"


def _sum_activity(con: duckdb.DuckDBPyConnection, n_months: int,
                  sizes: dict[str, int]) -> None:
    """(Re)build every activity rollup from the per-customer bitmaps in :data:`BITS_TABLE`."""
    for r in ACTIVITY:
        con.execute(f"CREATE OR REPLACE TABLE {r.name} AS "
                    f"{activity_sql(r, n_months, BITS_TABLE)} ORDER BY ALL")
        sizes[r.name] = con.execute(f"SELECT count(*) FROM {r.name}").fetchone()[0]


def _months(con: duckdb.DuckDBPyConnection) -> list[str]:
    return [r[0] for r in con.execute("SELECT month FROM dim_time ORDER BY month").fetchall()]


def _build_activity(con: duckdb.DuckDBPyConnection, sizes: dict[str, int]) -> None:
    months = _months(con)
    con.execute(f"CREATE OR REPLACE TABLE {BITS_TABLE} AS {activity_bits_sql(len(months))}")
    _sum_activity(con, len(months), sizes)
    from gcrm.storage import warehouse

    warehouse.set_meta(con, "activity_months", json.dumps(months))


def _update_activity(con: duckdb.DuckDBPyConnection, touched: set[str],
                     sizes: dict[str, int]) -> None:
    """Recompute the bits of the ``touched`` months only (one scan of those months' facts),
    keeping every other bit; a full build when the month order or the word count changed."""
    from gcrm.storage import warehouse

    months = _months(con)
    before = json.loads(warehouse.get_meta(con, "activity_months") or "[]")
    if (months[:len(before)] != before or activity_words(len(months)) != activity_words(
            len(before)) or not _exists(con, BITS_TABLE)):
        _build_activity(con, sizes)
        return
    idx = {m: i for i, m in enumerate(months)}
    n = activity_words(len(months))
    clear = [0] * n
    for m in touched:
        if m in idx:
            clear[idx[m] // WORD_BITS] |= 1 << (idx[m] % WORD_BITS)
    con.execute("CREATE OR REPLACE TEMP TABLE rollup__newbits AS " + activity_bits_sql(
        len(months), where=_in_months(touched)))
    words = ", ".join(
        f"(coalesce(o.bits_{w}, 0) & ~CAST({clear[w]} AS BIGINT)) | coalesce(t.bits_{w}, 0) "
        f"AS bits_{w}" for w in range(n))
    nonzero = " OR ".join(f"bits_{w} <> 0" for w in range(n))
    con.execute(f"CREATE OR REPLACE TABLE {BITS_TABLE} AS SELECT * FROM (SELECT "
                f"coalesce(o.customer_key, t.customer_key) AS customer_key, {words} FROM "
                f"{BITS_TABLE} o FULL JOIN rollup__newbits t USING (customer_key)) "
                f"WHERE {nonzero}")
    con.execute("DROP TABLE rollup__newbits")
    _sum_activity(con, len(months), sizes)
    warehouse.set_meta(con, "activity_months", json.dumps(months))


def _exists(con: duckdb.DuckDBPyConnection, table: str) -> bool:
    return bool(con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = ? "
                            "AND NOT temporary", [table]).fetchone()[0])


def _attrs_sql() -> tuple[str, int]:
    """Per customer, every attribute a rollup groups by (those of ``c`` and ``fd``)."""
    exprs = sorted({DIMENSIONS[d].expr for r in ROLLUPS for d in r.dims
                    if DIMENSIONS[d].expr.startswith(("c.", "fd."))})
    cols = ", ".join(f"{e} AS a{i}" for i, e in enumerate(exprs))
    return f"SELECT c.customer_key, {cols} FROM dim_customer c{FEEDER_JOIN}", len(exprs)


def snapshot_attrs(con: duckdb.DuckDBPyConnection) -> None:
    """Keep the customers' rollup attributes as they are before a load changes them."""
    con.execute(f"CREATE OR REPLACE TEMP TABLE rollup__attrs AS {_attrs_sql()[0]}")


def changed_months(con: duckdb.DuckDBPyConnection) -> set[str]:
    """Months holding facts of a customer whose rollup attributes (district, class, feeder ...)
    changed since :func:`snapshot_attrs`: their rows move between rollup rows."""
    sql, n = _attrs_sql()
    diff = " OR ".join(f"n.a{i} IS DISTINCT FROM o.a{i}" for i in range(n))
    con.execute("CREATE OR REPLACE TEMP TABLE rollup__changed AS SELECT customer_key "
                f"FROM ({sql}) n JOIN rollup__attrs o USING (customer_key) WHERE {diff}")
    months: set[str] = set()
    if con.execute("SELECT count(*) FROM rollup__changed").fetchone()[0]:
        months = {r[0] for r in con.execute(
            "SELECT DISTINCT month FROM fact_consumption WHERE customer_key IN "
            "(SELECT customer_key FROM rollup__changed) UNION SELECT DISTINCT month "
            "FROM fact_payment WHERE customer_key IN (SELECT customer_key FROM rollup__changed)"
        ).fetchall()}
    con.execute("DROP TABLE rollup__changed")
    con.execute("DROP TABLE rollup__attrs")
    return months


def can_update(con: duckdb.DuckDBPyConnection) -> bool:
    """True when every rollup table exists, so a load may rebuild only the months it touched."""
    from gcrm.storage import warehouse

    return warehouse.get_meta(con, "rollup_sizes") is not None and all(
        _exists(con, r.name) for r in (*ROLLUPS, *ACTIVITY))


def build_rollups(con: duckdb.DuckDBPyConnection,
                  months: set[str] | None = None) -> dict[str, int]:
    """(Re)build the rollup tables; record and return their row counts.

    ``months`` None (or rollups missing): a full build. Otherwise only those months' rows are
    rebuilt (deleted and summed again from their facts) and only their bits of the activity
    bitmaps recomputed: what a load that appended or corrected some months needs. Every
    rollup is summable within a month, so the result equals a full build.

    One pass over each fact table builds a pre-aggregate at the union of its rollups' grains
    (all month-grain, so distinct customers stay additive); every rollup is then summed from
    that much smaller table instead of joining the facts again.
    """
    from gcrm.storage import warehouse

    full = months is None or not can_update(con)
    if not full and not months:  # nothing summarised changed
        return json.loads(warehouse.get_meta(con, "rollup_sizes") or "{}")
    where = "" if full else _in_months(months or set())
    sizes: dict[str, int] = {}
    for fact in SOURCES:
        rollups = [r for r in ROLLUPS if r.fact == fact]
        dims = tuple(dict.fromkeys(d for r in rollups for d in r.dims))
        assert "month" in dims, "rollups are month-grain"
        _profiles(con, dims)
        con.execute(f"CREATE OR REPLACE TEMP TABLE rollup__agg AS {_agg_sql(fact, dims, where)}")
        con.execute("DROP TABLE rollup__cust")
        for r in rollups:
            con.execute(f"CREATE OR REPLACE TEMP TABLE rollup__map AS {_map_sql(r)}")
            if full:
                con.execute(f"CREATE OR REPLACE TABLE {r.name} AS "
                            f"{_from_agg_sql(r, ordered=True)}")
            else:
                con.execute(f"DELETE FROM {r.name} f WHERE {where}")
                con.execute(f"INSERT INTO {r.name} BY NAME {_from_agg_sql(r)}")
            sizes[r.name] = con.execute(f"SELECT count(*) FROM {r.name}").fetchone()[0]
        for table in ("rollup__agg", "rollup__prof", "rollup__map"):
            con.execute(f"DROP TABLE {table}")
    if full:
        _build_activity(con, sizes)
    else:
        _update_activity(con, set(months or ()), sizes)
    warehouse.set_meta(con, "rollup_sizes", json.dumps(sizes))
    return sizes
