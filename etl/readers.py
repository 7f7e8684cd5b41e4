"""Find and open input files (CSV or Parquet) as DuckDB relations with a row number.

CSV is parsed by pyarrow (all columns as text, exact row order), Parquet by DuckDB
(``file_row_number``). Either way the relation has a ``__row`` column counting data rows
from 1, and every contract column is text so validation is uniform.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from etl.errors import InputError, bad_setting, brief
from etl.spec import FileSpec
from etl.validate import q
from gcrm import config


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


#: DuckDB errors that say something about the bytes of an input file (corrupt pages, bad
#: compression, unconvertible values); plain ``duckdb.Error`` is what a damaged Parquet page
#: raises. Everything else (our SQL, memory, interrupts) stays an internal error.
FILE_ERRORS = (duckdb.IOException, duckdb.InvalidInputException, duckdb.DataError,
               pa.ArrowException)


@contextmanager
def reading(file: str) -> Iterator[None]:
    """Turn errors from reading ``file``'s rows into an :class:`InputError` naming it.

    Only the first line of the library's message is kept (they may quote whole rows).
    """
    try:
        yield
    except FILE_ERRORS as exc:
        if isinstance(exc, duckdb.IOException) and file not in str(exc):
            raise  # an I/O error elsewhere (a full temp disk) is not the file's fault
        raise InputError(file, f"cannot be read: {brief(exc)}") from exc
    except duckdb.Error as exc:
        if type(exc) is not duckdb.Error:
            raise
        raise InputError(file, f"cannot be read: {brief(exc)}") from exc


def column_types(con: duckdb.DuckDBPyConnection, view: str) -> dict[str, str]:
    """Column name -> DuckDB type name of a registered view."""
    return {r[0]: r[1] for r in con.execute(f"DESCRIBE {q(view)}").fetchall()}


def find(input_dir: Path, spec: FileSpec) -> Path | None:
    for suffix in (".csv", ".parquet"):
        path = input_dir / f"{spec.name}{suffix}"
        if path.exists():
            return path
    return None


#: A CSV header may take this many characters per allowed column; a longer one is refused
#: without being read further (a runaway first line must not be held in memory).
HEADER_CHARS_PER_COLUMN = 1024


def max_columns() -> int:
    """The ``max_columns`` setting: files with more columns are refused unread."""
    raw = config.get("max_columns")
    n = int(raw) if raw.strip().isdigit() else 0
    if n < 1:
        raise bad_setting("max_columns", raw, "a whole number of at least 1")
    return n


def _csv_header(path: Path, budget: int) -> list[str] | None:
    """First CSV record, reading at most ``budget`` characters (quoted newlines allowed)."""
    with path.open(encoding="utf-8-sig", newline="") as fh:

        def lines() -> Iterator[str]:
            used = 0
            while line := fh.readline(budget - used + 1):
                used += len(line)
                if used > budget:
                    raise InputError(path.name, f"header row longer than {budget:,} characters "
                                     f"(setting max_columns x {HEADER_CHARS_PER_COLUMN})")
                yield line

        return next(csv.reader(lines()), None)


def header(path: Path) -> tuple[str, ...]:
    """Column names of a CSV or Parquet file, stripped of spaces (and a UTF-8 BOM).

    Refuses, before any row is read: more than ``max_columns`` columns, a column name that
    appears twice (after stripping), an empty or unreadable header. Messages name the file and
    the column, never a value from the rows.
    """
    limit = max_columns()
    try:
        if path.suffix == ".parquet":
            names = pq.read_schema(path).names
        else:
            names = _csv_header(path, limit * HEADER_CHARS_PER_COLUMN)
    except UnicodeDecodeError as exc:
        raise InputError(path.name, f"not UTF-8 text ({exc.reason} at byte {exc.start})") from exc
    except csv.Error as exc:
        raise InputError(path.name, f"malformed header row ({brief(exc)})") from exc
    except (OSError, pa.ArrowException) as exc:
        raise InputError(path.name, f"cannot be read: {brief(exc)}") from exc
    if not names:
        raise InputError(path.name, "empty file: no header row")
    if len(names) > limit:
        raise InputError(path.name, f"{len(names):,} columns, more than {limit} (setting "
                         f"max_columns): refused before reading its rows")
    cols = tuple(n.strip() for n in names)
    seen: set[str] = set()
    for name in cols:
        if name in seen:
            raise InputError(path.name, "appears more than once in the header", name)
        seen.add(name)
    return cols


def open_source(input_dir: Path, spec: FileSpec, must_have: tuple[str, ...]) -> Source | None:
    """Locate ``spec``'s file and check its header; None when the file is absent."""
    path = find(input_dir, spec)
    if path is None:
        return None
    cols = header(path)
    known = {c.name for c in spec.columns}
    for name in must_have:
        if name in cols:
            continue
        if known.isdisjoint(cols):  # the first row is data, not a header: do not echo it
            raise InputError(path.name, "required column missing: the first row names none of "
                             "the file's columns (is the header row missing?)", name)
        raise InputError(path.name, f"required column missing (has: {', '.join(cols)})", name)
    return Source(spec, path, cols)


