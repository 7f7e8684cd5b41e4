"""Find and open input files (CSV or Parquet) as DuckDB relations with a row number.

CSV is parsed by pyarrow (all columns as text, exact row order), Parquet by DuckDB
(``file_row_number``). Either way the relation has a ``__row`` column counting data rows
from 1, and every contract column is text so validation is uniform.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from etl.errors import InputError
from etl.spec import FileSpec
from etl.validate import q


@dataclass(frozen=True)
class Source:
    spec: FileSpec
    path: Path
    columns: tuple[str, ...]

    @property
    def file(self) -> str:
        return self.path.name

    @property
    def is_parquet(self) -> bool:
        return self.path.suffix == ".parquet"


def column_types(con: duckdb.DuckDBPyConnection, view: str) -> dict[str, str]:
    """Column name -> DuckDB type name of a registered view."""
    return {r[0]: r[1] for r in con.execute(f"DESCRIBE {q(view)}").fetchall()}


def find(input_dir: Path, spec: FileSpec) -> Path | None:
    for suffix in (".csv", ".parquet"):
        path = input_dir / f"{spec.name}{suffix}"
        if path.exists():
            return path
    return None


def header(path: Path) -> tuple[str, ...]:
    """Column names of a CSV or Parquet file, stripped of spaces (and a UTF-8 BOM)."""
    try:
        if path.suffix == ".parquet":
            return tuple(n.strip() for n in pq.read_schema(path).names)
        with path.open(encoding="utf-8-sig", newline="") as fh:
            first = next(csv.reader(fh), None)
    except UnicodeDecodeError as exc:
        raise InputError(path.name, f"not UTF-8 text ({exc.reason} at byte {exc.start})") from exc
    except (OSError, pa.ArrowException) as exc:
        raise InputError(path.name, f"cannot be read: {exc}") from exc
    if not first:
        raise InputError(path.name, "empty file: no header row")
    return tuple(n.strip() for n in first)


def open_source(input_dir: Path, spec: FileSpec, must_have: tuple[str, ...]) -> Source | None:
    """Locate ``spec``'s file and check its header; None when the file is absent."""
    path = find(input_dir, spec)
    if path is None:
        return None
    cols = header(path)
    for name in must_have:
        if name not in cols:
            raise InputError(path.name, f"required column missing (has: {', '.join(cols)})", name)
    return Source(spec, path, cols)


def register(con: duckdb.DuckDBPyConnection, source: Source, view: str) -> int:
    """Register ``source`` as temp view ``view`` (plus ``__row``); return the row count.

    CSV columns are text; Parquet columns keep their stored types (the validation casts what
    it needs, so numbers stored as numbers are not round-tripped through text).
    """
    if source.is_parquet:
        rel = con.read_parquet(str(source.path), file_row_number=True)
        names = [c for c in rel.columns if c != "file_row_number"]
        exprs = [f"{q(c)} AS {q(c.strip())}" for c in names]
        rel = rel.project(", ".join([*exprs, "file_row_number + 1 AS __row"]))
        rel.create_view(view, replace=True)
    else:
        try:
            table = pacsv.read_csv(
                source.path,
                read_options=pacsv.ReadOptions(
                    encoding="utf8", column_names=list(source.columns), skip_rows=1
                ),
                convert_options=pacsv.ConvertOptions(
                    column_types={n: pa.string() for n in source.columns},
                    strings_can_be_null=False,
                    quoted_strings_can_be_null=False,
                ),
            )
        except pa.ArrowInvalid as exc:
            raise InputError(source.file, f"malformed CSV: {exc}") from exc
        table = table.append_column("__row", pa.array(range(1, table.num_rows + 1), pa.int64()))
        con.register(f"{view}__arrow", table)
        con.execute(f'CREATE OR REPLACE TEMP VIEW "{view}" AS SELECT * FROM "{view}__arrow"')
    return con.execute(f'SELECT count(*) FROM "{view}"').fetchone()[0]

