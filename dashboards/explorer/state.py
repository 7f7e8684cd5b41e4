"""The Cube Explorer's view state: URL parameters, drill path, CLI equivalent, XLSX export.

Pure functions (no Streamlit): the page ``dashboards/explorer/page.py`` keeps the state in
widgets and mirrors it into ``st.query_params`` with :meth:`View.to_params`, so a URL restores
the whole view (:meth:`View.from_params`).

URL parameters (every one optional)::

    measures=kwh,customers     measures, in order
    rows=district,month        row dimensions, in order
    col=customer_class         column dimension (pivot)
    f.district=220502,220503   filter: members of one dimension (OR); an empty item is the
                               empty member (unlocated customers), as in ``--where district=``
    from=2025-11&to=2026-10    month range (inclusive); absent = every month
    top=10                     top-N rows
    sort=-kwh                  order by a measure ('-' = descending)
    totals=1                   subtotals and a grand total (:func:`gcrm.cube.with_totals`)
    compare=yoy                time comparison: yoy or mom (:func:`gcrm.cube.compare`)
    drill=[...]                the drill path (JSON), so roll-up works after sharing

Filter values are kept as strings (what the URL and ``gcrm query --where`` carry); the cube
coerces them to the dimension's type.
"""

from __future__ import annotations

import io
import json
import math
import shlex
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

import pandas as pd

from gcrm.cube import DIMENSIONS, MEASURES, TOTAL, drill_down

DEFAULT_MEASURES: tuple[str, ...] = ("kwh", "customers")
DEFAULT_ROWS: tuple[str, ...] = ("district",)
COMPARISONS: tuple[str, ...] = ("yoy", "mom")
REGION_DIMS: tuple[str, ...] = ("city", "district", "grid")
#: every URL key the explorer owns (``f.<dim>`` keys too); others (``lang``) are left alone
KEYS: tuple[str, ...] = ("measures", "rows", "col", "from", "to", "top", "sort", "totals",
                         "compare", "drill")
FILTER_PREFIX = "f."


@dataclass(frozen=True)
class DrillStep:
    """One drill-down: the members clicked (``at``), and the rows and filters before it."""

    at: tuple[tuple[str, str], ...]
    rows: tuple[str, ...]
    prior: tuple[tuple[str, tuple[str, ...] | None], ...]  # filters of the ``at`` dims before

    def to_json(self) -> dict:
        return {"at": [list(p) for p in self.at], "rows": list(self.rows),
                "prior": {d: None if v is None else list(v) for d, v in self.prior}}

    @classmethod
    def from_json(cls, raw: Mapping) -> DrillStep:
        return cls(tuple((str(d), str(v)) for d, v in raw["at"]),
                   tuple(str(r) for r in raw["rows"]),
                   tuple((str(d), None if v is None else tuple(str(x) for x in v))
                         for d, v in dict(raw.get("prior") or {}).items()))