def register(con: duckdb.DuckDBPyConnection, source: Source, view: str) -> int:
    """Register ``source`` as temp view (Parquet) or table (CSV) ``view``, plus ``__row``;
    return the row count.

    CSV columns are text; Parquet columns keep their stored types (the validation casts what
    it needs, so numbers stored as numbers are not round-tripped through text). A CSV file is
    streamed into a DuckDB temp table a block at a time (DuckDB spills past its memory limit),
    so no file is ever held whole in memory, however large.
    """
    if source.is_parquet:
        rel = con.read_parquet(str(source.path), file_row_number=True)
        names = [c for c in rel.columns if c != "file_row_number"]
        exprs = [f"{q(c)} AS {q(c.strip())}" for c in names]
        rel = rel.project(", ".join([*exprs, "file_row_number + 1 AS __row"]))
        rel.create_view(view, replace=True)
        return con.execute(f'SELECT count(*) FROM "{view}"').fetchone()[0]
    return _stream_csv(con, source, view)


#: bytes of CSV text parsed at a time (one insert into the temp table per block)
CSV_BLOCK = 16 << 20
#: a CSV file up to this size is parsed whole, on every thread (pyarrow's streaming reader
#: parses on one; 1M customers, 202 MB: 1.75 s -> ~0.8 s), holding ~1.3x its size in Arrow
#: memory meanwhile; bigger ones are streamed, so a load's peak memory stays where
#: docs/scale.md gives it for millions of customers
CSV_WHOLE = 256 << 20


def _csv_options(names: list[str]) -> dict:
    """pyarrow's options for every CSV file: all columns text, nothing read as NULL."""
    return {
        "read_options": pacsv.ReadOptions(encoding="utf8", column_names=names, skip_rows=1,
                                          block_size=CSV_BLOCK),
        "convert_options": pacsv.ConvertOptions(
            column_types={n: pa.string() for n in names},
            strings_can_be_null=False,
            quoted_strings_can_be_null=False,
        ),
    }


def _stream_csv(con: duckdb.DuckDBPyConnection, source: Source, view: str) -> int:
    """Every row of the CSV file, all text, numbered from 1, into temp table ``view``; the
    number of rows."""
    names = list(source.columns)
    if con.execute("SELECT count(*) FROM duckdb_views() WHERE view_name = ?",
                   [view]).fetchone()[0]:
        con.execute(f'DROP VIEW "{view}"')
    con.execute(f'CREATE OR REPLACE TEMP TABLE "{view}" ('
                + ", ".join([*(f"{q(n)} VARCHAR" for n in names), "__row BIGINT"]) + ")")
    rows = 0
    try:
        if source.path.stat().st_size <= CSV_WHOLE:
            tables = iter([pacsv.read_csv(source.path, **_csv_options(names))])
        else:
            tables = (pa.Table.from_batches([batch])
                      for batch in pacsv.open_csv(source.path, **_csv_options(names)))
        for table in tables:
            block = table.append_column(
                "__row", pa.array(range(rows + 1, rows + 1 + table.num_rows), pa.int64()))
            con.register("csv_block__arrow", block)
            con.execute(f'INSERT INTO "{view}" SELECT * FROM csv_block__arrow')
            con.unregister("csv_block__arrow")
            rows += table.num_rows
    except pa.ArrowInvalid as exc:
        raise InputError(source.file, f"malformed CSV: {_malformed(source, exc)}") from exc
    return rows


def _malformed(source: Source, exc: pa.ArrowInvalid) -> str:
    """Where a CSV breaks, without the row's contents (pyarrow quotes the whole row)."""
    width = len(source.columns)
    try:
        with source.path.open(encoding="utf-8-sig", newline="") as fh:
            rows = csv.reader(fh)
            next(rows, None)
            # data rows count from 1; blank lines are skipped (as the reader skips them)
            for number, row in enumerate((r for r in rows if r), start=1):
                if len(row) != width:
                    return f"row {number} has {len(row)} fields, the header {width}"
    except (csv.Error, UnicodeDecodeError, OSError):
        pass
    return re.sub(r"(got \d+):.*", r"\1", brief(exc), flags=re.S)
