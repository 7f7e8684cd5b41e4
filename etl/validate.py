"""Compile a :class:`~etl.spec.FileSpec` into one validation query.

The query reads the registered source view (all text) and returns one row per input row with
typed columns, plus ``__reason`` and ``__field`` for rows to quarantine (NULL when the row is
good). The first failing check wins, in this order: missing key, duplicate key, missing value,
unparseable value, date outside the plausible window, negative value, unknown reference.
Identifiers come from the spec only; the vocabularies are inlined as quoted literals from the
spec (never from input), the date window as literals from the settings.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from etl.errors import bad_setting
from etl.spec import FALSE_WORDS, TRUE_WORDS, Col, FileSpec
from gcrm import config

REF_TABLES = {"customer": ("dim_customer", "customer_id"), "feeder": ("dim_feeder", "feeder_id")}
REF_REASONS = {"customer": "unknown_customer", "feeder": "unknown_feeder"}
#: the integer key of a referenced row, read by the same join that checks the reference
#: (:func:`compile_checked` with ``keys``): column ``__key_<column>`` of the checked view
REF_KEYS = {"customer": "customer_key"}


@dataclass(frozen=True)
class DateWindow:
    """The dates a loaded record may carry, ``first`` to ``last`` (both included).

    Anything outside is rejected as ``date_out_of_range``: a payment in year 1 or 9999 is a
    typo, and one such row would stretch the calendar (and every time axis) over millennia.
    """

    first: date
    last: date

    @classmethod
    def from_settings(cls, today: date | None = None) -> DateWindow:
        """``date_min`` to the load date plus ``date_max_ahead_days``."""
        raw_min, raw_ahead = config.get("date_min"), config.get("date_max_ahead_days")
        try:
            first = date.fromisoformat(raw_min.strip())
        except ValueError:
            raise bad_setting("date_min", raw_min, "a date YYYY-MM-DD") from None
        try:
            if not raw_ahead.strip().isdigit():
                raise ValueError
            last = (today or date.today()) + timedelta(days=int(raw_ahead))
        except (ValueError, OverflowError):
            raise bad_setting("date_max_ahead_days", raw_ahead,
                              "a whole number of days >= 0 (before year 9999)") from None
        if last < first:
            raise bad_setting("date_min", raw_min, f"on or before the window's end {last}")
        return cls(first, last)

    def outside(self, col: Col, x: str) -> str | None:
        """SQL condition: the parsed value of ``x`` lies outside the window (``±infinity``
        parse as dates and fall outside)."""
        if not col.window or col.kind not in ("month", "date", "timestamp"):
            return None
        if col.kind == "month":  # a month is in the window when its first day is
            lo, hi = f"DATE '{self.first.replace(day=1)}'", f"DATE '{self.last}'"
            return f"TRY_CAST({x} || '-01' AS DATE) NOT BETWEEN {lo} AND {hi}"
        if col.kind == "date":
            lo, hi = f"DATE '{self.first}'", f"DATE '{self.last}'"
        else:
            lo, hi = f"TIMESTAMP '{self.first}'", f"TIMESTAMP '{self.last} 23:59:59.999999'"
        return f"{_typed(col, x)} NOT BETWEEN {lo} AND {hi}"


def q(name: str) -> str:
    """Quote an identifier taken from the spec."""
    return '"' + name.replace('"', '""') + '"'


def lit(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _in_list(values: tuple[str, ...]) -> str:
    return "(" + ", ".join(lit(v) for v in values) + ")"


def _typed(col: Col, x: str) -> str:
    if col.kind == "number":
        return f"TRY_CAST({x} AS DOUBLE)"
    if col.kind == "date":
        return f"TRY_CAST({x} AS DATE)"
    if col.kind == "timestamp":
        return f"TRY_CAST({x} AS TIMESTAMP)"
    if col.kind == "bool":
        return f"CASE WHEN lower({x}) IN {_in_list(TRUE_WORDS)} THEN TRUE " \
               f"WHEN lower({x}) IN {_in_list(FALSE_WORDS)} THEN FALSE END"
    if col.kind == "enum":
        return f"lower({x})"
    return x


def _with_default(col: Col, expr: str) -> str:
    return f"coalesce({expr}, {col.default})" if col.default else expr


def _parse_failure(col: Col, x: str) -> tuple[str, str] | None:
    """(condition, reason) that is true when a present value does not parse."""
    if col.kind == "number":
        return f"{x} IS NOT NULL AND NOT isfinite(coalesce(TRY_CAST({x} AS DOUBLE), 'nan'))", \
            "bad_number"
    if col.kind == "month":
        return f"{x} IS NOT NULL AND NOT regexp_full_match({x}, '[0-9]{{4}}-(0[1-9]|1[0-2])')", \
            "bad_date"
    if col.kind in ("date", "timestamp"):
        return f"{x} IS NOT NULL AND {_typed(col, x)} IS NULL", "bad_date"
    if col.kind == "bool":
        words = TRUE_WORDS + FALSE_WORDS
        return f"{x} IS NOT NULL AND lower({x}) NOT IN {_in_list(words)}", "bad_boolean"
    if col.kind == "enum":
        return f"{x} IS NOT NULL AND lower({x}) NOT IN {_in_list(col.values)}", col.enum_reason
    return None


def checks(spec: FileSpec, window: DateWindow) -> list[tuple[str, str, str]]:
    """Ordered (condition, reason, field) triples over the normalised source ``s``."""
    out: list[tuple[str, str, str]] = []
    for name in spec.key:
        out.append((f"s.{q(name)} IS NULL", "missing_key", name))
    out.append(("s.__dup > 1", "duplicate_key", ",".join(spec.key)))
    for col in spec.columns:
        if col.required and col.name not in spec.key:
            out.append((f"s.{q(col.name)} IS NULL", "missing_value", col.name))
    for col in spec.columns:
        failure = _parse_failure(col, f"s.{q(col.name)}")
        if failure:
            out.append((failure[0], failure[1], col.name))
    for col in spec.columns:
        outside = window.outside(col, f"s.{q(col.name)}")
        if outside:
            out.append((f"s.{q(col.name)} IS NOT NULL AND {outside}", "date_out_of_range",
                        col.name))
    for col in spec.columns:
        if col.nonneg:
            out.append((f"TRY_CAST(s.{q(col.name)} AS DOUBLE) < 0", "negative_value", col.name))
    for col in spec.columns:
        if col.ref:
            out.append((f"s.{q(col.name)} IS NOT NULL AND r_{col.name}.__k IS NULL",
                        REF_REASONS[col.ref], col.name))
    return out


def extra_columns(spec: FileSpec, present: tuple[str, ...]) -> list[str]:
    known = {c.name for c in spec.columns}
    return [c for c in present if c not in known and c != "__row" and c.strip()]


#: stored (Parquet) types that a column of each kind may keep without going through text
NATIVE = {
    "number": ("DOUBLE", "FLOAT", "DECIMAL", "BIGINT", "INTEGER", "SMALLINT", "TINYINT",
               "HUGEINT", "UBIGINT", "UINTEGER", "USMALLINT", "UTINYINT"),
    "date": ("DATE",),
    "timestamp": ("TIMESTAMP", "TIMESTAMP_NS", "TIMESTAMP_MS", "TIMESTAMP_S"),
}


def _keeps_native(col: Col, stored: str | None) -> bool:
    return stored is not None and any(stored.startswith(t) for t in NATIVE.get(col.kind, ()))


def trimmed(x: str) -> str:
    """``NULLIF(trim(x), '')`` (the text ``x`` without surrounding spaces, NULL when empty),
    computed only where it can differ from ``x``: a value that starts or ends with a space or
    holds a character beyond ASCII (``trim`` also takes Unicode spaces, such as the
    ideographic U+3000, but no other ASCII character: tabs and line breaks stay, tested).
    The ids, codes, dates and numbers of the fact files are plain ASCII: they pass as they
    are, where ``trim`` copied every one of them (5 of the payments' 30 CPU seconds at 32.7M
    rows: their five text columns, and the key column again for its hashes)."""
    return (f"CASE WHEN {x} LIKE ' %' OR {x} LIKE '% ' OR strlen({x}) <> length({x}) "
            f"THEN NULLIF(trim({x}), '') WHEN {x} = '' THEN NULL ELSE {x} END")


def compile_normalised(spec: FileSpec, source_view: str, present: tuple[str, ...],
                       types: dict[str, str] | None = None) -> str:
    """``__row`` and every contract column (NULL when empty or absent): text
    :func:`trimmed`, or the stored value when the file already holds it in a fitting type
    (Parquet numbers, dates)."""
    types = types or {}
    norm = ["__row"]
    for col in spec.columns:
        if col.name not in present:
            norm.append(f"CAST(NULL AS VARCHAR) AS {q(col.name)}")
        elif _keeps_native(col, types.get(col.name)):
            norm.append(q(col.name))
        elif types.get(col.name, "VARCHAR") == "VARCHAR":
            norm.append(f"{trimmed(q(col.name))} AS {q(col.name)}")
        else:
            norm.append(f"{trimmed(f'CAST({q(col.name)} AS VARCHAR)')} AS {q(col.name)}")
    extras = extra_columns(spec, present) if spec.keep_extra else []
    if extras:
        pack = ", ".join(f"{q(e)} := {q(e)}" for e in extras)
        norm.append(f"to_json(struct_pack({pack})) AS attrs")
    elif spec.keep_extra:
        norm.append("CAST(NULL AS JSON) AS attrs")
    return f"SELECT {', '.join(norm)} FROM {q(source_view)}"


def compile_typed(spec: FileSpec, norm_view: str) -> str:
    """``__row`` and the typed columns (defaults applied) over the normalised view."""
    typed = [f"{_with_default(col, _typed(col, 's.' + q(col.name)))} AS {q(col.name)}"
             for col in spec.columns]
    if spec.keep_extra:
        typed.append("s.attrs")
    return f"SELECT s.__row, {', '.join(typed)} FROM {q(norm_view)} s"


def compile_rejects(spec: FileSpec, norm_view: str, window: DateWindow,
                    grouped: bool = False) -> str:
    """``__row``, ``__reason``, ``__field`` of every row that fails a check (first wins).

    Duplicate keys are found without a hash table of all keys: a 64-bit hash of the key
    narrows the rows to candidate duplicates, which are then compared exactly, so memory
    stays small for tens of millions of rows. ``grouped`` finds the candidate hashes by a
    grouped count instead of a sort (:func:`compile_dup_candidates`): what a distributed
    engine spreads over its tasks (Spark runs a window without partitions in one task).
    """
    dups = compile_dups(spec, norm_view, compile_dup_candidates(spec, norm_view, grouped))
    on = " AND ".join(f"n.{q(k)} = d.{q(k)}" for k in spec.key)
    flagged = (f"SELECT n.*, CASE WHEN d.__first IS NOT NULL AND n.__row > d.__first "
               f"THEN 2 ELSE 1 END AS __dup FROM {q(norm_view)} n LEFT JOIN ({dups}) d ON {on}")
    joins = []
    for col in spec.columns:
        if col.ref:
            table, key_col = REF_TABLES[col.ref]
            joins.append(
                f"LEFT JOIN (SELECT {q(key_col)} AS __k FROM {table}) r_{col.name} "
                f"ON s.{q(col.name)} = r_{col.name}.__k"
            )
    # one CASE yields "reason|field" (conditions are evaluated once per row), split after
    # filtering to the few failing rows
    verdict = ("CASE " + " ".join(f"WHEN {c} THEN {lit(r + '|' + f)}"
                          for c, r, f in checks(spec, window))
               + " END")
    return (
        f"SELECT __row, split_part(__v, '|', 1) AS __reason, split_part(__v, '|', 2) AS __field "
        f"FROM (SELECT s.__row, {verdict} AS __v FROM ({flagged}) s {' '.join(joins)}) "
        f"WHERE __v IS NOT NULL"
    )


def reject_value_expr(spec: FileSpec, present: tuple[str, ...], alias: str = "s") -> str:
    # ``alias`` is the raw source row, ``v`` the reject row (``__field``)
    """SQL giving the raw text of the failing field of a rejected row."""
    whens = [f"WHEN {lit(c.name)} THEN CAST({alias}.{q(c.name)} AS VARCHAR)"
             for c in spec.columns if c.name in present]
    key_text = " || ',' || ".join(f"coalesce(CAST({alias}.{q(k)} AS VARCHAR), '')"
                                  for k in spec.key)
    return f"CASE v.__field {' '.join(whens)} ELSE {key_text} END"


# --------------------------------------------------------------------------- one-pass checks
# The DuckDB load (etl.pipeline) reads and casts each file once for the good rows: a streaming
# view (:func:`compile_checked`) types every column once and gives each row its verdict, with
# the same checks in the same order as :func:`compile_rejects` (same reasons and fields); the
# insert reads the rows whose verdict is NULL. Duplicate keys are found beforehand from the key
# columns alone. The Spark load keeps compiling :func:`compile_rejects` and
# :func:`compile_typed`.

def _plain(col: Col) -> bool:
    """True when the typed value of ``col`` is its normalised text (text and month)."""
    return col.kind in ("text", "month")


def _local_checks(spec: FileSpec, window: DateWindow) -> list[tuple[str, str, str]]:
    """The row-local checks of :func:`checks` (after the key and duplicate checks, before the
    references), over ``s`` with the normalised text ``s."c"`` and the cast ``s."__t_c"``."""
    out: list[tuple[str, str, str]] = []
    for col in spec.columns:
        if col.required and col.name not in spec.key:
            out.append((f"s.{q(col.name)} IS NULL", "missing_value", col.name))
    for col in spec.columns:
        x, t = f"s.{q(col.name)}", f"s.{q('__t_' + col.name)}"
        if col.kind == "number":
            out.append((f"{x} IS NOT NULL AND NOT isfinite(coalesce({t}, 'nan'))", "bad_number",
                        col.name))
        elif col.kind in ("date", "timestamp", "bool"):
            reason = "bad_boolean" if col.kind == "bool" else "bad_date"
            out.append((f"{x} IS NOT NULL AND {t} IS NULL", reason, col.name))
        else:
            failure = _parse_failure(col, x)
            if failure:
                out.append((failure[0], failure[1], col.name))
    for col in spec.columns:
        outside = window.outside(col, f"s.{q(col.name)}")
        if outside and col.kind == "month":  # well-formed by now: 'YYYY-MM' sorts as months
            lo, hi = (f"{d.year:04d}-{d.month:02d}" for d in (window.first, window.last))
            outside = f"s.{q(col.name)} NOT BETWEEN '{lo}' AND '{hi}'"
        elif outside:  # dates and times: compare the cast value
            outside = outside.replace(_typed(col, f"s.{q(col.name)}"), f"s.{q('__t_' + col.name)}")
        if outside:
            out.append((f"s.{q(col.name)} IS NOT NULL AND {outside}", "date_out_of_range",
                        col.name))
    for col in spec.columns:
        if col.nonneg:
            out.append((f"{_cast_number(col, 's')} < 0", "negative_value", col.name))
    return out


def _cast_number(col: Col, alias: str) -> str:
    """The value as DOUBLE (the cast column of a number, else a cast of the text)."""
    if col.kind == "number":
        return f"{alias}.{q('__t_' + col.name)}"
    return f"TRY_CAST({alias}.{q(col.name)} AS DOUBLE)"


def compile_key_hashes(spec: FileSpec, norm_view: str) -> str:
    """``__h``: a 64-bit hash of each row's key, NULL when a key column is missing.

    No ``WHERE`` on the key: a filter on a column of the normalised view would trim the key
    again (DuckDB does not share the expression between a filter and a projection)."""
    keys = ", ".join(q(k) for k in spec.key)
    not_null = " AND ".join(f"{q(k)} IS NOT NULL" for k in spec.key)
    return f"SELECT CASE WHEN {not_null} THEN hash({keys}) END AS __h FROM {q(norm_view)}"


def compile_dup_candidates(spec: FileSpec, norm_view: str, grouped: bool = False) -> str:
    """Hashes of the key that occur more than once (candidates for duplicates; usually none).

    A sort of 8-byte hashes, not a hash table of tens of millions of distinct keys: memory
    stays small, and it is about 2.5x faster here. (The DuckDB load sorts them in numpy when
    they fit, :mod:`etl.dupkeys`.) ``grouped``: a count per hash instead, the same hashes,
    for an engine that partitions the count by hash over its tasks (Spark)."""
    hashes = compile_key_hashes(spec, norm_view)
    if grouped:
        return (f"SELECT __h FROM ({hashes}) WHERE __h IS NOT NULL "
                f"GROUP BY __h HAVING count(*) > 1")
    return (f"SELECT DISTINCT __h FROM (SELECT __h, lag(__h) OVER (ORDER BY __h) AS __p "
            f"FROM ({hashes})) WHERE __h = __p")


def compile_dups(spec: FileSpec, norm_view: str, candidates: str) -> str:
    """The duplicated keys (compared exactly among the hashes the query ``candidates``
    gives) and the first row of each: every later row with the key is a ``duplicate_key``."""
    keys = ", ".join(q(k) for k in spec.key)
    not_null = " AND ".join(f"{q(k)} IS NOT NULL" for k in spec.key)
    return (f"SELECT {keys}, min(__row) AS __first FROM {q(norm_view)} "
            f"WHERE {not_null} AND hash({keys}) IN ({candidates}) "
            f"GROUP BY {keys} HAVING count(*) > 1")


def compile_checked(spec: FileSpec, norm_view: str, window: DateWindow,
                    dups: str | None = None, keys: bool = False) -> str:
    """Every row of the normalised view once: ``__row``, the typed columns (defaults applied,
    as :func:`compile_typed`) and ``__v``, ``reason|field`` of the first failing check of
    :func:`checks` (NULL for a good row). Each column is cast once. ``dups``: the table of
    :func:`compile_dups` (None: the file has no duplicate key). ``keys``: with the integer key
    of each referenced row too (:data:`REF_KEYS`, as ``__key_<column>``)."""
    casts = [f"{_typed(c, 's.' + q(c.name))} AS {q('__t_' + c.name)}"
             for c in spec.columns if not _plain(c) and c.kind != "enum"]
    inner = f"SELECT {', '.join(['s.*', *casts])} FROM {q(norm_view)} s"
    conds = [(f"s.{q(k)} IS NULL", "missing_key", k) for k in spec.key]
    joins = []
    if dups:
        on = " AND ".join(f"s.{q(k)} = d.{q(k)}" for k in spec.key)
        joins.append(f"LEFT JOIN {q(dups)} d ON {on}")
        conds.append(("d.__first IS NOT NULL AND s.__row > d.__first", "duplicate_key",
                      ",".join(spec.key)))
    conds += _local_checks(spec, window)
    out = ["s.__row"]
    for col in spec.columns:
        if col.ref:
            table, key_col = REF_TABLES[col.ref]
            sk = keys and REF_KEYS.get(col.ref)
            joins.append(f"LEFT JOIN (SELECT {q(key_col)} AS __k"
                         + (f", {q(sk)} AS __sk" if sk else "")
                         + f" FROM {table}) r_{col.name} ON s.{q(col.name)} = r_{col.name}.__k")
            conds.append((f"s.{q(col.name)} IS NOT NULL AND r_{col.name}.__k IS NULL",
                          REF_REASONS[col.ref], col.name))
            if sk:
                out.append(f"r_{col.name}.__sk AS {q('__key_' + col.name)}")
    for c in spec.columns:
        typed = (f"s.{q(c.name)}" if _plain(c) else f"lower(s.{q(c.name)})"
                 if c.kind == "enum" else f"s.{q('__t_' + c.name)}")
        out.append(f"{_with_default(c, typed)} AS {q(c.name)}")
    if spec.keep_extra:
        out.append("s.attrs")
    verdict = "CASE " + " ".join(f"WHEN {c} THEN {lit(r + '|' + f)}" for c, r, f in conds)
    out.append(f"{verdict} END AS __v")
    return f"SELECT {', '.join(out)} FROM ({inner}) s {' '.join(joins)}"


def compile_checked_rejects(checked_view: str) -> str:
    """``__row``, ``__reason``, ``__field`` of the failing rows of a :func:`compile_checked`
    view (what :func:`compile_rejects` gives)."""
    return (f"SELECT __row, split_part(__v, '|', 1) AS __reason, "
            f"split_part(__v, '|', 2) AS __field FROM {q(checked_view)} WHERE __v IS NOT NULL")


def stage_columns(spec: FileSpec, keys: bool = False) -> str:
    """The typed columns of a :func:`compile_checked` view (what :func:`compile_typed`
    selects), over alias ``s``; ``keys``: and the referenced rows' keys (made with ``keys``)."""
    cols = ["s.__row", *(f"s.{q(c.name)}" for c in spec.columns)]
    if spec.keep_extra:
        cols.append("s.attrs")
    if keys:
        cols += [f"s.{q('__key_' + c.name)}" for c in spec.columns
                 if c.ref and REF_KEYS.get(c.ref)]
    return ", ".join(cols)
