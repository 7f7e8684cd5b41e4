"""The settings of the tariff model, parsed: elasticities per class, the current tariffs'
period multipliers and the hours of each period.

Defaults (settings ``tariff_own_elasticity``, ``tariff_substitution_elasticity``; sources and
caveats in docs/tariff.md) are of the order reported by the PRISM-based studies of
time-of-use and critical-peak pricing (Faruqui & George 2005; Faruqui & Sergici 2010, 2011)
for homes, and by real-time-pricing studies of commercial and industrial customers
(Boisvert, Cappers & Neenan 2002): calibrate them with local pilot results.
"""

from __future__ import annotations

import math

from gcrm import config
from gcrm.vocab import CUSTOMER_CLASSES


def _pairs(name: str) -> dict[str, str]:
    """``key=value`` items of a comma-separated setting."""
    out: dict[str, str] = {}
    for item in config.get(name).split(","):
        if not item.strip():
            continue
        if "=" not in item:
            raise ValueError(f"setting {name}: malformed item {item.strip()!r}, expected "
                             "KEY=VALUE")
        k, v = item.split("=", 1)
        out[k.strip()] = v.strip()
    return out


def _number(name: str, key: str, text: str, low: float, high: float) -> float:
    try:
        v = float(text)
    except ValueError:
        v = math.nan
    if not math.isfinite(v) or not low <= v <= high:
        raise ValueError(f"setting {name}: {key}={text!r} must be a number in {low:g}..{high:g}")
    return v


def per_class(name: str, low: float, high: float) -> dict[str, float]:
    """A per-class number setting (``class=value,...``): every class, 0 where not given."""
    raw = _pairs(name)
    bad = [k for k in raw if k not in CUSTOMER_CLASSES]
    if bad:
        raise ValueError(f"setting {name}: unknown class {bad[0]!r}; valid classes: "
                         f"{', '.join(CUSTOMER_CLASSES)}")
    return {c: _number(name, c, raw[c], low, high) if c in raw else 0.0
            for c in CUSTOMER_CLASSES}


def own_price() -> dict[str, float]:
    """Own-price elasticity of total consumption per class (<= 0)."""
    return per_class("tariff_own_elasticity", -2.0, 0.0)


def substitution() -> dict[str, float]:
    """Elasticity of substitution between periods per class (>= 0)."""
    return per_class("tariff_substitution_elasticity", 0.0, 2.0)


def multipliers() -> dict[str, tuple[float, float, float]]:
    """Peak/flat/valley price multipliers of the current time-of-use tariffs (tariffs not
    listed are flat: 1/1/1)."""
    out = {}
    for tariff, text in _pairs("tariff_multipliers").items():
        parts = text.split("/")
        if len(parts) != 3:
            raise ValueError(f"setting tariff_multipliers: {tariff}={text!r}, expected "
                             "PEAK/FLAT/VALLEY such as 1.5/1/0.5")
        out[tariff] = tuple(_number("tariff_multipliers", tariff, p, 0.0, 100.0)
                            for p in parts)
    return out


def period_hours() -> tuple[float, float, float]:
    """Hours a day of the peak, flat and valley periods (setting ``tariff_period_hours``)."""
    parts = config.get("tariff_period_hours").split("/")
    if len(parts) != 3:
        raise ValueError("setting tariff_period_hours: expected PEAK/FLAT/VALLEY hours such as "
                         "8/8/8")
    hours = tuple(_number("tariff_period_hours", "hours", p, 0.5, 24.0) for p in parts)
    if sum(hours) > 24 + 1e-9:
        raise ValueError("setting tariff_period_hours: the periods add up to more than 24 h")
    return hours
