"""The cube's SQL (written for DuckDB) in Spark SQL, through ``sqlglot``; refuse what differs.

The cube compiler and the ETL's validation compiler stay the single source of SQL. This module
turns their DuckDB text into Spark SQL and raises :class:`DialectError` instead of emitting
anything Spark would read differently: sqlglot's own "unsupported" errors are raised (not
warned), a function sqlglot does not know is refused unless it exists in Spark under the same
name and meaning (:data:`SAME_IN_SPARK`), and DuckDB's BIT type (which sqlglot silently turns
into something else) is refused outright. The few DuckDB functions the validation needs and
Spark lacks are rewritten to Spark equivalents with the same result (:func:`_rewrite`).

Pure: no connection, no Spark; ``sqlglot`` is part of the ``spark`` extra.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any


class DialectError(ValueError):
    """SQL that cannot be carried to Spark with the same meaning."""


#: functions sqlglot passes through unparsed that mean the same in Spark 4.0 and DuckDB (``hash``
#: differs in value but the validation only uses it to narrow candidates it then compares)
SAME_IN_SPARK = frozenset({"SPLIT_PART", "ISNAN", "BIT_COUNT", "HASH"})


def _sqlglot() -> Any:
    try:
        import sqlglot
    except ImportError as exc:  # pragma: no cover - the extra is missing
        raise DialectError("sqlglot is not installed: pip install 'gcrm[spark]'") from exc
    return sqlglot


def _rewrite(node: Any) -> Any:
    """DuckDB-only functions of the validation SQL as Spark expressions of equal meaning."""
    from sqlglot import exp, parse_one

    if isinstance(node, exp.Anonymous):
        name = node.name.upper()
        args = node.expressions
        if name == "REGEXP_FULL_MATCH" and len(args) == 2 and isinstance(args[1], exp.Literal):
            pattern = exp.Literal.string(f"^(?:{args[1].this})$")
            return exp.RegexpLike(this=args[0], expression=pattern)
        if name == "ISFINITE" and len(args) == 1:
            x = args[0].sql("spark")
            return parse_one(f"(NOT isnan({x}) AND abs({x}) <> double('Infinity'))",
                             read="spark")
        if name == "STRLEN" and len(args) == 1:  # bytes of the UTF-8 text
            return parse_one(f"length(encode({args[0].sql('spark')}, 'UTF-8'))", read="spark")
        if name == "TO_JSON" and len(args) == 1:  # DuckDB keeps null fields; so must Spark
            return parse_one(f"to_json({args[0].sql('spark')}, map('ignoreNullFields', 'false'))",
                             read="spark")
    full_match = getattr(exp, "RegexpFullMatch", None)  # how sqlglot 30 parses it
    if full_match is not None and isinstance(node, full_match):
        pattern = exp.Literal.string(f"^(?:{node.expression.this})$")
        return exp.RegexpLike(this=node.this, expression=pattern)
    return node


def _check(tree: Any) -> None:
    """Refuse functions sqlglot passed through unparsed, unless they mean the same in Spark."""
    from sqlglot import exp

    for node in tree.walk():
        if isinstance(node, exp.Anonymous) and node.name.upper() not in SAME_IN_SPARK:
            raise DialectError(f"function {node.name}() has no checked Spark equivalent")


def bind(sql: str, params: Sequence[object]) -> str:
    """DuckDB SQL with its ``?`` parameters replaced by literals, in order."""
    sqlglot = _sqlglot()
    from sqlglot import exp

    tree = sqlglot.parse_one(sql, read="duckdb")
    values = iter(params)

    def put(node: Any) -> Any:
        if isinstance(node, exp.Placeholder):
            try:
                return _literal(next(values))
            except StopIteration:
                raise DialectError("fewer parameters than placeholders") from None
        return node

    out = tree.transform(put)
    if next(values, _END) is not _END:
        raise DialectError("more parameters than placeholders")
    return out.sql("duckdb")


_END = object()


def _literal(value: object) -> Any:
    from sqlglot import exp

    if value is None:
        return exp.Null()
    if isinstance(value, bool):
        return exp.Boolean(this=value)
    if isinstance(value, int | float):
        return exp.Literal.number(value)
    if isinstance(value, datetime | date):
        return exp.Literal.string(value.isoformat())
    return exp.Literal.string(str(value))


def to_spark(sql: str, params: Sequence[object] = ()) -> str:
    """Spark SQL for the DuckDB ``sql`` (parameters bound as literals); raise
    :class:`DialectError` for anything that would not mean the same there.

    Examples
    --------
    >>> to_spark("SELECT strftime(paid_at, '%Y-%m') FROM t")
    "SELECT DATE_FORMAT(paid_at, 'yyyy-MM') FROM t"
    """
    sqlglot = _sqlglot()
    from sqlglot.errors import ErrorLevel, SqlglotError

    if params:
        sql = bind(sql, params)
    try:
        tree = sqlglot.parse_one(sql, read="duckdb")
        _check_source(tree)
        tree = tree.transform(_rewrite)
        _check(tree)
        return tree.sql("spark", unsupported_level=ErrorLevel.RAISE)
    except SqlglotError as exc:
        raise DialectError(f"cannot carry to Spark: {exc}") from exc


def _check_source(tree: Any) -> None:
    """Refuse DuckDB constructs that sqlglot would mistranslate without a word."""
    from sqlglot import exp

    for node in tree.walk():
        if isinstance(node, exp.DataType) and node.this == exp.DataType.Type.BIT:
            raise DialectError("DuckDB's BIT type has no Spark equivalent (use BIGINT masks)")
        if isinstance(node, exp.Func) and type(node).__name__ in ("BitString", "BitstringAgg"):
            raise DialectError("bitstring functions have no Spark equivalent")
        if isinstance(node, exp.Anonymous) and node.name.upper().startswith("BITSTRING"):
            raise DialectError("bitstring functions have no Spark equivalent")
