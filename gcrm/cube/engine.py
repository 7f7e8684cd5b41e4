"""Compile cube queries to SQL and run them: planner (rollup or facts), binding, cache."""

from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace

import duckdb
import pandas as pd

from gcrm.cube import disclosure, percustomer
from gcrm.cube.model import DIMENSIONS, FACTS, MEASURES, base_measures
from gcrm.cube.rollups import ACTIVITY, FEEDER_JOIN, ROLLUPS, SOURCES, WORD_BITS, activity_words
from gcrm.security.scope import scope_sql
from gcrm.storage import warehouse


class CubeError(ValueError):
    """A bad request: unknown dimension/measure, malformed filter, wrong value type."""


@dataclass(frozen=True)
class Query:
    measures: tuple[str, ...]
    by: tuple[str, ...] = ()
    where: tuple[tuple[str, tuple], ...] = ()  # (dimension, values) pairs, values OR-ed
    months: tuple[str, str] | None = None  # inclusive YYYY-MM range
    order_by: str | None = None  # a measure or dimension; prefix '-' for descending
    limit: int | None = None
    use_rollups: bool = True
    scope: tuple[str, ...] | None = None  # region ids the user may see; None = everywhere

    @classmethod
    def make(cls, measures: Sequence[str], by: Sequence[str] = (),
             where: Mapping[str, Sequence] | None = None, months: tuple[str, str] | None = None,
             order_by: str | None = None, limit: int | None = None,
             use_rollups: bool = True, scope: Sequence[str] | None = None) -> Query:
        w = tuple((k, tuple(v) if isinstance(v, list | tuple | set) else (v,))
                  for k, v in (where or {}).items())
        q = cls(tuple(measures), tuple(by), w, tuple(months) if months else None, order_by,
                limit, use_rollups, None if scope is None else tuple(scope))
        q.validate()
        return q

    def validate(self) -> None:
        if not self.measures:
            raise CubeError(f"no measure given; valid measures: {', '.join(MEASURES)}")
        for m in self.measures:
            if m not in MEASURES:
                raise CubeError(f"unknown measure {m!r}; valid measures: {', '.join(MEASURES)}")
        for d in (*self.by, *(k for k, _ in self.where)):
            if d not in DIMENSIONS:
                raise CubeError(
                    f"unknown dimension {d!r}; valid dimensions: {', '.join(DIMENSIONS)}")
        if len(set(self.by)) != len(self.by):
            raise CubeError("a dimension appears twice in --by")
        facts = set(_facts_of(self.measures))
        for d in (*self.by, *(k for k, _ in self.where)):
            dim = DIMENSIONS[d]
            bad = facts - set(dim.facts)
            if bad:
                raise CubeError(f"dimension {d!r} applies only to {'/'.join(dim.facts)} "
                                f"measures, not to {', '.join(sorted(bad))}")
        for d, values in self.where:
            for v in values:
                coerce_member(d, v)
        if self.months:
            for m in self.months:
                _check_month(m)
        if self.order_by and self.order_by.lstrip("-") not in (*self.measures, *self.by):
            raise CubeError(f"cannot order by {self.order_by!r}: not a selected measure or "
                            "dimension")
        if self.limit is not None and self.limit < 1:
            raise CubeError("limit must be a positive integer")


def _check_month(m: str) -> None:
    ok = isinstance(m, str) and len(m) == 7 and m[4] == "-" and m[:4].isdigit() \
        and m[5:].isdigit() and 1 <= int(m[5:]) <= 12
    if not ok:
        raise CubeError(f"bad month {m!r}: expected YYYY-MM")


def coerce_member(dim: str, value: object) -> object:
    """Value as the dimension's type; '' or None means the empty (unlocated) member."""
    if value is None or value == "":
        return None
    t = DIMENSIONS[dim].type
    try:
        if t is int:
            return int(value)
        if t is bool:
            s = str(value).lower()
            if s in ("true", "1", "yes"):
                return True
            if s in ("false", "0", "no"):
                return False
            raise ValueError(value)
    except ValueError:
        raise CubeError(f"bad value {value!r} for dimension {dim!r}: expected "
                        f"{t.__name__}") from None
    if dim == "month":
        _check_month(str(value))
    return str(value)


def _facts_of(measures: Sequence[str]) -> list[str]:
    return [f for f in FACTS if any(MEASURES[b].fact == f for b in base_measures(measures))]


