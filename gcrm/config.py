"""Settings: one registry of (name, default, help), read from the environment.

Every setting can be overridden with an environment variable ``GCRM_<NAME>`` (upper case).
``tests/test_config.py`` checks that every setting is documented in docs/configuration.md.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Setting:
    name: str
    default: str
    help: str

    @property
    def env(self) -> str:
        return f"GCRM_{self.name.upper()}"

    def value(self) -> str:
        return os.environ.get(self.env, self.default)


SETTINGS: tuple[Setting, ...] = (
    Setting("db", "data/gcrm.duckdb", "Path of the DuckDB warehouse file."),
    Setting("basemap_url", "", "Optional XYZ tile URL template for a basemap; empty = none."),
    Setting("lang", "en", "Default UI language: en or zh-CN."),
    Setting("map_geometry", "simplified",
            "Region boundaries on the overview map: simplified (~100 m, the default) or full "
            "(full resolution; slower, for comparison and the page benchmark)."),
    Setting("threads", "", "DuckDB worker threads; empty = all cores."),
    Setting("memory_limit", "", "DuckDB memory limit such as '4GB'; empty = DuckDB default."),
    Setting("date_min", "1990-01-01",
            "Earliest date a loaded record may carry; older rows are rejected as "
            "date_out_of_range."),
    Setting("date_max_ahead_days", "366",
            "How many days after the load date a record may be dated; later rows are rejected "
            "as date_out_of_range."),
    Setting("max_columns", "500",
            "Input files with more columns than this are refused before they are read."),
    Setting("min_cell", "5",
            "Disclosure control: cells describing fewer customers are suppressed for roles "
            "without the read_pii permission."),
    Setting("require_user", "false",
            "true: every data command needs --user (no unrestricted local operator)."),
    Setting("spark_master", "local[2]",
            "Spark master for --engine spark: local[N] on this machine, or a cluster URL "
            "(spark://host:7077, yarn, k8s://...)."),
    Setting("spark_memory", "2g", "Spark driver and executor memory for --engine spark."),
    Setting("spark_shuffle_partitions", "8",
            "Spark shuffle partitions for --engine spark (a few per core; hundreds on a "
            "cluster)."),
)

_BY_NAME = {s.name: s for s in SETTINGS}


def get(name: str) -> str:
    """Current value of setting ``name`` (environment first, then the default)."""
    return _BY_NAME[name].value()


def db_path(explicit: str | os.PathLike | None = None) -> Path:
    """The warehouse path: explicit argument, else ``$GCRM_DB``, else ``data/gcrm.duckdb``."""
    return Path(explicit) if explicit else Path(get("db"))


ROOT = Path(__file__).resolve().parent.parent
GEODATA = ROOT / "geodata"
