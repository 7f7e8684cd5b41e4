"""A tariff scenario as data: prices per period and season, who it applies to.

A scenario is a small TOML (or JSON) document (schema and examples: docs/tariff.md,
examples/tariffs/)::

    name = "ndrc-1093-4to1"
    description = "Time-of-use for business customers, peak/valley 4:1"

    [applies]                      # every key optional; empty = everyone
    classes = ["commercial", "industrial"]
    tariffs = ["一般工商业"]
    regions = []                   # city or district ids

    [[seasons]]                    # together the seasons cover the 12 months once
    name = "summer"
    months = [7, 8]
    peak = 1.12                    # yuan/kWh
    flat = 0.70
    valley = 0.28
    critical = 1.40                # optional critical-peak price
    critical_share = 0.08          # share of the season's peak kWh on critical-peak hours

Parsing is strict: an unknown key, a missing price, a month covered twice or not at all is a
:class:`ScenarioError` naming the field. Pure: no warehouse, no translated text.
"""

from __future__ import annotations

import json
import math
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from gcrm.vocab import CUSTOMER_CLASSES

#: the price periods of a season; ``critical`` (critical peak) is optional
PERIODS = ("peak", "flat", "valley")
#: the highest price a scenario may set (yuan/kWh): catches a typo such as 112 for 1.12
MAX_PRICE = 20.0
_NAME = re.compile(r"^[\w\-.]{1,64}$")
_TOP_KEYS = {"name", "description", "applies", "seasons"}
_APPLIES_KEYS = {"classes", "tariffs", "regions"}
_SEASON_KEYS = {"name", "months", *PERIODS, "critical", "critical_share"}


class ScenarioError(ValueError):
    """A scenario document that cannot be used; the message names the field."""


@dataclass(frozen=True)
class Season:
    """Prices (yuan/kWh) in the calendar months ``months`` (1-12)."""

    name: str
    months: tuple[int, ...]
    peak: float
    flat: float
    valley: float
    critical: float | None = None
    critical_share: float = 0.0

    @property
    def ratio(self) -> float:
        """Peak/valley price ratio (inf when the valley is free)."""
        return self.peak / self.valley if self.valley > 0 else math.inf


@dataclass(frozen=True)
class Scenario:
    """A tariff scenario: seasons of prices and the customers it applies to (empty tuples:
    every class, tariff, region)."""

    name: str
    seasons: tuple[Season, ...]
    description: str = ""
    classes: tuple[str, ...] = ()
    tariffs: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()

    def season_of_month(self) -> list[int]:
        """Index of the season of each calendar month 1..12 (position 0 = January)."""
        out = [0] * 12
        for i, s in enumerate(self.seasons):
            for m in s.months:
                out[m - 1] = i
        return out

    def to_dict(self) -> dict:
        """The scenario as the document it was read from (TOML/JSON structure)."""
        seasons = []
        for s in self.seasons:
            d = {"name": s.name, "months": list(s.months), "peak": s.peak, "flat": s.flat,
                 "valley": s.valley}
            if s.critical is not None:
                d.update(critical=s.critical, critical_share=s.critical_share)
            seasons.append(d)
        applies = {k: list(v) for k, v in (("classes", self.classes), ("tariffs", self.tariffs),
                                           ("regions", self.regions)) if v}
        return {"name": self.name, "description": self.description, "applies": applies,
                "seasons": seasons}


def _fail(where: str, what: str) -> ScenarioError:
    return ScenarioError(f"scenario field {where}: {what}")


def _unknown(d: dict, allowed: set[str], where: str) -> None:
    bad = sorted(set(d) - allowed)
    if bad:
        raise _fail(f"{where}{bad[0]}", f"unknown key; valid keys: {', '.join(sorted(allowed))}")


def _price(d: dict, key: str, where: str, required: bool = True) -> float | None:
    if key not in d:
        if required:
            raise _fail(f"{where}.{key}", "missing price (yuan/kWh)")
        return None
    v = d[key]
    if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v):
        raise _fail(f"{where}.{key}", f"{v!r} is not a number")
    if not 0 <= v <= MAX_PRICE:
        raise _fail(f"{where}.{key}", f"{v:g} is out of range 0..{MAX_PRICE:g} yuan/kWh")
    return float(v)


def _strings(d: dict, key: str, where: str) -> tuple[str, ...]:
    v = d.get(key, [])
    if not isinstance(v, list) or not all(isinstance(x, str) and x for x in v):
        raise _fail(f"{where}{key}", "expected a list of names")
    return tuple(v)


