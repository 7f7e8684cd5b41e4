"""Input files as Spark DataFrames of text with ``__row`` (data rows from 1, in file order).

CSV is read as the DuckDB load reads it (pyarrow there): every column text, the header row
skipped, RFC 4180 quoting (``""`` inside quotes), an empty field is the empty string, no
newlines inside values, and a row with the wrong number of fields stops the load (exit 2).
Parquet columns keep their stored types, as in the DuckDB load. Row numbers come from the
scan itself (partition index and position, then each partition's offset) with no Python and no
global sort.
"""

from __future__ import annotations

from typing import Any

from etl import readers
from etl.errors import InputError, brief

#: a null marker no input holds: Spark's CSV reader would otherwise turn "" into null
_NO_NULL = "\u0000gcrm:null\u0000"


def _csv(spark: Any, src: readers.Source) -> Any:
    from pyspark.sql.types import StringType, StructField, StructType

    schema = StructType([StructField(c, StringType()) for c in src.columns])
    return spark.read.csv(
        str(src.path), schema=schema, header=True, enforceSchema=True, encoding="UTF-8",
        quote='"', escape='"', nullValue=_NO_NULL, emptyValue="", mode="FAILFAST",
        multiLine=False, ignoreLeadingWhiteSpace=False, ignoreTrailingWhiteSpace=False)


#: Spark type names as DuckDB's, so the validation keeps native Parquet columns as it does there
DUCKDB_TYPES = {"double": "DOUBLE", "float": "FLOAT", "bigint": "BIGINT", "int": "INTEGER",
                "smallint": "SMALLINT", "tinyint": "TINYINT", "date": "DATE",
                "timestamp": "TIMESTAMP", "timestamp_ntz": "TIMESTAMP", "string": "VARCHAR"}


def _parquet(spark: Any, src: readers.Source) -> Any:
    from pyspark.sql import functions as F

    df = spark.read.parquet(str(src.path))
    return df.select(*(F.col(f"`{c}`").alias(c.strip()) for c in df.columns))


def types(df: Any) -> dict[str, str]:
    """Column -> DuckDB type name (what :func:`etl.validate.compile_normalised` expects)."""
    return {f.name: DUCKDB_TYPES.get(f.dataType.simpleString(), "OTHER") for f in df.schema}


def read(spark: Any, src: readers.Source) -> tuple[Any, int]:
    """(DataFrame with the file's columns as text, then ``__row``; rows read)."""
    from pyspark.errors import PySparkException
    from pyspark.sql import functions as F

    df = _parquet(spark, src) if src.is_parquet else _csv(spark, src)
    if src.is_parquet:
        cols = [F.col(f"`{c}`") for c in df.columns]
    else:  # Spark reads an empty field as null whatever nullValue says; pyarrow reads ""
        cols = [F.coalesce(F.col(f"`{c}`"), F.lit("")).alias(c) for c in df.columns]
    tagged = df.select(*cols, F.spark_partition_id().alias("__pid"),
                       F.monotonically_increasing_id().alias("__mid"))
    try:
        sizes = dict(tagged.groupBy("__pid").count().collect())
    except PySparkException as exc:
        raise InputError(src.file, f"malformed {'Parquet' if src.is_parquet else 'CSV'}: "
                         f"{brief(exc)}") from exc
    offsets, total = [], 0
    for pid in range(max(sizes, default=-1) + 1):
        offsets.append(total)
        total += sizes.get(pid, 0)
    offset = F.element_at(F.array(*(F.lit(o) for o in offsets or [0])), F.col("__pid") + 1)
    position = F.col("__mid") - F.shiftleft(F.col("__pid").cast("bigint"), 33)
    cols = [F.col(f"`{c}`") for c in df.columns]
    out = tagged.select(*cols, (position + offset + 1).cast("bigint").alias("__row"))
    return out, total
