"""Apache Spark for batch work: one session, configured from the settings, and the store as
Spark views.

Spark is optional (``pip install 'gcrm[spark]'`` plus a Java 17 runtime). Asking for it
without them raises :class:`SparkUnavailable` (a ``ValueError``: exit 2 with the reason on the
command line). Workers run the driver's Python (``PYSPARK_PYTHON``), so they import the same
GCRM code. The dashboards never use Spark: a session takes 10-20 s to start.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path
from typing import Any

from gcrm import config


class SparkUnavailable(ValueError):
    """Spark was asked for but pyspark or Java is missing."""


def missing() -> str | None:
    """Why Spark cannot start here, or None when it can."""
    try:
        import pyspark  # noqa: F401
    except ImportError:
        return "pyspark is not installed: pip install 'gcrm[spark]' (see docs/scale.md)"
    java_home = os.environ.get("JAVA_HOME")
    if not (java_home and Path(java_home, "bin", "java").exists()) and not shutil.which("java"):
        return "Spark needs a Java 17 runtime (Debian: apt-get install openjdk-17-jre-headless)"
    return None


_SESSION: Any = None


def session() -> Any:
    """The process's Spark session (created on first use from the ``spark_*`` settings)."""
    global _SESSION
    if _SESSION is not None:
        return _SESSION
    if reason := missing():
        raise SparkUnavailable(reason)
    os.environ["PYSPARK_PYTHON"] = sys.executable  # workers: the driver's Python and code
    os.environ["PYSPARK_DRIVER_PYTHON"] = sys.executable
    here = str(Path(__file__).resolve().parents[2])
    path = os.environ.get("PYTHONPATH", "")
    if here not in path.split(os.pathsep):
        os.environ["PYTHONPATH"] = os.pathsep.join(p for p in (here, path) if p)
    from pyspark.sql import SparkSession

    builder = (
        SparkSession.builder.master(config.get("spark_master")).appName("gcrm")
        .config("spark.driver.memory", config.get("spark_memory"))
        .config("spark.executor.memory", config.get("spark_memory"))
        .config("spark.sql.shuffle.partitions", config.get("spark_shuffle_partitions"))
        .config("spark.sql.session.timeZone", "UTC")
        # partition folders (month=2025-01) stay text, as the store's pinned schema says
        .config("spark.sql.sources.partitionColumnTypeInference.enabled", "false")
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
    )
    if local_dir := config.get("spark_local_dir"):
        builder = builder.config("spark.local.dir", local_dir)
    _SESSION = builder.getOrCreate()
    _SESSION.sparkContext.setLogLevel("ERROR")
    return _SESSION


def stop() -> None:
    """Stop the session (tests and the CLI at exit)."""
    global _SESSION
    if _SESSION is not None:
        _SESSION.stop()
        _SESSION = None


def register_store(spark: Any, store: str | os.PathLike) -> list[str]:
    """Every table of the Parquet store ``store`` as a Spark temp view; return their names."""
    from gcrm.storage.lake import tables

    store = Path(store).resolve()
    names = tables(store)
    for name in names:
        spark.read.option("basePath", str(store / name)).parquet(
            str(store / name)).createOrReplaceTempView(name)
    return names