TIME_DIMS = ("month", "quarter", "year")
#: a filter with more members than this binds them as one list parameter (see _conditions)
LONG_LIST = 64


def _query_dims(q: Query) -> set[str]:
    dims = {*q.by, *(k for k, _ in q.where)}
    if q.months:
        dims.add("month")
    if q.scope is not None:
        dims |= {"city", "district"}
    return dims


def _smallest(candidates: list, sizes: Mapping[str, int] | None) -> str | None:
    fits = [r for r in candidates if sizes is None or r.name in sizes]  # what the warehouse has
    if not fits:
        return None
    sizes = sizes or {}
    return min(fits, key=lambda r: (sizes.get(r.name, len(r.dims)), len(r.dims))).name


def _rollup_for(q: Query, fact: str, bases: list[str],
                sizes: Mapping[str, int] | None) -> str | None:
    """The smallest rollup (by recorded row count) that answers ``q`` exactly, if any."""
    if not q.use_rollups:
        return None
    if any(MEASURES[b].rollup_agg is None for b in bases):
        return None  # a measure no rollup holds
    distinct = any(MEASURES[b].distinct for b in bases)
    if distinct and "month" not in q.by:
        return None  # distinct customers do not add up across months
    dims = _query_dims(q)
    return _smallest([r for r in ROLLUPS if r.fact == fact and dims <= set(r.dims)], sizes)


def _activity_for(q: Query, sizes: Mapping[str, int] | None,
                  activity_months: Sequence[str] | None) -> str | None:
    """An activity rollup for distinct customers over months not grouped by time, if any."""
    if not q.use_rollups or activity_months is None or set(q.by) & set(TIME_DIMS):
        return None
    dims = _query_dims(q) - set(TIME_DIMS)
    return _smallest([r for r in ACTIVITY if dims <= set(r.dims)], sizes)


