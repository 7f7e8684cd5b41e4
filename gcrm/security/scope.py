"""Region scope as SQL: the one place that turns a user's regions into a WHERE condition.

A scope is a sequence of region ids (city or district); None means everywhere. A city id
covers its districts. An empty scope matches nothing. Ids are always bound parameters.
"""

from __future__ import annotations

from collections.abc import Sequence


def _col(alias: str, name: str) -> str:
    return f"{alias}.{name}" if alias else name


def _condition(city: str, district: str, marks: str) -> str:
    return f"({city} IN ({marks}) OR {district} IN ({marks}))"


def scope_sql(scope: Sequence[str] | None, alias: str = "c", *, city: str | None = None,
              district: str | None = None) -> tuple[str, list]:
    """(condition, positional parameters) over ``alias``'s ``city_id``/``district_id``, or
    over the column expressions ``city`` and ``district`` when given (e.g. a rollup's)."""
    if scope is None:
        return "TRUE", []
    if not scope:
        return "FALSE", []
    marks = ", ".join("?" for _ in scope)
    return (_condition(city or _col(alias, "city_id"), district or _col(alias, "district_id"),
                       marks), [*scope, *scope])


def scope_sql_named(scope: Sequence[str] | None, alias: str = "") -> tuple[str, dict]:
    """The same with named parameters ``$scope0, $scope1, ...``."""
    if scope is None:
        return "TRUE", {}
    if not scope:
        return "FALSE", {}
    names = [f"scope{i}" for i in range(len(scope))]
    return (_condition(_col(alias, "city_id"), _col(alias, "district_id"),
                       ", ".join(f"${n}" for n in names)), dict(zip(names, scope, strict=True)))
