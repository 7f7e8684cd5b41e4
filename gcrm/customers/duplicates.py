"""Suspected duplicate customers: the same person or premises under two customer numbers.

Rules, strongest first (a group found by a stronger rule is not repeated by a weaker one):

``name_phone_address``
    same name, phone and address — the groups of the data-quality report
    (:func:`gcrm.storage.quality.quality_report`), reused as they are;
``name_phone``
    same name and phone (the address differs or is missing);
``address``
    the same *normalised* address (:func:`normalise_address`: full-width to half-width,
    no spaces or punctuation, 號/栋/幢 spelled 号/号楼, no trailing 室) that is specific
    enough to name one dwelling (at least :data:`MIN_ADDRESS_LEN` characters and a number).

Customers already merged into another (:mod:`gcrm.customers.merge`) are left out, so a resolved
group disappears. Region scope applies; all values are bound parameters.
"""

from __future__ import annotations

import re
import sqlite3
import unicodedata
from collections.abc import Sequence

import duckdb
import pandas as pd

from gcrm.security.scope import scope_sql
from gcrm.storage.quality import quality_report

RULES = ("name_phone_address", "name_phone", "address")
MIN_ADDRESS_LEN = 6
COLUMNS = ("group", "rule", "customer_id", "name", "customer_class", "phone", "id_number",
           "address", "district_id", "opened_on")
_PUNCT = re.compile(r"[\s\-_,，.。·、:：;；#＃()（）\[\]【】/\\'\"“”‘’]+")


def normalise_address(address: object) -> str:
    """A comparable form of an address.

    >>> normalise_address("东昌区 民主街３００号２５栋３单元１５０３室")
    '东昌区民主街300号25号楼3单元1503'
    >>> normalise_address("东昌区民主街300號25号楼3单元1503")
    '东昌区民主街300号25号楼3单元1503'
    """
    if address is None or (isinstance(address, float) and address != address):
        return ""
    s = unicodedata.normalize("NFKC", str(address)).lower()
    s = _PUNCT.sub("", s)
    s = s.replace("號", "号")
    s = re.sub(r"(\d+)(?:栋|幢|號樓|号楼)", r"\1号楼", s)
    return re.sub(r"室$", "", s)


def _specific(norm: str) -> bool:
    return len(norm) >= MIN_ADDRESS_LEN and any(ch.isdigit() for ch in norm)


def groups(customers: pd.DataFrame, exact: Sequence[Sequence[str]] = (),
           exclude: Sequence[str] = ()) -> pd.DataFrame:
    """Pure part: suspected groups among ``customers`` (``customer_id``, ``name``, ``phone``,
    ``address``, ...). ``exact`` are groups already known by name + phone + address;
    ``exclude`` are ids left out (merged away). One row per member, columns :data:`COLUMNS`
    (those present), groups numbered 1.. by rule strength, then size, then first id."""
    c = customers[~customers["customer_id"].isin(set(exclude))].copy()
    known = set(c["customer_id"])
    found: list[tuple[str, tuple[str, ...]]] = []
    seen: set[tuple[str, ...]] = set()

    def add(rule: str, ids) -> None:
        members = tuple(sorted(i for i in ids if i in known))
        if len(members) > 1 and members not in seen:
            seen.add(members)
            found.append((rule, members))

    for g in exact:
        add("name_phone_address", g)
    named = c.dropna(subset=["name", "phone"])
    named = named[(named["name"].astype(str).str.strip() != "")
                  & (named["phone"].astype(str).str.strip() != "")]
    named = named[named.duplicated(["name", "phone"], keep=False)]
    for _, sub in named.groupby(["name", "phone"], sort=True):
        add("name_phone", sub["customer_id"])
    c["_addr"] = c["address"].map(normalise_address)
    addr = c[c["_addr"].map(_specific)]
    addr = addr[addr.duplicated("_addr", keep=False)]
    for _, sub in addr.groupby("_addr", sort=True):
        add("address", sub["customer_id"])
    rank = {r: i for i, r in enumerate(RULES)}
    found.sort(key=lambda g: (rank[g[0]], -len(g[1]), g[1]))
    by_id = c.set_index("customer_id")
    rows = []
    for no, (rule, members) in enumerate(found, start=1):
        for cid in members:
            rec = by_id.loc[cid]
            rows.append({"group": no, "rule": rule, "customer_id": cid,
                         **{k: rec[k] for k in COLUMNS[3:] if k in by_id.columns}})
    cols = [k for k in COLUMNS if k in ("group", "rule", "customer_id") or k in by_id.columns]
    return pd.DataFrame(rows, columns=cols)


def suspects(con: duckdb.DuckDBPyConnection, store: sqlite3.Connection | None = None,
             scope: Sequence[str] | None = None) -> pd.DataFrame:
    """Suspected duplicate groups among the customers of ``scope`` (see the module doc)."""
    report = quality_report(con, limit=1_000_000, scope=scope)
    exact = [s.split(", ") for s in report.duplicates["customer_ids"]]
    where, params = scope_sql(scope)
    customers = con.execute(f"""
        SELECT c.customer_id, c.name, c.customer_class, c.phone, c.id_number, c.address,
               c.district_id, c.opened_on
        FROM dim_customer c
        WHERE {where} AND ((c.name IS NOT NULL AND c.phone IS NOT NULL)
                           OR c.address IS NOT NULL)""", params).df()
    exclude = []
    if store is not None:
        exclude = [r[0] for r in store.execute(
            "SELECT merged_id FROM crm_merges WHERE undone_at IS NULL")]
    return groups(customers, exact, exclude)
