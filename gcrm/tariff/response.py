"""Bills and the customers' response to a tariff: pure numpy over arrays of rows.

A row is one customer in one season of a scenario, with its kWh in four periods
(:data:`PERIODS`: peak, flat, valley, and critical peak, the part of the peak on critical-peak
hours) and what it was billed.

**Prices before.** The warehouse holds the billed amount, not the prices. The row's average
price ``amount / kWh`` is spread over the periods by its current tariff's period multipliers
``m`` (peak/flat/valley, e.g. 1.5/1/0.5 for a time-of-use tariff, 1/1/1 for a flat one):
``p0_k = amount * m_k / sum_j(m_j * q0_j)``, so ``sum_k p0_k * q0_k`` is exactly the amount
billed (fixed and capacity charges of a two-part tariff end up per kWh: see docs/tariff.md).

**Response** (the two-level constant-elasticity model of the PRISM studies: Faruqui & George
2005; Faruqui & Sergici 2010, 2011):

* substitution between periods, elasticity ``sigma`` (>= 0): the period shares move as
  ``s1_k ∝ s0_k * (p1_k / p0_k) ** -sigma``. With two periods this is the PRISM substitution
  equation ``Δ ln(Q_peak / Q_off) = -sigma * Δ ln(P_peak / P_off)``;
* own-price (total consumption), elasticity ``eps`` (<= 0):
  ``Q1 = Q0 * (P1 / P0) ** eps`` with ``P`` the average price of the row's consumption
  (``P0 = amount / Q0``, ``P1 = sum_k p1_k * s1_k``).

Zero elasticities give no shift at all; the bill after the shift is ``sum_k p1_k * q1_k``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: the periods of a row's kWh, in column order
PERIODS = ("peak", "flat", "valley", "critical")
PEAK, FLAT, VALLEY, CRITICAL = range(4)


@dataclass(frozen=True)
class Response:
    """Per row: kWh and prices before (``q0``, ``p0``) and after (``q1``, ``p1``), shape
    (n, 4) in :data:`PERIODS` order, and the bills (n,)."""

    q0: np.ndarray
    p0: np.ndarray
    p1: np.ndarray
    q1: np.ndarray

    @property
    def bill_before(self) -> np.ndarray:
        return (self.p0 * self.q0).sum(axis=1)

    @property
    def bill_static(self) -> np.ndarray:
        """The bill at the new prices with unchanged behaviour."""
        return (self.p1 * self.q0).sum(axis=1)

    @property
    def bill_after(self) -> np.ndarray:
        """The bill at the new prices after the shift."""
        return (self.p1 * self.q1).sum(axis=1)

    @property
    def peak_before(self) -> np.ndarray:
        return self.q0[:, PEAK] + self.q0[:, CRITICAL]

    @property
    def peak_after(self) -> np.ndarray:
        return self.q1[:, PEAK] + self.q1[:, CRITICAL]


def split_critical(peak: np.ndarray, flat: np.ndarray, valley: np.ndarray,
                   critical_share: np.ndarray) -> np.ndarray:
    """kWh per period, shape (n, 4): ``critical_share`` of the peak moved to the critical
    column."""
    share = np.asarray(critical_share, dtype=float)
    crit = peak * share
    return np.column_stack([peak - crit, flat, valley, crit]).astype(float)


def prices_before(q0: np.ndarray, amount: np.ndarray, multipliers: np.ndarray) -> np.ndarray:
    """Prices (n, 4) that reproduce ``amount`` with the tariff's period ``multipliers``
    (n, 3: peak, flat, valley; the critical hours are peak hours). Rows without kWh get 0."""
    m = np.column_stack([multipliers[:, 0], multipliers[:, 1], multipliers[:, 2],
                         multipliers[:, 0]]).astype(float)
    weight = (m * q0).sum(axis=1)
    scale = np.divide(amount, weight, out=np.zeros(len(amount)), where=weight > 0)
    return m * scale[:, None]


def respond(q0: np.ndarray, p0: np.ndarray, p1: np.ndarray, own: np.ndarray,
            sigma: np.ndarray) -> np.ndarray:
    """kWh per period after the price change ``p0`` -> ``p1`` (see the module docstring).

    ``own`` (<= 0) and ``sigma`` (>= 0) are per row. A period with no price before (a free
    period or a row without kWh) does not move.
    """
    q0 = np.asarray(q0, dtype=float)
    total0 = q0.sum(axis=1)
    has = total0 > 0
    s0 = np.divide(q0, total0[:, None], out=np.zeros_like(q0), where=has[:, None])
    ok = (p0 > 0) & (p1 > 0)
    ratio = np.divide(p1, p0, out=np.ones_like(p0), where=ok)
    w = s0 * ratio ** (-np.asarray(sigma, dtype=float))[:, None]
    wsum = w.sum(axis=1)
    s1 = np.divide(w, wsum[:, None], out=s0.copy(), where=(wsum > 0)[:, None])
    price0 = (p0 * s0).sum(axis=1)
    price1 = (p1 * s1).sum(axis=1)
    pr = np.divide(price1, price0, out=np.ones_like(price0), where=(price0 > 0) & (price1 > 0))
    total1 = total0 * pr ** np.asarray(own, dtype=float)
    return s1 * total1[:, None]


def simulate(q0: np.ndarray, amount: np.ndarray, multipliers: np.ndarray,
             p1: np.ndarray, covered: np.ndarray, own: np.ndarray,
             sigma: np.ndarray) -> Response:
    """Bills and shift for rows ``q0`` (n, 4) billed ``amount`` under the tariff with
    ``multipliers`` (n, 3), moving to prices ``p1`` (n, 4) where ``covered`` (others keep
    their prices and behaviour)."""
    p0 = prices_before(q0, np.asarray(amount, dtype=float), multipliers)
    cov = np.asarray(covered, dtype=bool)[:, None]
    p1 = np.where(cov, p1, p0)
    return Response(q0, p0, p1, np.where(cov, respond(q0, p0, p1, own, sigma), q0))
