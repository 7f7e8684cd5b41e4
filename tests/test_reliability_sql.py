"""Known answers: the reliability indices from customers counted in SQL (``n`` per feeder,
group and opening month: :func:`gcrm.outages.queries._inputs`) equal the kernel's on one row
per customer (the path before issue #22), on the demo warehouse."""

from __future__ import annotations

import duckdb
import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from gcrm.outages import queries
from gcrm.outages.indices import Options, major_event_days, reliability

GROUP_SQL = {"district": "c.district_id", "feeder": "c.feeder_id", "h3": "c.grid_id",
             "substation": "fd.substation_id"}


@pytest.fixture(scope="module")
def con(demo_db):
    c = duckdb.connect(str(demo_db), read_only=True)
    yield c
    c.close()


def _per_customer(con, by: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The kernel's input as it was read before: one row per customer."""
    customers = con.execute(
        f"SELECT c.customer_id, c.feeder_id, {GROUP_SQL[by]} AS \"group\", c.opened_on, "
        "c.district_id FROM dim_customer c LEFT JOIN dim_feeder fd USING (feeder_id)").df()
    outages = con.execute("SELECT outage_id, feeder_id, start_at, end_at, duration_min, cause, "
                          "planned FROM fact_outage").df()
    return outages, customers


def test_demo_has_customers_opened_in_the_year(con):
    """The comparison below covers the opening-month buckets (customers not yet served)."""
    year = queries.years(con)[-1]
    assert con.execute("SELECT count(*) FROM dim_customer WHERE year(opened_on) = ?",
                       [year]).fetchone()[0] > 0


@pytest.mark.parametrize("by", ["district", "feeder", "h3", "substation"])
@pytest.mark.parametrize("kw", [{}, {"exclude_planned": True}, {"exclude_med": True},
                                {"month": 3}])
def test_sql_counts_match_per_customer_kernel(con, by, kw):
    year = queries.years(con)[-1]
    outages, customers = _per_customer(con, by)
    want = reliability(outages, customers.drop(columns="district_id"), Options(year=year, **kw))
    got = queries.indices(con, year, by, **kw)
    assert_frame_equal(got, want.rename(columns={"group": by}), check_exact=True)


def test_span_drill_and_med_match(con):
    years = queries.years(con)
    year = years[-1]
    outages, customers = _per_customer(con, "h3")
    district = customers["district_id"].dropna().value_counts().index[0]
    span = (f"{years[0]}-11" if len(years) > 1 else f"{year}-01", f"{year}-02")
    opts = Options(year=year, exclude_med=True, span=span)
    inside = customers["district_id"] == district
    want = reliability(outages, customers[inside].drop(columns="district_id"), opts,
                       system=customers.drop(columns="district_id"))
    got = queries.indices(con, year, "h3", exclude_med=True, within=district, months=span)
    assert_frame_equal(got, want.rename(columns={"group": "h3"}), check_exact=True)
    old = major_event_days(outages, customers, Options(year=year))
    new = queries.med(con, year)
    assert (old.threshold_min, old.days, old.basis) == (new.threshold_min, new.days, new.basis)
    pd.testing.assert_series_equal(old.daily, new.daily, check_exact=True)


@pytest.mark.parametrize("kw", [{}, {"exclude_planned": True}, {"exclude_med": True},
                                {"month": 3}])
def test_shared_base_matches_per_customer_kernel(con, kw):
    """One :func:`queries.base` (customers counted once, from 1 January) answers every
    grouping but H3, a month of the year, a drilled district's feeders and the major event
    days with the same numbers as the per-customer kernel."""
    year = queries.years(con)[-1]
    shared = queries.base(con, year)
    opts = Options(year=year, **kw)
    for by in ("district", "feeder", "substation", "city"):
        outages, customers = _per_customer(con, by) if by != "city" else _per_customer_city(con)
        want = reliability(outages, customers.drop(columns="district_id"), opts)
        got = queries.indices(con, year, by, shared=shared, **kw)
        assert_frame_equal(got, want.rename(columns={"group": by}), check_exact=True)
    outages, customers = _per_customer(con, "feeder")
    district = customers["district_id"].dropna().value_counts().index[0]
    inside = customers["district_id"] == district
    everyone = customers.drop(columns="district_id")
    want = reliability(outages, everyone[inside], opts, system=everyone)
    got = queries.indices(con, year, "feeder", within=district, shared=shared, **kw)
    assert_frame_equal(got, want.rename(columns={"group": "feeder"}), check_exact=True)
    if not kw:
        old = major_event_days(outages, customers, opts)
        new = queries.med(con, year, shared=shared)
        assert (old.threshold_min, old.days) == (new.threshold_min, new.days)
        pd.testing.assert_series_equal(old.daily, new.daily, check_exact=True)


def _per_customer_city(con) -> tuple[pd.DataFrame, pd.DataFrame]:
    outages, customers = _per_customer(con, "district")
    city = con.execute("SELECT customer_id, city_id FROM dim_customer").df()
    customers = customers.merge(city, on="customer_id", how="left")
    return outages, customers.assign(group=customers.pop("city_id"))


def test_shared_base_in_scope_and_refused_outside_it(con):
    """A scoped base gives the scoped numbers; a base of another scope or of a later start
    is refused rather than giving wrong numbers."""
    year = queries.years(con)[-1]
    district = con.execute("SELECT district_id FROM dim_customer WHERE district_id IS NOT NULL "
                           "GROUP BY 1 ORDER BY count(*) DESC LIMIT 1").fetchone()[0]
    shared = queries.base(con, year, scope=[district])
    for by in ("district", "feeder", "substation"):
        assert_frame_equal(queries.indices(con, year, by, scope=[district], shared=shared),
                           queries.indices(con, year, by, scope=[district]), check_exact=True)
    with pytest.raises(ValueError, match="shared base"):
        queries.indices(con, year, "district", shared=shared)
    with pytest.raises(ValueError, match="shared base"):
        queries.indices(con, year - 1, "district", scope=[district], shared=shared)


def test_feeders_count_their_customers_in_scope(con):
    """:func:`queries.feeders` counts each feeder's customers first, then joins the feeders:
    the same counts as a per-customer count, feeders without customers in scope left out."""
    customers = con.execute("SELECT feeder_id, city_id, district_id FROM dim_customer").df()
    district = customers["district_id"].value_counts().index[0]
    for scope, rows in ((None, customers),
                        ([district], customers[customers["district_id"] == district])):
        got = queries.feeders(con, scope=scope).set_index("feeder_id")["customers"]
        want = rows.groupby("feeder_id").size()
        if scope is None:
            assert len(got) == con.execute("SELECT count(*) FROM dim_feeder").fetchone()[0]
            want = want.reindex(got.index, fill_value=0)
        assert got.to_dict() == want.to_dict()


def test_most_interrupted_first_rows_are_the_whole_lists_first(con):
    """The first ``limit`` rows (sorted within the feeders' tie groups only) are exactly the
    first rows of the whole list, at limits inside and at the edges of tie groups, scoped
    or not."""
    year = queries.years(con)[-1]
    district = con.execute("SELECT district_id FROM dim_customer WHERE district_id IS NOT NULL "
                           "GROUP BY 1 ORDER BY count(*) DESC LIMIT 1").fetchone()[0]
    for scope in (None, [district]):
        for more_than in (0, 3):
            everyone = queries.most_interrupted(con, year, more_than, scope=scope)
            assert len(everyone) > 10
            ties = everyone.groupby(["interruptions", "minutes"], sort=False).size().cumsum()
            for limit in {0, 1, 7, int(ties.iloc[0]), int(ties.iloc[0]) + 1, len(everyone),
                          len(everyone) + 5}:
                got = queries.most_interrupted(con, year, more_than, scope=scope, limit=limit)
                assert_frame_equal(got, everyone.head(limit).reset_index(drop=True),
                                   check_exact=True)
