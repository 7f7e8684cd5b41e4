"""The demo's ``relations.csv``: group companies, payers and owners of several accounts.

Written after the other demo files from the customers the demo wrote, with a random stream of
its own (stage :data:`STAGE` of the demo seed), so every other demo file stays byte-identical.

* groups: about a fifth of the big customers head a group company with 2-4 subsidiaries
  (other non-residential customers of the same district) -- ``parent_of``;
* one owner: a few commercial customers share their owner with another -- ``same_owner``;
* payers: about 0.5 % of the residential customers have their bill paid by another
  residential customer of the same district (a family member) -- ``pays_for``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

#: the demo's random-stream stage of relations (etl/demo.py uses small stage numbers)
STAGE = 1901


def _rng(seed: int) -> np.random.Generator:
    return np.random.default_rng(np.random.SeedSequence([seed, STAGE]))


def _free_by_district(pool: pd.DataFrame, taken: set[str]) -> dict[str, list[str]]:
    """The pool's customers not yet taken, by district, in the pool's order: each head picks
    from its district's list (linear in the customers; filtering the whole pool per head was
    quadratic and took most of the demo's time at a million customers)."""
    free: dict[str, list[str]] = {}
    for cid, district in zip(pool["customer_id"], pool["district"], strict=True):
        if cid not in taken:
            free.setdefault(district, []).append(str(cid))
    return free


def _groups(rng: np.random.Generator, c: pd.DataFrame) -> list[tuple[str, str, str]]:
    out: list[tuple[str, str, str]] = []
    heads = c[c["big"]]
    heads = heads.iloc[rng.permutation(len(heads))][: max(len(heads) // 5, 0)]
    taken = set(heads["customer_id"])
    free = _free_by_district(c[(c["customer_class"] != "residential")], taken)
    for head, district in zip(heads["customer_id"], heads["district"], strict=True):
        near = free.get(district, [])  # the district's free non-residential customers, in order
        k = min(int(rng.integers(2, 5)), len(near))
        subs = [near[i] for i in rng.permutation(len(near))[:k]]
        for sub in subs:
            out.append((head, sub, "parent_of"))
            taken.add(sub)
            near.remove(sub)
    com = c[(c["customer_class"] == "commercial") & ~c["customer_id"].isin(taken)]
    pairs = com["customer_id"].to_numpy()[rng.permutation(len(com))][: 2 * (len(com) // 40)]
    out += [(str(a), str(b), "same_owner") for a, b in zip(pairs[::2], pairs[1::2], strict=True)]
    return out


def _payers(rng: np.random.Generator, c: pd.DataFrame) -> list[tuple[str, str, str]]:
    res = c[c["customer_class"] == "residential"]
    out = []
    for _, part in res.groupby("district", sort=True):
        k = round(len(part) * 0.005)
        if k and len(part) >= 2 * k:
            pick = part["customer_id"].to_numpy()[rng.permutation(len(part))[: 2 * k]]
            out += [(str(a), str(b), "pays_for") for a, b in zip(pick[:k], pick[k:],
                                                                 strict=True)]
    return out


def write_relations(out: Path, seed: int) -> dict[str, int]:
    """Write ``relations.csv`` beside the demo's ``customers.csv``; returns its row count."""
    c = pd.read_csv(out / "customers.csv", dtype=str, keep_default_na=False,
                    usecols=["customer_id", "customer_class", "big_customer"])
    c["big"] = c["big_customer"].str.lower().isin(("true", "1"))
    c["district"] = c["customer_id"].str[:6]
    rng = _rng(int(seed) % 2**63)
    rows = _groups(rng, c) + _payers(rng, c)
    df = pd.DataFrame(rows, columns=["customer_id", "related_id", "kind"]).drop_duplicates(
        ["customer_id", "related_id", "kind"])
    df.to_csv(out / "relations.csv", index=False, encoding="utf-8")
    return {"relations.csv": len(df)}