@dataclass(frozen=True)
class View:
    """Everything that defines what the explorer shows."""

    measures: tuple[str, ...] = DEFAULT_MEASURES
    rows: tuple[str, ...] = DEFAULT_ROWS
    column: str | None = None
    filters: tuple[tuple[str, tuple[str, ...]], ...] = ()
    months: tuple[str, str] | None = None
    top: int | None = None
    sort: str | None = None
    totals: bool = False
    compare: str | None = None
    drill: tuple[DrillStep, ...] = field(default_factory=tuple)

    # ------------------------------------------------------------------ derived
    @property
    def by(self) -> list[str]:
        """Dimensions of the cube query: rows, then the column dimension."""
        return [*self.rows, *([self.column] if self.column else [])]

    @property
    def where(self) -> dict[str, list[str]]:
        return {d: list(v) for d, v in self.filters}

    # ------------------------------------------------------------------ URL
    def to_params(self) -> dict[str, str]:
        """The URL query parameters of this view (only the ones that are set)."""
        out = {"measures": ",".join(self.measures), "rows": ",".join(self.rows)}
        if self.column:
            out["col"] = self.column
        for d, values in self.filters:
            out[FILTER_PREFIX + d] = ",".join(values)
        if self.months:
            out["from"], out["to"] = self.months
        if self.top:
            out["top"] = str(self.top)
        if self.sort:
            out["sort"] = self.sort
        if self.totals:
            out["totals"] = "1"
        if self.compare:
            out["compare"] = self.compare
        if self.drill:
            out["drill"] = json.dumps([s.to_json() for s in self.drill], ensure_ascii=False,
                                      separators=(",", ":"))
        return out

    @classmethod
    def from_params(cls, params: Mapping[str, str], months: Sequence[str] = ()) -> View:
        """The view in URL ``params``; unknown names and malformed values are dropped.

        ``months`` (every month of the cube, ascending) bounds the month range; a range
        covering every month is the same as no range.
        """
        def items(key: str) -> list[str]:
            raw = params.get(key)
            return [x.strip() for x in str(raw).split(",") if x.strip()] if raw else []

        measures = tuple(dict.fromkeys(m for m in items("measures") if m in MEASURES))
        rows = tuple(dict.fromkeys(d for d in items("rows") if d in DIMENSIONS))
        if "measures" not in params:
            measures = DEFAULT_MEASURES
        if "rows" not in params:
            rows = DEFAULT_ROWS
        column = params.get("col") or None
        if column not in DIMENSIONS or column in rows:
            column = None
        filters = tuple(
            (k[len(FILTER_PREFIX):], tuple(dict.fromkeys(v.strip() for v in str(raw).split(","))))
            for k, raw in params.items()
            if k.startswith(FILTER_PREFIX) and k[len(FILTER_PREFIX):] in DIMENSIONS)
        rng = _month_range(params.get("from"), params.get("to"), months)
        top = _positive_int(params.get("top"))
        sort = params.get("sort") or None
        if sort and sort.lstrip("-") not in MEASURES and not sort.endswith("_growth"):
            sort = None
        totals = str(params.get("totals", "")).lower() in ("1", "true", "yes", "on")
        compare = params.get("compare") if params.get("compare") in COMPARISONS else None
        drill: tuple[DrillStep, ...] = ()
        if params.get("drill"):
            try:
                drill = tuple(DrillStep.from_json(s) for s in json.loads(params["drill"]))
            except (ValueError, KeyError, TypeError, AttributeError):
                drill = ()
        return cls(measures, rows, column, tuple(sorted(filters)), rng, top, sort, totals,
                   compare, drill)

    def without(self, dims: Sequence[str]) -> tuple[View, list[str]]:
        """This view without the dimensions ``dims`` (as rows, column or filters), and which
        of them it had (e.g. ``customer`` for a role that sees aggregates only)."""
        found = [d for d in dims if d in self.by or d in self.where]
        if not found:
            return self, []
        column = None if self.column in dims else self.column
        return replace(self, rows=tuple(d for d in self.rows if d not in dims), column=column,
                       filters=tuple((d, v) for d, v in self.filters if d not in dims)), found

    # ------------------------------------------------------------------ drill
    def drill_into(self, row: Mapping[str, object]) -> View | None:
        """The view one level below ``row`` (row dimension -> member), or None at the bottom.

        The row's members become filters and the last row dimension is replaced by the next
        level of its hierarchy (:func:`gcrm.cube.drill_down`). On a subtotal row the rolled-up
        dimensions stay as they are.
        """
        if not self.rows:
            return None
        at = tuple((d, member_str(row.get(d))) for d in self.rows if row.get(d) != TOTAL)
        if not at:
            return None
        last = self.rows[-1]
        if row.get(last) == TOTAL:
            new_rows = self.rows
        else:
            nxt = drill_down(last)
            if nxt is None:
                return None
            new_rows = tuple(dict.fromkeys(nxt if d == last else d for d in self.rows))
        current = self.where
        prior = tuple((d, tuple(current[d]) if d in current else None) for d, _ in at)
        filters = dict(current)
        for d, v in at:
            filters[d] = [v]
        column = None if self.column in new_rows else self.column
        return replace(self, rows=new_rows, column=column,
                       filters=tuple(sorted((d, tuple(v)) for d, v in filters.items())),
                       drill=(*self.drill, DrillStep(at, self.rows, prior)))

    def roll_up_to(self, depth: int) -> View:
        """The view before drill step ``depth`` (0 = before any drill-down)."""
        filters = self.where
        for step in reversed(self.drill[depth:]):
            for d, before in step.prior:
                if before is None:
                    filters.pop(d, None)
                else:
                    filters[d] = list(before)
        rows = self.drill[depth].rows if depth < len(self.drill) else self.rows
        column = None if self.column in rows else self.column
        return replace(self, rows=rows, column=column, drill=self.drill[:depth],
                       filters=tuple(sorted((d, tuple(v)) for d, v in filters.items())))


def _positive_int(raw: object) -> int | None:
    try:
        n = int(str(raw))
    except ValueError:
        return None
    return n if n > 0 else None


