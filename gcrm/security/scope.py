"""Region scope as SQL: the one place that turns a user's regions into a WHERE condition.

A scope is a sequence of region ids (city or district); None means everywhere. A city id
covers its districts. An empty scope matches nothing. Ids are always bound parameters.
"""

from __future__ import annotations

from collections.abc import Sequence


def _col(alias: str, name: str) -> str:
    return f"{alias}.{name}" if alias else name


def scope_sql(scope: Sequence[str] | None, alias: str = "c") -> tuple[str, list]:
    """(condition, positional parameters) over ``alias``'s ``city_id``/``district_id``."""
    if scope is None:
        return "TRUE", []
    if not scope:
        return "FALSE", []
    marks = ", ".join("?" for _ in scope)
    return (f"({_col(alias, 'city_id')} IN ({marks}) OR "
            f"{_col(alias, 'district_id')} IN ({marks}))", [*scope, *scope])


def scope_sql_named(scope: Sequence[str] | None, alias: str = "") -> tuple[str, dict]:
    """The same with named parameters ``$scope0, $scope1, ...``."""
    if scope is None:
        return "TRUE", {}
    if not scope:
        return "FALSE", {}
    names = [f"scope{i}" for i in range(len(scope))]
    marks = ", ".join(f"${n}" for n in names)
    return (f"({_col(alias, 'city_id')} IN ({marks}) OR "
            f"{_col(alias, 'district_id')} IN ({marks}))", dict(zip(names, scope, strict=True)))