def _month_mask(q: Query, activity_months: Sequence[str]) -> list[int]:
    """BIGINT words over ``activity_months``: bit set where the month satisfies the filters."""
    wanted = {d: {coerce_member(d, v) for v in vals} for d, vals in q.where if d in TIME_DIMS}

    def ok(m: str) -> bool:
        if q.months and not (q.months[0] <= m <= q.months[1]):
            return False
        quarter = f"{m[:4]}-Q{(int(m[5:]) - 1) // 3 + 1}"
        return all(value in wanted[d] for d, value in
                   (("month", m), ("quarter", quarter), ("year", int(m[:4]))) if d in wanted)

    words = [0] * activity_words(len(activity_months))
    for i, m in enumerate(activity_months):
        if ok(m):
            words[i // WORD_BITS] |= 1 << (i % WORD_BITS)
    return words


def _conditions(q: Query, col, params: list, skip_time: bool = False) -> list[str]:
    conds = []
    for d, values in q.where:
        if skip_time and d in TIME_DIMS:
            continue
        vals = [coerce_member(d, v) for v in values]
        parts = []
        non_null = [v for v in vals if v is not None]
        if len(non_null) > LONG_LIST and DIMENSIONS[d].type is str:
            # one list parameter, not thousands (a trade area's customers: 85k ids took 4.5
            # s to bind as placeholders, 1 s as a list); same members, same answer
            parts.append(f"{col(d)} IN (SELECT unnest(?::VARCHAR[]))")
            params.append(non_null)
        elif non_null:
            parts.append(f"{col(d)} IN ({', '.join('?' for _ in non_null)})")
            params.extend(non_null)
        if any(v is None for v in vals):
            parts.append(f"{col(d)} IS NULL")
        conds.append("(" + " OR ".join(parts) + ")")
    if q.months and not skip_time:
        conds.append(f"{col('month')} BETWEEN ? AND ?")
        params.extend(q.months)
    if q.scope is not None:  # region scope: a city id covers its districts
        cond, scope_params = scope_sql(q.scope, city=col("city"), district=col("district"))
        conds.append(cond)
        params.extend(scope_params)
    return conds


def _activity_cte(q: Query, act: str, activity_months: Sequence[str] | None,
                  params: list) -> str:
    """Distinct customers over several months from the activity rollup ``act``."""
    conds = _conditions(q, lambda d: f'r."{d}"', params, skip_time=True)
    hits = [(w, mask) for w, mask in enumerate(_month_mask(q, activity_months or ())) if mask]
    conds.append("(" + " OR ".join(f"(r.bits_{w} & CAST(? AS BIGINT)) <> 0" for w, _ in hits)
                 + ")" if hits else "FALSE")
    params.extend(mask for _, mask in hits)
    sel = [*(f'r."{d}" AS "{d}"' for d in q.by), 'sum(r.customers) AS "customers"']
    group = " GROUP BY ALL" if q.by else ""
    return f"SELECT {', '.join(sel)} FROM {act} r WHERE {' AND '.join(conds)}{group}"


def _fact_cte(q: Query, fact: str, fact_bases: list[str], sizes: Mapping[str, int] | None,
              params: list) -> str:
    """The base measures ``fact_bases`` of one fact, from its best rollup or the fact table."""
    rollup = _rollup_for(q, fact, fact_bases, sizes)

    def col(d: str, rollup: str | None = rollup) -> str:
        return f'r."{d}"' if rollup else DIMENSIONS[d].expr

    sel = [f'{col(d)} AS "{d}"' for d in q.by]
    for b in fact_bases:
        m = MEASURES[b]
        sel.append(f'{m.rollup_agg if rollup else m.agg} AS "{b}"')
    conds = _conditions(q, col, params)
    source = f"{rollup} r" if rollup else SOURCES[fact]
    if not rollup and "fd." not in " ".join([*sel, *conds]):
        source = source.replace(FEEDER_JOIN, "")  # a join of 1M feeders' rows for nothing
    where = f" WHERE {' AND '.join(conds)}" if conds else ""
    group = " GROUP BY ALL" if q.by else ""
    return f"SELECT {', '.join(sel)} FROM {source}{where}{group}"


def _ctes(q: Query, sizes: Mapping[str, int] | None, activity_months: Sequence[str] | None,
          params: list) -> list[str]:
    """One SELECT per fact (and one for activity-rollup customers); binds into ``params``."""
    bases = base_measures(q.measures)
    ctes: list[str] = []
    for fact in _facts_of(q.measures):
        fact_bases = [b for b in bases if MEASURES[b].fact == fact]
        act = (_activity_for(q, sizes, activity_months)
               if fact == "consumption" and "customers" in fact_bases else None)
        if act:
            ctes.append(_activity_cte(q, act, activity_months, params))
            fact_bases = [b for b in fact_bases if b != "customers"]
            if not fact_bases:
                continue
        ctes.append(_fact_cte(q, fact, fact_bases, sizes, params))
    return ctes


def _order_limit(q: Query) -> str:
    """The ORDER BY (requested measure/dimension, then the dimensions) and LIMIT clauses."""
    if q.order_by:
        name = q.order_by.lstrip("-")
        order = f' ORDER BY "{name}" {"DESC" if q.order_by.startswith("-") else "ASC"} NULLS LAST'
        order += "".join(f', "{d}" NULLS LAST' for d in q.by if d != name)
    elif q.by:
        order = " ORDER BY " + ", ".join(f'"{d}" NULLS LAST' for d in q.by)
    else:
        order = ""
    limit = f" LIMIT {int(q.limit)}" if q.limit else ""
    return order + limit


def _combine(q: Query, ctes: list[str]) -> str:
    """Join the per-fact SELECTs on the dimensions and compute the requested measures."""
    names = [f"q{i}" for i in range(len(ctes))]
    with_sql = "WITH " + ", ".join(f"{n} AS ({s})" for n, s in zip(names, ctes, strict=True))

    def dim(d: str, upto: int) -> str:
        refs = [f'{n}."{d}"' for n in names[:upto]]
        return refs[0] if len(refs) == 1 else f"coalesce({', '.join(refs)})"

    from_sql = names[0]
    for i, n in enumerate(names[1:], start=1):
        if q.by:
            on = " AND ".join(f'{dim(d, i)} IS NOT DISTINCT FROM {n}."{d}"' for d in q.by)
            from_sql += f" FULL OUTER JOIN {n} ON {on}"
        else:
            from_sql += f" CROSS JOIN {n}"
    dims_sel = [f'{dim(d, len(names))} AS "{d}"' for d in q.by]
    meas_sel = []
    for m in q.measures:
        meas = MEASURES[m]
        meas_sel.append(f'{meas.formula if meas.derived else chr(34) + m + chr(34)} AS "{m}"')
    return f"{with_sql} SELECT {', '.join([*dims_sel, *meas_sel])} FROM {from_sql}"


def compile_query(q: Query, sizes: Mapping[str, int] | None = None,
                  activity_months: Sequence[str] | None = None) -> tuple[str, list]:
    """SQL text and bound parameters for ``q`` (identifiers from the model only).

    ``sizes`` (rollup name -> rows, as recorded by the last load) restricts the planner to the
    rollups the warehouse has and lets it prefer the smallest; None assumes all exist.
    ``activity_months`` (the month order of the activity bitmaps) enables answering distinct
    customers over several months from the activity rollups.
    """
    params: list = []
    ctes = _ctes(q, sizes, activity_months, params)
    return _combine(q, ctes) + _order_limit(q), params


# --------------------------------------------------------------------------- execution
@dataclass
class _Cache:
    """Results by query, the ``size`` latest kept. Shared by every session of a dashboard
    server (each runs in a thread of its own, some pages in several): a lock keeps a lookup
    from racing another thread's eviction."""

    size: int = 256
    entries: OrderedDict = field(default_factory=OrderedDict)
    hits: int = 0
    misses: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def get(self, key: str) -> pd.DataFrame | None:
        with self.lock:
            df = self.entries.get(key)
            if df is None:
                self.misses += 1
                return None
            self.entries.move_to_end(key)
            self.hits += 1
        return df.copy()

    def put(self, key: str, df: pd.DataFrame) -> None:
        df = df.copy()
        with self.lock:
            self.entries[key] = df
            while len(self.entries) > self.size:
                self.entries.popitem(last=False)


CACHE = _Cache()


def _cache_key(con: duckdb.DuckDBPyConnection, sql: str, params: list) -> str:
    db = con.execute("SELECT path FROM duckdb_databases() "
                     "WHERE database_name = current_database()").fetchone()
    version = warehouse.get_meta(con, "data_version", "0")
    raw = json.dumps([list(db), version, sql, params], default=str)
    return hashlib.sha256(raw.encode()).hexdigest()


def rollup_sizes(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    raw = warehouse.get_meta(con, "rollup_sizes")
    return json.loads(raw) if raw else {}


def activity_months(con: duckdb.DuckDBPyConnection) -> list[str] | None:
    raw = warehouse.get_meta(con, "activity_months")
    return json.loads(raw) if raw else None


def require_tables(con: duckdb.DuckDBPyConnection, dims: Sequence[str]) -> None:
    """CubeError naming ``gcrm upgrade`` when a dimension of ``dims`` reads an optional table
    this warehouse lacks (built before it existed), instead of DuckDB's catalog error."""
    for d in dict.fromkeys(dims):
        dim = DIMENSIONS.get(d)
        if dim is None or not dim.tables or warehouse.has_tables(con, dim.tables):
            continue
        raise CubeError(f"dimension {d!r} needs table(s) {', '.join(dim.tables)}, which this "
                        f"warehouse lacks (built by an older GCRM): run `gcrm upgrade`")


def run(con: duckdb.DuckDBPyConnection, q: Query, cache: bool = True) -> pd.DataFrame:
    require_tables(con, [*q.by, *(d for d, _ in q.where)])
    sql, params = compile_query(q, rollup_sizes(con), activity_months(con))
    key = _cache_key(con, sql, params) if cache else ""
    if cache and (hit := CACHE.get(key)) is not None:
        return hit
    df = con.execute(sql, params).df()
    for m in q.measures:
        df[m] = pd.to_numeric(df[m], errors="coerce").astype("float64")
    if cache:
        CACHE.put(key, df)
    return df


def query(con: duckdb.DuckDBPyConnection, measures: Sequence[str], by: Sequence[str] = (),
          where: Mapping[str, Sequence] | None = None, months: tuple[str, str] | None = None,
          order_by: str | None = None, limit: int | None = None,
          use_rollups: bool = True, scope: Sequence[str] | None = None,
          min_cell: int | None = None) -> pd.DataFrame:
    """Run a cube query; one row per combination of ``by``, columns = ``by`` then measures.

    ``scope`` limits the data to customers of those regions (city or district ids): for a
    scoped user other regions do not exist, and totals are the scope's totals.

    ``min_cell`` applies disclosure control for a role without ``read_pii``
    (:mod:`gcrm.cube.disclosure`): a personal dimension is refused, and the measures of every
    row describing fewer than ``min_cell`` customers (and of its complements) are missing;
    ``df.attrs["suppressed"]`` says how many rows.

    Examples
    --------
    >>> query(con, ["kwh", "customers"], by=["district"], where={"customer_class": ["industrial"]},
    ...       months=("2025-01", "2025-12"))  # doctest: +SKIP
    """
    if min_cell is not None:
        disclosure.check_request(by, where)
        return _protected(con, list(measures), list(by), where, months, order_by, limit,
                          use_rollups, scope, min_cell)
    q = Query.make(measures, by, where, months, order_by, limit, use_rollups, scope)
    return run(con, q)


def _protected(con: duckdb.DuckDBPyConnection, measures: list[str], by: list[str], where,
               months, order_by: str | None, limit: int | None, use_rollups: bool, scope,
               min_cell: int) -> pd.DataFrame:
    """:func:`query` under disclosure control (:func:`protected`)."""
    asked = Query.make(measures, by, where, months, order_by, limit, use_rollups, scope)
    return protected(lambda q: run(con, q), asked, min_cell)


def protected(runner: Callable[[Query], pd.DataFrame], asked: Query,
              min_cell: int) -> pd.DataFrame:
    """``asked`` answered by ``runner`` (DuckDB, or Spark: :mod:`gcrm.cube.sparkrun`) under
    disclosure control: the whole result with its customer counts, small cells and their
    complements hidden, then ordered (hidden rows last) and cut."""
    measures, by = list(asked.measures), list(asked.by)
    disclosure.check_request(by, dict(asked.where))
    counts = _count_measures(measures, by, dict(asked.where))
    extra = [c for c in counts if c not in measures]
    df = runner(replace(asked, measures=(*measures, *extra), order_by=None, limit=None))
    hidden = disclosure.hide(df, by, disclosure.describing(df[counts]), min_cell)
    df = df.drop(columns=extra).assign(_hidden=hidden)
    df.loc[hidden, measures] = float("nan")
    out = disclosure.order_hidden_last(df, hidden, by, asked.order_by, asked.limit)
    out.attrs["suppressed"] = int(out.pop("_hidden").sum())
    return out


def _count_measures(measures: Sequence[str], by: Sequence[str],
                    where: Mapping[str, Sequence] | None) -> list[str]:
    """The distinct-customer counts that say how many customers each row describes."""
    facts = _facts_of(measures)
    payment_dims = {d for d in (*by, *(where or {})) if DIMENSIONS[d].facts == ("payment",)}
    out = [] if payment_dims else ["customers"] * ("consumption" in facts)
    return out + ["payers"] * ("payment" in facts)


def month_range(con: duckdb.DuckDBPyConnection, last: int = 12) -> tuple[str, str]:
    """The last ``last`` months that have consumption data, as an inclusive range (all of the
    data when it covers fewer months: the range never starts before the first month)."""
    row = con.execute("SELECT min(month), max(month) FROM fact_consumption").fetchone()
    if row is None or row[1] is None:
        raise CubeError("the warehouse holds no consumption data yet")
    return percustomer.window(row[0], row[1], last)


def months(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Every month of the time dimension, ascending (YYYY-MM)."""
    return [r[0] for r in con.execute("SELECT month FROM dim_time ORDER BY month").fetchall()]


def members(con: duckdb.DuckDBPyConnection, dim: str,
            scope: Sequence[str] | None = None) -> list:
    """The distinct values of dimension ``dim`` (within ``scope``), sorted; None = empty.

    Customer attributes come from the customer table (every customer, also those without
    facts yet: milliseconds instead of a scan of the facts), the calendar from dim_time."""
    if dim not in DIMENSIONS:
        raise CubeError(f"unknown dimension {dim!r}; valid dimensions: {', '.join(DIMENSIONS)}")
    require_tables(con, [dim])
    expr = DIMENSIONS[dim].expr
    where, params = scope_sql(scope)
    if expr.startswith("c."):  # a customer attribute: the customer table, not the facts
        source = "dim_customer c"
    elif expr.startswith("t.") and scope is None:  # the calendar
        source, where = "dim_time t", "TRUE"
    else:
        source = SOURCES[DIMENSIONS[dim].facts[0]]
    sql = f"SELECT DISTINCT {expr} AS v FROM {source} WHERE {where}"
    return [r[0] for r in con.execute(sql + " ORDER BY v NULLS LAST", params).fetchall()]