def _month_range(start: str | None, end: str | None,
                 months: Sequence[str]) -> tuple[str, str] | None:
    if not start and not end:
        return None
    if months:
        start = start if start in months else months[0]
        end = end if end in months else months[-1]
        if start > end:
            start, end = end, start
        if (start, end) == (months[0], months[-1]):
            return None
        return start, end
    return (start, end) if start and end else None


def member_str(value: object) -> str:
    """A member as a filter string: '' for the empty member, whole numbers without '.0'."""
    if value is None:
        return ""
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        if value.is_integer():
            return str(int(value))
    try:
        if pd.isna(value):
            return ""
    except (TypeError, ValueError):
        pass
    if hasattr(value, "item"):  # numpy scalars
        return str(value.item())
    return str(value)


def cli_args(view: View, months: tuple[str, str] | None) -> list[str] | None:
    """``gcrm query`` arguments that print the same CSV as the explorer's export, or None.

    ``months`` is the effective range (a comparison without a range uses the last 12 months
    or the last month). None when the view has no exact command-line equivalent: sort or
    top-N applied to a comparison or to a pivot's rows.
    """
    ranked = bool(view.sort or view.top)
    if ranked and (view.compare or view.column or view.totals):
        return None
    args: list[str] = []
    for m in view.measures:
        args += ["--measure", m]
    for d in view.by:
        args += ["--by", d]
    for d, values in view.filters:
        for v in values:
            args += ["--where", f"{d}={v}"]
    if months:
        args += ["--from", months[0], "--to", months[1]]
    if view.compare:
        args += ["--compare", view.compare]
    elif view.totals:
        args += ["--totals"]
    else:
        if view.sort:
            args += ["--order", view.sort]
        if view.top:
            args += ["--limit", str(view.top)]
    return args


def cli_command(args: Sequence[str], db: str) -> str:
    return "gcrm query --db " + shlex.quote(db) + " " + " ".join(shlex.quote(a) for a in args) \
        + " --format csv"


# --------------------------------------------------------------------------- export
def excel_format(column: str) -> str:
    """The Excel number format of a result column (measure, ``_prev`` or ``_growth``)."""
    if column.endswith("_growth"):
        return "0.0%"
    name = column[:-len("_prev")] if column.endswith("_prev") else column
    m = MEASURES.get(name)
    if m is None:
        return "General"
    if m.fmt.endswith("%"):
        return "0.0%"
    decimals = int(m.fmt.split(".")[1][0]) if "." in m.fmt else 0
    return "#,##0" + ("." + "0" * decimals if decimals else "")


def to_xlsx(df: pd.DataFrame, names: Mapping[str, str], about: Sequence[tuple[str, str]] = (),
            sheet: str = "cube") -> bytes:
    """The cube result as an XLSX workbook: bold header, frozen first row, number formats.

    Region dimensions get a ``<dim>_name`` column (Chinese place names) after the id column.
    ``about`` (label, value) pairs go to a second sheet ``query``.
    """
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    from gcrm.security.exports import neutralise

    out = df.copy()
    for d in reversed([c for c in df.columns if c in REGION_DIMS]):
        pos = list(out.columns).index(d) + 1
        out.insert(pos, f"{d}_name", out[d].map(lambda v: names.get(v, "")
                                                if isinstance(v, str) else ""))
    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="openpyxl") as writer:
        out.to_excel(writer, sheet_name=sheet, index=False)
        ws = writer.sheets[sheet]
        ws.freeze_panes = "A2"
        for j, col in enumerate(out.columns, start=1):
            ws.cell(row=1, column=j).font = Font(bold=True)
            fmt = excel_format(str(col))
            if fmt != "General":
                for i in range(2, len(out) + 2):
                    ws.cell(row=i, column=j).number_format = fmt
            width = max([len(str(col)), *(len(str(v)) for v in out[col].head(200))]) + 2
            ws.column_dimensions[get_column_letter(j)].width = min(max(width, 8), 40)
        if about:
            pd.DataFrame(list(about), columns=["parameter", "value"]).to_excel(
                writer, sheet_name="query", index=False)
            q = writer.sheets["query"]
            q.cell(row=1, column=1).font = Font(bold=True)
            q.cell(row=1, column=2).font = Font(bold=True)
            q.freeze_panes = "A2"
            q.column_dimensions["A"].width = 16
            q.column_dimensions["B"].width = 80
        neutralise(writer.book)  # no cell of a name or label can run as a formula
    return buf.getvalue()
