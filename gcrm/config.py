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
    Setting("forecast_models", "SeasonalNaive,AutoETS,Theta,MSTL",
            "Candidate forecast models (comma-separated; also AutoTheta, AutoARIMA), "
            "used by forecast_selection."),
    Setting("forecast_windows", "3", "Rolling-origin backtest windows of a forecast."),
    Setting("forecast_min_months", "14", "Shortest history (months) a forecast accepts."),
    Setting("forecast_selection", "median",
            "How a series' model is picked: median or ensemble (median or mean of the "
            "candidate models), best (lowest backtest error) or one model's name."),
    Setting("forecast_reconcile", "mint_shrink",
            "Reconciliation of the levels: mint_shrink, wls_var, wls_struct, ols or "
            "bottom_up."),
    Setting("forecast_festival", "false",
            "true: the Spring Festival share of each month as an AutoARIMA regressor."),
    Setting("require_user", "false",
            "true: every data command needs --user (no unrestricted local operator)."),
    Setting("tariff_own_elasticity",
            "residential=-0.04,commercial=-0.02,industrial=-0.02,agricultural=-0.03,"
            "public=-0.01",
            "Tariff what-if: own-price elasticity of total consumption per customer class."),
    Setting("tariff_substitution_elasticity",
            "residential=0.08,commercial=0.05,industrial=0.10,agricultural=0.05,public=0.02",
            "Tariff what-if: elasticity of substitution between peak, flat and valley per "
            "customer class."),
    Setting("tariff_multipliers", "居民分时=1.5/1/0.5,大工业两部制=1.5/1/0.5",
            "Tariff what-if: peak/flat/valley price multipliers of the current time-of-use "
            "tariffs (other tariffs are flat)."),
    Setting("tariff_period_hours", "8/8/8",
            "Tariff policy check: hours a day of the peak, flat and valley periods."),
    Setting("tariff_dir", "",
            "Folder of saved tariff scenarios; empty = 'tariffs' beside the warehouse file."),
    # revenue protection (docs/revenue.md): line-loss thresholds per level, as fractions
    Setting("loss_high_transformer", "0.10",
            "A transformer area (台区) whose line-loss rate is above this is 'high'."),
    Setting("loss_negative_transformer", "-0.01",
            "A transformer area whose line-loss rate is below this is 'negative'."),
    Setting("loss_high_feeder", "0.07",
            "A 10 kV feeder whose line-loss rate (supply to billed customers) is above this "
            "is 'high'."),
    Setting("loss_negative_feeder", "-0.01",
            "A feeder whose line-loss rate is below this is 'negative'."),
    Setting("loss_high_district", "0.08",
            "A district (sum of its transformer areas) whose loss rate is above this is 'high'."),
    Setting("loss_negative_district", "-0.01",
            "A district whose loss rate is below this is 'negative'."),
    Setting("alert_drop_pct", "30",
            "Key-account alert consumption_drop: kWh of the month more than this % below the "
            "same month last year."),
    Setting("alert_jump_pct", "100",
            "Key-account alert consumption_jump: kWh of the month more than this % above the "
            "same month last year."),
    Setting("alert_arrears_days", "60",
            "Key-account alert arrears_age: the oldest unpaid bill overdue more than this many "
            "days."),
    Setting("alert_outage_minutes", "30",
            "Key-account alert outage_hit: an outage on the customer's feeder at least this "
            "many minutes long."),
    Setting("alert_complaint_days", "7",
            "Key-account alert complaint_open: a complaint still open this many days after it "
            "was received."),
    Setting("alert_anniversary_days", "14",
            "Key-account alert anniversary: the account's opening anniversary within this many "
            "days."),
    Setting("alert_contract_days", "30",
            "Key-account alert contract_end: the supply contract (optional contract_end column "
            "of customers.csv) ends within this many days."),
    Setting("visit_speed_kmh", "30",
            "Visit planning: average travel speed (km/h) over straight-line distances when no "
            "road network is loaded."),
    Setting("visit_minutes", "45", "Visit planning: time spent at each customer (minutes)."),
    Setting("spark_master", "local[2]",
            "Spark master for --engine spark: local[N] on this machine, or a cluster URL "
            "(spark://host:7077, yarn, k8s://...)."),
    Setting("spark_memory", "2g", "Spark driver and executor memory for --engine spark."),
    Setting("spark_shuffle_partitions", "8",
            "Spark shuffle partitions for --engine spark (a few per core; hundreds on a "
            "cluster)."),
    Setting("spark_local_dir", "",
            "Folder for Spark's shuffle and spill files with --engine spark (empty: Spark's "
            "default, the system temp folder); at province scale it needs tens of GB."),
    Setting("store_partitions", "month",
            "How a Parquet store splits its facts (gcrm etl --engine spark, gcrm store "
            "export; --partition-by): a comma-separated list of province, city, month. "
            "Month only for the demo; city,month (province,city,month) at scale."),
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
