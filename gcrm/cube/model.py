"""The semantic model: dimensions and measures declared once, as data.

Every identifier that reaches SQL comes from here. A dimension maps to a column of the
star-schema join (``c`` = dim_customer, ``t`` = dim_time, ``fd`` = dim_feeder, ``f`` = the fact
table); a measure is either a base aggregate over one fact table or a ratio of base measures.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Fact = Literal["consumption", "payment"]
FACTS: tuple[Fact, ...] = ("consumption", "payment")


@dataclass(frozen=True)
class Dimension:
    name: str
    expr: str  # SQL over the star join
    label_en: str
    label_zh: str
    type: type = str
    facts: tuple[Fact, ...] = FACTS  # facts this dimension can slice
    parent: str | None = None  # hierarchy: the level above
    tables: tuple[str, ...] = ()  # optional tables it reads (an older warehouse lacks them)

    def label(self, lang: str = "en") -> str:
        return self.label_zh if lang.startswith("zh") else self.label_en


@dataclass(frozen=True)
class Measure:
    name: str
    label_en: str
    label_zh: str
    unit: str
    fmt: str
    fact: Fact | None = None  # base measure: the fact it aggregates
    agg: str | None = None  # base: SQL aggregate over the fact join
    rollup_agg: str | None = None  # base: SQL re-aggregate over a rollup (None: not summable)
    formula: str | None = None  # derived: SQL over base-measure columns
    needs: tuple[str, ...] = field(default_factory=tuple)  # derived: base measures used
    distinct: bool = False  # distinct counts re-aggregate only within one month
    #: aggregate used to build month-grain rollups when it differs from ``agg``: consumption
    #: has one row per (customer, month), so within a month count(*) = count(DISTINCT ...)
    month_agg: str | None = None

    def label(self, lang: str = "en") -> str:
        return self.label_zh if lang.startswith("zh") else self.label_en

    @property
    def derived(self) -> bool:
        return self.formula is not None


_D = Dimension
DIMENSIONS: dict[str, Dimension] = {d.name: d for d in (
    _D("city", "c.city_id", "City", "城市"),
    _D("district", "c.district_id", "District", "区县", parent="city"),
    _D("grid", "c.grid_id", "Grid cell (H3)", "网格", parent="district"),
    _D("year", "t.year", "Year", "年", type=int),
    _D("quarter", "t.quarter", "Quarter", "季度", parent="year"),
    _D("month", "t.month", "Month", "月份", parent="quarter"),
    _D("customer_class", "c.customer_class", "Customer class", "用电类别"),
    _D("segment", "c.segment", "Segment", "细分", parent="customer_class"),
    _D("tariff", "c.tariff", "Tariff", "电价"),
    _D("big_customer", "c.big_customer", "Big customer", "大客户", type=bool),
    _D("substation", "fd.substation_id", "Substation", "变电站"),
    _D("feeder", "c.feeder_id", "Feeder", "馈线", parent="substation"),
    _D("service_point", "c.service_point_id", "Home service point", "归属营业网点"),
    _D("customer", "c.customer_id", "Customer", "客户"),
    # the customer group (relations.csv, gcrm/accounts/groups.py): its head customer's id
    _D("group", "(SELECT g.group_id FROM dim_customer_group g WHERE g.customer_id = "
       "c.customer_id)", "Customer group", "客户集团", tables=("dim_customer_group",)),
    _D("channel", "f.channel", "Payment channel", "缴费渠道", facts=("payment",)),
)}

_M = Measure
MEASURES: dict[str, Measure] = {m.name: m for m in (
    _M("kwh", "Consumption", "用电量", "kWh", ",.0f", "consumption", "sum(f.kwh)", "sum(kwh)"),
    _M("peak_kwh", "Peak consumption", "峰段电量", "kWh", ",.0f", "consumption",
       "sum(f.peak_kwh)", "sum(peak_kwh)"),
    _M("flat_kwh", "Flat consumption", "平段电量", "kWh", ",.0f", "consumption",
       "sum(f.flat_kwh)", "sum(flat_kwh)"),
    _M("valley_kwh", "Valley consumption", "谷段电量", "kWh", ",.0f", "consumption",
       "sum(f.valley_kwh)", "sum(valley_kwh)"),
    _M("amount", "Billed amount", "应收电费", "yuan", ",.2f", "consumption", "sum(f.amount)",
       "sum(amount)"),
    _M("customers", "Customers", "客户数", "customers", ",.0f", "consumption",
       "count(DISTINCT f.customer_key)", "sum(customers)", distinct=True,
       month_agg="count(*)"),
    _M("paid", "Paid", "实收电费", "yuan", ",.2f", "payment", "sum(f.amount)", "sum(paid)"),
    _M("payments", "Payments", "缴费笔数", "payments", ",.0f", "payment", "count(*)",
       "sum(payments)"),
    # distinct payers: not summable over a rollup's channels or months, so from the facts only
    _M("payers", "Paying customers", "缴费客户数", "customers", ",.0f", "payment",
       "count(DISTINCT f.customer_key)", distinct=True),
    _M("online_payments", "Online payments", "线上缴费笔数", "payments", ",.0f", "payment",
       "count(*) FILTER (WHERE f.channel IN ('online', 'app'))", "sum(online_payments)"),
    _M("arrears", "Arrears (billed - paid)", "欠费(应收-实收)", "yuan", ",.2f",
       formula="coalesce(amount, 0) - coalesce(paid, 0)", needs=("amount", "paid")),
    _M("kwh_per_customer", "kWh per customer", "户均电量", "kWh", ",.1f",
       formula="kwh / NULLIF(customers, 0)", needs=("kwh", "customers")),
    _M("peak_share", "Peak share", "峰段占比", "%", ".1%",
       formula="peak_kwh / NULLIF(kwh, 0)", needs=("peak_kwh", "kwh")),
    _M("valley_share", "Valley share", "谷段占比", "%", ".1%",
       formula="valley_kwh / NULLIF(kwh, 0)", needs=("valley_kwh", "kwh")),
    _M("online_share", "Online payment share", "线上缴费占比", "%", ".1%",
       formula="online_payments / NULLIF(payments, 0)", needs=("online_payments", "payments")),
    _M("collection_rate", "Collection rate", "电费回收率", "%", ".1%",
       formula="paid / NULLIF(amount, 0)", needs=("paid", "amount")),
)}


def base_measures(names: list[str] | tuple[str, ...]) -> list[str]:
    """Base measures needed to compute ``names`` (order kept, no duplicates)."""
    out: list[str] = []
    for n in names:
        m = MEASURES[n]
        for b in (m.needs if m.derived else (n,)):
            if b not in out:
                out.append(b)
    return out