def _season(d: object, i: int) -> Season:
    where = f"seasons[{i}]"
    if not isinstance(d, dict):
        raise _fail(where, "expected a table with name, months and prices")
    _unknown(d, _SEASON_KEYS, f"{where}.")
    name = d.get("name", f"season{i + 1}")
    if not isinstance(name, str) or not name:
        raise _fail(f"{where}.name", "expected a name")
    months = d.get("months")
    if (not isinstance(months, list) or not months
            or not all(isinstance(m, int) and not isinstance(m, bool) and 1 <= m <= 12
                       for m in months)):
        raise _fail(f"{where}.months", "expected a list of calendar months 1..12")
    critical = _price(d, "critical", where, required=False)
    share = d.get("critical_share", 0.0)
    if critical is not None:
        if (isinstance(share, bool) or not isinstance(share, int | float)
                or not 0 < share <= 1):
            raise _fail(f"{where}.critical_share", "a critical price needs the share of the "
                        "season's peak kWh on critical-peak hours, more than 0 and at most 1")
    elif "critical_share" in d:
        raise _fail(f"{where}.critical_share", "given without a critical price")
    return Season(name, tuple(months), *(_price(d, p, where) for p in PERIODS),
                  critical=critical, critical_share=float(share) if critical is not None
                  else 0.0)


def _check_months(seasons: list[Season]) -> None:
    seen: dict[int, str] = {}
    for s in seasons:
        for m in s.months:
            if m in seen:
                raise _fail("seasons", f"month {m} is in both {seen[m]!r} and {s.name!r}")
            seen[m] = s.name
    missing = [m for m in range(1, 13) if m not in seen]
    if missing:
        raise _fail("seasons", f"month(s) {', '.join(map(str, missing))} in no season: the "
                    "seasons must cover the 12 months")


def from_dict(doc: object) -> Scenario:
    """Validate a scenario document (the parsed TOML/JSON) into a :class:`Scenario`."""
    if not isinstance(doc, dict):
        raise ScenarioError("a scenario is a table (TOML) or an object (JSON)")
    _unknown(doc, _TOP_KEYS, "")
    name = doc.get("name")
    if not isinstance(name, str) or not _NAME.match(name):
        raise _fail("name", "expected 1-64 letters, digits, '-', '_' or '.'")
    desc = doc.get("description", "")
    if not isinstance(desc, str):
        raise _fail("description", "expected text")
    applies = doc.get("applies", {})
    if not isinstance(applies, dict):
        raise _fail("applies", "expected a table")
    _unknown(applies, _APPLIES_KEYS, "applies.")
    classes = _strings(applies, "classes", "applies.")
    bad = [c for c in classes if c not in CUSTOMER_CLASSES]
    if bad:
        raise _fail("applies.classes", f"unknown class {bad[0]!r}; valid classes: "
                    f"{', '.join(CUSTOMER_CLASSES)}")
    raw = doc.get("seasons")
    if not isinstance(raw, list) or not raw:
        raise _fail("seasons", "expected at least one season ([[seasons]])")
    seasons = [_season(d, i) for i, d in enumerate(raw)]
    if len({s.name for s in seasons}) != len(seasons):
        raise _fail("seasons", "two seasons share a name")
    _check_months(seasons)
    return Scenario(name, tuple(seasons), desc, classes, _strings(applies, "tariffs", "applies."),
                    _strings(applies, "regions", "applies."))


def parse(text: str, fmt: str = "toml") -> Scenario:
    """A scenario from TOML (``fmt="toml"``) or JSON text."""
    try:
        doc = json.loads(text) if fmt == "json" else tomllib.loads(text)
    except (ValueError, tomllib.TOMLDecodeError) as exc:
        raise ScenarioError(f"cannot read the scenario as {fmt.upper()}: {exc}") from None
    return from_dict(doc)


def load(path: str | Path) -> Scenario:
    """A scenario from a ``.toml`` or ``.json`` file."""
    p = Path(path)
    if p.suffix.lower() not in (".toml", ".json"):
        raise ScenarioError(f"scenario file {p.name}: use a .toml or .json file")
    if not p.is_file():
        raise FileNotFoundError(f"scenario file {p} does not exist")
    try:
        text = p.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioError(f"cannot read scenario file {p}: {exc}") from None
    return parse(text, p.suffix.lower().lstrip("."))


def to_toml(s: Scenario) -> str:
    """The scenario as TOML text (what :func:`parse` reads back)."""
    q = json.dumps  # TOML basic strings and arrays read like JSON ones
    lines = [f"name = {q(s.name, ensure_ascii=False)}",
             f"description = {q(s.description, ensure_ascii=False)}", "", "[applies]"]
    for key in ("classes", "tariffs", "regions"):
        lines.append(f"{key} = {q(list(getattr(s, key)), ensure_ascii=False)}")
    for season in s.to_dict()["seasons"]:
        lines += ["", "[[seasons]]"]
        lines += [f"{k} = {q(v, ensure_ascii=False)}" for k, v in season.items()]
    return "\n".join(lines) + "\n"
