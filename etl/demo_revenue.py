"""Synthetic revenue-protection inputs for the demo: 台区, supply meters, daily reads, theft.

Everything here is **synthetic** and drawn from its own random stream (stage
:data:`STAGE`), so the other demo files are untouched except where a case below changes a
customer's bills. The model:

*Transformer areas (台区).* Within each 10 kV feeder, customers are clustered by position
(a few rounds of k-means) into public transformer areas of about :data:`AREA_SIZE`
customers; every large-industry customer (two-part tariff) has a dedicated transformer
(专变) of its own. A transformer sits at the centroid of its customers.

*True and billed energy.* The consumption the demo generator draws is the *true* use. Cases
change it (a move-out uses nothing any more) or change only what is billed (a thief):

==================  ===========================================================  ==========
case                from its start month                                          area loss
==================  ===========================================================  ==========
theft_constant      billed = a constant 35-65 % of true use                        rises
theft_random        billed = a random 20-80 % of true use, each month              rises
theft_zero_partial  billed = 0 for 2-3 months, then 50 % of true use               rises
meter_fault         meter stopped: billed = 0 (an innocent cause of loss)          rises
move_out            true use (and bill) falls to ~2 %                              flat
vacancy             true use falls to ~3 %; a vacancy request is recorded          flat
seasonal            every year November to April: true use ~5 % (a summer home)    flat
==================  ===========================================================  ==========

*Supply.* A transformer area's supply = (true use of its customers) x (1 + its technical
loss rate) x (1 + noise): technical losses 2-6 % (rural +2 %), a few areas with high
technical losses (10-14 %), a few whose supply meter under-reads by 8 % (negative loss)
and a few with missing supply readings (not computable). A feeder's supply adds a 10 kV
line loss of 1-2.5 % to the true input of its areas.

*Daily reads* for the customers of about one area in ten, for the last two months.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa

from gcrm.vocab import VACANCY_TOPICS

#: random stream of this module (the demo generator's stages are 0-7)
STAGE = 18
#: customers per public transformer area (target of the clustering)
AREA_SIZE = 80
#: class codes of etl.demo (residential, commercial, industrial, agricultural, public)
RES, COM, IND, AGR, PUB = range(5)
#: the demo's large-industry tariff code (dedicated transformer)
T_LARGE = 3
THEFT_KINDS = ("theft_constant", "theft_random", "theft_zero_partial")
#: share of customers in each case (of the eligible customers, see :func:`_pick_cases`)
RATES = {"theft": 0.009, "meter_fault": 0.0015, "move_out": 0.025, "vacancy": 0.006,
         "seasonal": 0.01}
#: topic of a recorded vacancy in service_records.csv (read by gcrm.revenue)
VACANCY_TOPIC = VACANCY_TOPICS[0]
KM_PER_DEG = 111.2
COS_LAT = float(np.cos(np.radians(42.0)))


@dataclass
class Cases:
    """Injected cases: customer index, case name, start month index, billed/true factors."""

    idx: np.ndarray
    kind: np.ndarray  # str
    start: np.ndarray
    billed: np.ndarray  # (cases, months): billed = true x billed
    true: np.ndarray  # (cases, months): true = drawn use x true
    row: dict[int, int] = field(default_factory=dict)  # customer index -> case row


class RevenueDemo:
    """Plans the areas and cases, then collects true use while the bills are written."""

    def __init__(self, seed: int, months: np.ndarray, lon: np.ndarray, lat: np.ndarray,
                 feeder: np.ndarray, f_ids: list[str], f_names: list[str], cls: np.ndarray,
                 tariff: np.ndarray, base: np.ndarray, big: np.ndarray, rural: np.ndarray,
                 first_idx: np.ndarray) -> None:
        self.rng = np.random.default_rng(np.random.SeedSequence([seed, STAGE]))
        self.months, self.nm, self.n = months, len(months), len(lon)
        self.f_ids = f_ids
        self.t_of, t_feeder, t_dedicated = _areas(lon, lat, feeder, tariff)
        self.nt = len(t_feeder)
        self.t_feeder, self.t_dedicated = t_feeder, t_dedicated
        self.t_ids, self.t_names = _area_names(t_feeder, t_dedicated, f_ids, f_names)
        cnt = np.maximum(np.bincount(self.t_of, minlength=self.nt), 1)
        self.t_lon = np.bincount(self.t_of, lon, self.nt) / cnt
        self.t_lat = np.bincount(self.t_of, lat, self.nt) / cnt
        kva_need = np.bincount(self.t_of, base, self.nt) / (720 * 0.35)
        sizes = np.array([100, 200, 315, 400, 500, 630, 800, 1000, 1250, 1600, 2000, 2500, 3150,
                          4000, 5000, 6300, 8000, 10000])
        self.t_kva = sizes[np.searchsorted(sizes, kva_need).clip(0, len(sizes) - 1)]
        self.t_rural = np.bincount(self.t_of, rural.astype(float), self.nt) / cnt > 0.5
        self.cases = _pick_cases(self.rng, self.months, cls, tariff, base, big, first_idx)
        self.true_use = np.zeros((self.nt, self.nm))  # kWh per area-month
        public = np.flatnonzero(~t_dedicated)
        k = max(1, public.size // 10) if public.size else 0
        self.daily_area = np.zeros(self.nt, bool)
        self.daily_area[self.rng.choice(public, k, replace=False) if k else []] = True
        self.daily_bills: dict[int, np.ndarray] = {}  # customer -> billed kWh, last 2 months

    # ------------------------------------------------------------------ while billing
    def bill(self, a: int, kwh: np.ndarray, active: np.ndarray) -> np.ndarray:
        """True use of customers ``a .. a+len(kwh)`` -> their billed kWh (collects supply)."""
        kwh = kwh.copy()
        rows = [(i, self.cases.row[a + i]) for i in range(len(kwh)) if a + i in self.cases.row]
        billed = kwh.copy()
        for i, r in rows:
            kwh[i] *= self.cases.true[r]
            billed[i] = kwh[i] * self.cases.billed[r]
        true = np.where(active, kwh, 0.0)
        t = self.t_of[a:a + len(kwh)]
        np.add.at(self.true_use, t, true)
        for i in np.flatnonzero(self.daily_area[t]):
            self.daily_bills[a + i] = np.where(active[i], billed[i], 0.0)[-2:]
        return billed

    # ------------------------------------------------------------------ files
    def transformers(self) -> pa.Table:
        return pa.table({
            "transformer_id": pa.array(self.t_ids),
            "feeder_id": pa.array([self.f_ids[f] for f in self.t_feeder]),
            "name": pa.array(self.t_names),
            "capacity_kva": pa.array(self.t_kva.astype(np.float64)),
            "lon": pa.array(np.round(self.t_lon, 6)), "lat": pa.array(np.round(self.t_lat, 6)),
        })

    def customer_column(self) -> pa.Array:
        return pa.array(np.array(self.t_ids, dtype=object)[self.t_of], pa.string())

    def supply(self, month_str: list[str]) -> pa.Table:
        """Supply per transformer area and feeder per month (kWh, one decimal)."""
        rng, nt, nm = self.rng, self.nt, self.nm
        tech = rng.uniform(0.02, 0.06, nt) + 0.02 * self.t_rural
        tech[self.t_dedicated] = rng.uniform(0.005, 0.015, self.t_dedicated.sum())
        odd = rng.permutation(np.flatnonzero(~self.t_dedicated))  # public areas, shuffled
        k = max(1, round(0.05 * odd.size)) if odd.size >= 20 else 0  # high technical loss
        j = k // 2 + 1 if k else 0  # under-reading supply meters; areas missing readings
        high, under, missing = odd[:k], odd[k:k + j], odd[k + j:k + 2 * j]
        tech[high] = rng.uniform(0.10, 0.14, high.size)
        inflow = self.true_use * (1 + tech[:, None]) \
            * (1 + rng.normal(0, 0.004, (nt, nm)))
        metered = inflow.copy()
        metered[under] *= 0.92
        present = np.ones((nt, nm), bool)
        for t in missing:
            present[t, rng.choice(nm, min(nm, 1 + rng.integers(0, 3)), replace=False)] = False
        present &= self.true_use > 0
        f_in = np.zeros((len(self.f_ids), nm))
        np.add.at(f_in, self.t_feeder, inflow)
        f_in *= (1 + rng.uniform(0.01, 0.025, len(self.f_ids)))[:, None]
        ti, mi = np.nonzero(present)
        fi, fm = np.nonzero(f_in > 0)
        months = np.array(month_str, dtype=object)
        return pa.table({
            "point_id": pa.array(np.concatenate([np.array(self.f_ids, dtype=object)[fi],
                                                 np.array(self.t_ids, dtype=object)[ti]]),
                                 pa.string()),
            "level": pa.array(["feeder"] * fi.size + ["transformer"] * ti.size),
            "month": pa.array(np.concatenate([months[fm], months[mi]]), pa.string()),
            "kwh": pa.array(np.round(np.concatenate([f_in[fi, fm], metered[ti, mi]]), 1)),
        })


    def daily_reads(self, ids: pa.Array) -> pa.Table:
        """Daily reads of the customers of about one area in ten, last two months: the
        month's bill spread over its days (a stopped meter or a zero bill reads 0)."""
        rng = self.rng
        days0 = self.months[-2:].astype("datetime64[D]")
        ends = (self.months[-2:] + 1).astype("datetime64[D]")
        cust, date, kwh = [], [], []
        for i in sorted(self.daily_bills):
            for j in range(len(days0)):
                d = np.arange(days0[j], ends[j])
                w = rng.gamma(8.0, 1.0, d.size)
                cust.append(np.full(d.size, i))
                date.append(d)
                kwh.append(np.round(self.daily_bills[i][j] * w / w.sum(), 2))
        if not cust:
            return pa.table({"customer_id": pa.array([], pa.string()),
                             "date": pa.array([], pa.date32()), "kwh": pa.array([], pa.float64())})
        return pa.table({"customer_id": ids.take(pa.array(np.concatenate(cust))),
                         "date": pa.array(np.concatenate(date)),
                         "kwh": pa.array(np.concatenate(kwh))})

    def vacancy_records(self, ids: pa.Array, first: int) -> pa.Table:
        """Service records of the recorded vacancies (空置报停), numbered from ``first``."""
        sel = np.flatnonzero(self.cases.kind == "vacancy")
        start = self.months[self.cases.start[sel]].astype("datetime64[D]") \
            + self.rng.integers(0, 20, sel.size)
        opened = start.astype("datetime64[s]") + np.timedelta64(9 * 3600 + 1800, "s")
        closed = opened + np.timedelta64(86400, "s")
        return pa.table({
            "service_id": pa.array([f"SRV{first + k:08d}" for k in range(sel.size)], pa.string()),
            "customer_id": ids.take(pa.array(self.cases.idx[sel], pa.int64())),
            "kind": pa.array(["request"] * sel.size, pa.string()),
            "opened_at": pa.array(np.datetime_as_string(opened), pa.string()),
            "closed_at": pa.array(np.datetime_as_string(closed), pa.string()),
            "status": pa.array(["closed"] * sel.size, pa.string()),
            "channel": pa.array(["counter"] * sel.size, pa.string()),
            "topic": pa.array([VACANCY_TOPIC] * sel.size, pa.string()),
            "note": pa.array(["房屋空置，申请暂停用电"] * sel.size, pa.string()),
        })

    def truth(self, ids: pa.Array, month_str: list[str]) -> pa.Table:
        """The answer key (not an input file): each injected case, its kind and start."""
        c = self.cases
        return pa.table({
            "customer_id": ids.take(pa.array(c.idx, pa.int64())),
            "case": pa.array(c.kind, pa.string()),
            "start_month": pa.array([month_str[s] if s >= 0 else None for s in c.start],
                                    pa.string()),
            "transformer_id": pa.array([self.t_ids[self.t_of[i]] for i in c.idx], pa.string()),
        })


