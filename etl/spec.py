"""The input contract as data: one :class:`FileSpec` per input file.

See docs/input-contract.md. The validation SQL is compiled from these specs by
:mod:`etl.validate`, so the contract, the checks and the docs have one source.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from gcrm.vocab import (  # noqa: F401  (re-exported: the contract's vocabularies)
    CHANNELS,
    CUSTOMER_CLASSES,
    REGION_LEVELS,
    RELATION_KINDS,
    SERVICE_KINDS,
    SERVICE_POINT_KINDS,
    SUPPLY_LEVELS,
)

Kind = Literal["text", "number", "month", "date", "timestamp", "bool", "enum"]

TRUE_WORDS = ("true", "1", "yes", "t", "y", "是")
FALSE_WORDS = ("false", "0", "no", "f", "n", "否")


@dataclass(frozen=True)
class Col:
    """One input column: its type, whether it is required, and its checks."""

    name: str
    kind: Kind = "text"
    required: bool = False
    nonneg: bool = False
    values: tuple[str, ...] = ()
    enum_reason: str = "unknown_value"
    ref: str | None = None  # "customer" | "feeder": must exist
    default: str | None = None  # SQL literal used when the optional value is empty
    window: bool = True  # a date outside the plausible window is rejected (date_out_of_range)


@dataclass(frozen=True)
class FileSpec:
    name: str  # logical name, e.g. "customers"; file is <name>.csv or <name>.parquet
    key: tuple[str, ...]
    columns: tuple[Col, ...]
    required: bool = True
    keep_extra: bool = False  # extra columns stored in the `attrs` JSON column

    @property
    def required_columns(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.required or c.name in self.key)

    def col(self, name: str) -> Col:
        return next(c for c in self.columns if c.name == name)


SERVICE_POINTS = FileSpec(
    "service_points",
    key=("service_point_id",),
    required=False,
    keep_extra=True,
    columns=(
        Col("service_point_id", required=True),
        Col("name", required=True),
        Col("kind", "enum", required=True, values=SERVICE_POINT_KINDS, enum_reason="unknown_kind"),
        Col("lon", "number", required=True),
        Col("lat", "number", required=True),
    ),
)

FEEDERS = FileSpec(
    "feeders",
    key=("feeder_id",),
    required=False,
    columns=(
        Col("feeder_id", required=True),
        Col("substation_id", required=True),
        Col("name"),
        Col("substation_name"),
        Col("lon", "number"),
        Col("lat", "number"),
    ),
)

CUSTOMERS = FileSpec(
    "customers",
    key=("customer_id",),
    keep_extra=True,
    columns=(
        Col("customer_id", required=True),
        Col("name", required=True),
        Col(
            "customer_class", "enum", required=True, values=CUSTOMER_CLASSES,
            enum_reason="unknown_class",
        ),
        Col("tariff", required=True),
        # lon/lat are required columns but may be empty: such customers are kept, unlocated.
        Col("lon", "number"),
        Col("lat", "number"),
        Col("feeder_id", required=True),
        Col("phone"),
        Col("id_number"),
        Col("address"),
        # an account may be older than any record: opening dates are not window-checked
        Col("opened_on", "date", window=False),
        Col("big_customer", "bool", default="FALSE"),
        Col("service_point_id"),
        Col("segment"),
        # the transformer area (台区) feeding the customer; an unknown id is kept, unattached
        Col("transformer_id"),
    ),
)
#: Columns that must be present in customers.csv even though their values may be empty.
CUSTOMER_PRESENT = ("lon", "lat")

CONSUMPTION = FileSpec(
    "consumption",
    key=("customer_id", "month"),
    columns=(
        Col("customer_id", required=True, ref="customer"),
        Col("month", "month", required=True),
        Col("kwh", "number", required=True, nonneg=True),
        Col("peak_kwh", "number", nonneg=True),
        Col("flat_kwh", "number", nonneg=True),
        Col("valley_kwh", "number", nonneg=True),
        Col("amount", "number", nonneg=True),
    ),
)

PAYMENTS = FileSpec(
    "payments",
    key=("payment_id",),
    columns=(
        Col("payment_id", required=True),
        Col("customer_id", required=True, ref="customer"),
        Col("paid_at", "timestamp", required=True),
        Col("amount", "number", required=True, nonneg=True),
        Col("channel", "enum", required=True, values=CHANNELS, enum_reason="unknown_channel"),
        Col("service_point_id"),
    ),
)

OUTAGES = FileSpec(
    "outages",
    key=("outage_id",),
    columns=(
        Col("outage_id", required=True),
        Col("feeder_id", required=True, ref="feeder"),
        Col("start", "timestamp", required=True),
        Col("end", "timestamp", required=True),
        Col("cause", required=True),
        Col("planned", "bool", required=True),
    ),
)

SERVICE_RECORDS = FileSpec(
    "service_records",
    key=("service_id",),
    required=False,
    columns=(
        Col("service_id", required=True),
        Col("customer_id", required=True, ref="customer"),
        Col("kind", "enum", required=True, values=SERVICE_KINDS, enum_reason="unknown_kind"),
        Col("opened_at", "timestamp", required=True),
        Col("closed_at", "timestamp"),
        Col("status"),
        Col("channel"),
        Col("topic"),
        Col("note"),
    ),
)

POPULATION = FileSpec(
    "population",
    key=("cell_id",),
    required=False,
    columns=(
        Col("cell_id", required=True),
        Col("lon", "number", required=True),
        Col("lat", "number", required=True),
        Col("resident", "number", required=True, nonneg=True),
        Col("floating", "number", required=True, nonneg=True),
    ),
)

# Revenue-protection inputs (docs/revenue.md): transformer areas, supply meters, daily reads.
TRANSFORMERS = FileSpec(
    "transformers",
    key=("transformer_id",),
    required=False,
    columns=(
        Col("transformer_id", required=True),
        Col("feeder_id", required=True, ref="feeder"),
        Col("name"),
        Col("capacity_kva", "number", nonneg=True),
        Col("lon", "number"),
        Col("lat", "number"),
    ),
)

SUPPLY = FileSpec(
    "supply",
    key=("point_id", "level", "month"),
    required=False,
    columns=(
        Col("point_id", required=True),  # a feeder or a transformer, by level (etl.revenue)
        Col("level", "enum", required=True, values=SUPPLY_LEVELS, enum_reason="unknown_level"),
        Col("month", "month", required=True),
        Col("kwh", "number", required=True, nonneg=True),
    ),
)

DAILY_READS = FileSpec(
    "daily_reads",
    key=("customer_id", "date"),
    required=False,
    columns=(
        Col("customer_id", required=True, ref="customer"),
        Col("date", "date", required=True),
        Col("kwh", "number", required=True, nonneg=True),
    ),
)

#: customers related to each other (key accounts: group companies, payers, one owner)
RELATIONS = FileSpec(
    "relations",
    key=("customer_id", "related_id", "kind"),
    required=False,
    columns=(
        Col("customer_id", required=True, ref="customer"),
        Col("related_id", required=True, ref="customer"),
        Col("kind", "enum", required=True, values=RELATION_KINDS, enum_reason="unknown_kind"),
    ),
)

#: Load order: dimensions before the facts that refer to them.
TABULAR: tuple[FileSpec, ...] = (
    SERVICE_POINTS, FEEDERS, CUSTOMERS, CONSUMPTION, PAYMENTS, OUTAGES, SERVICE_RECORDS,
    POPULATION, TRANSFORMERS, SUPPLY, DAILY_READS, RELATIONS,
)

REGIONS_FILES = ("regions.geojson", "regions.gpkg")
REGION_PROPS = ("region_id", "name", "level", "parent_id")


@dataclass
class FileCount:
    """Per-file accounting printed in the load summary: loaded + rejected = read."""

    file: str
    read: int = 0
    loaded: int = 0
    rejected: int = 0
    notes: list[str] = field(default_factory=list)

    @property
    def balanced(self) -> bool:
        return self.loaded + self.rejected == self.read