def _kmeans(x: np.ndarray, y: np.ndarray, k: int) -> np.ndarray:
    """Cluster points into ``k`` groups (deterministic start: spread along the x order)."""
    if k <= 1:
        return np.zeros(x.size, np.int64)
    order = np.argsort(x + 0.37 * y, kind="stable")
    cx = x[order[(np.arange(k) * x.size) // k]]
    cy = y[order[(np.arange(k) * x.size) // k]]
    lab = np.zeros(x.size, np.int64)
    for _ in range(8):
        lab = np.argmin((x[:, None] - cx) ** 2 + (y[:, None] - cy) ** 2, axis=1)
        cnt = np.bincount(lab, minlength=k)
        ok = cnt > 0
        cx[ok] = np.bincount(lab, x, k)[ok] / cnt[ok]
        cy[ok] = np.bincount(lab, y, k)[ok] / cnt[ok]
    return np.unique(lab, return_inverse=True)[1]


def _areas(lon: np.ndarray, lat: np.ndarray, feeder: np.ndarray,
           tariff: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(area of each customer, feeder of each area, dedicated flag of each area)."""
    t_of = np.zeros(lon.size, np.int64)
    t_feeder: list[int] = []
    dedicated: list[bool] = []
    x, y = lon * KM_PER_DEG * COS_LAT, lat * KM_PER_DEG
    for f in np.unique(feeder):
        sel = np.flatnonzero(feeder == f)
        own = sel[tariff[sel] == T_LARGE]
        pub = sel[tariff[sel] != T_LARGE]
        if pub.size:
            lab = _kmeans(x[pub], y[pub], max(1, round(pub.size / AREA_SIZE)))
            t_of[pub] = len(t_feeder) + lab
            t_feeder += [int(f)] * (lab.max() + 1)
            dedicated += [False] * (lab.max() + 1)
        for i in own:
            t_of[i] = len(t_feeder)
            t_feeder.append(int(f))
            dedicated.append(True)
    return t_of, np.array(t_feeder, np.int64), np.array(dedicated, bool)


def _area_names(t_feeder: np.ndarray, dedicated: np.ndarray, f_ids: list[str],
                f_names: list[str]) -> tuple[list[str], list[str]]:
    ids, names, seq = [], [], {}
    for f, own in zip(t_feeder, dedicated, strict=True):
        seq[f] = seq.get(f, 0) + 1
        ids.append(f"T{f_ids[f][1:]}-{seq[f]:02d}")
        names.append(f"{f_names[f].replace('10kV ', '')}{seq[f]:02d}{'专变' if own else '台区'}")
    return ids, names


def _pick_cases(rng: np.random.Generator, months: np.ndarray, cls: np.ndarray,
                tariff: np.ndarray, base: np.ndarray, big: np.ndarray,
                first_idx: np.ndarray) -> Cases:
    """Choose the customers of each case (disjoint) and their factors."""
    n, nm = cls.size, months.size
    empty = Cases(np.empty(0, np.int64), np.empty(0, object), np.empty(0, np.int64),
                  np.ones((0, nm)), np.ones((0, nm)))
    if nm < 6 or n < 100:
        return empty
    settled = first_idx <= 0  # billed for the whole window: a history to compare with
    taken = ~settled | big | (tariff == T_LARGE)
    chosen: list[tuple[np.ndarray, str]] = []

    def draw(name: str, pool: np.ndarray, weight: np.ndarray | None = None) -> np.ndarray:
        pool = pool & ~taken
        k = min(int(pool.sum()), round(RATES[name] * n))
        if k <= 0:
            return np.empty(0, np.int64)
        p = None if weight is None else weight[pool] / weight[pool].sum()
        out = rng.choice(np.flatnonzero(pool), k, replace=False, p=p)
        taken[out] = True
        return out

    thieves = draw("theft", np.isin(cls, (RES, COM, IND)) & (base > 120),
                   np.sqrt(np.maximum(base, 1)))
    chosen.append((thieves, "theft"))
    chosen.append((draw("meter_fault", cls != PUB), "meter_fault"))
    for name in ("move_out", "vacancy", "seasonal"):
        chosen.append((draw(name, cls == RES), name))
    return _factors(rng, chosen, months)


def _factors(rng: np.random.Generator, chosen: list[tuple[np.ndarray, str]],
             months: np.ndarray) -> Cases:
    nm = months.size
    cal = months.astype(np.int64) % 12 + 1
    lo = max(3, nm // 3)
    idx, kind, start, billed, true = [], [], [], [], []
    for members, name in chosen:
        for i in members:
            s = int(rng.integers(lo, nm - 1))
            b, t = np.ones(nm), np.ones(nm)
            k = name
            if name == "theft":
                k = THEFT_KINDS[int(rng.integers(0, 3))]
                if k == "theft_constant":
                    b[s:] = rng.uniform(0.35, 0.65)
                elif k == "theft_random":
                    b[s:] = rng.uniform(0.2, 0.8, nm - s)
                else:
                    z = int(rng.integers(2, 4))
                    b[s:s + z], b[s + z:] = 0.0, 0.5
            elif name == "meter_fault":
                b[s:] = 0.0
            elif name == "move_out":
                t[s:] = 0.02
            elif name == "vacancy":
                t[s:] = 0.03
            else:
                s = -1
                t[(cal >= 11) | (cal <= 4)] = 0.05
            idx.append(int(i))
            kind.append(k)
            start.append(s)
            billed.append(b)
            true.append(t)
    if not idx:
        return Cases(np.empty(0, np.int64), np.empty(0, object), np.empty(0, np.int64),
                     np.ones((0, nm)), np.ones((0, nm)))
    cases = Cases(np.array(idx), np.array(kind, object), np.array(start),
                  np.array(billed), np.array(true))
    cases.row = {int(i): r for r, i in enumerate(cases.idx)}
    return cases
