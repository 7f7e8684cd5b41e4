"""Outage analysis functions on the hand-made example warehouse."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from gcrm import outages


@pytest.fixture(scope="module")
def con(mini_db_shared: Path):
    c = duckdb.connect(str(mini_db_shared), read_only=True)
    yield c
    c.close()


def test_events_with_affected_customers(con) -> None:
    ev = outages.events(con, 2025).set_index("outage_id")
    assert list(ev.index) == ["O1", "O2", "O3", "O4"]
    # O1 on F1: A001, A002 (D1) and A006 (unlocated, still a customer on the feeder)
    assert ev.loc["O1", "customers_affected"] == 3
    assert ev.loc["O2", "big_customers_affected"] == 1  # A003 on F2 is a big customer
    assert bool(ev.loc["O3", "momentary"]) and bool(ev.loc["O4", "planned"])
    assert ev.loc["O2", "duration_min"] == 90  # spans midnight


def test_events_in_scope(con) -> None:
    ev = outages.events(con, 2025, scope=["D2"]).set_index("outage_id")
    assert list(ev.index) == ["O2", "O4"]
    assert ev.loc["O2", "customers_affected"] == 1  # A004 on F2 is unlocated: not in D2


def test_affected_customers_and_classes(con) -> None:
    df = outages.affected_customers(con, "O2")
    assert df["customer_id"].tolist() == ["A003", "A005", "A004"]  # big first, then class
    by_class = outages.affected_by_class(con, "O2").set_index("customer_class")
    assert by_class.loc["industrial", "big_customers"] == 1


def test_notice_list(con) -> None:
    df = outages.notice_list(con, ["F2"], scope=["D2"])
    assert df["customer_id"].tolist() == ["A003"]
    assert "phone" in df.columns
    with pytest.raises(ValueError, match="unknown feeder"):
        outages.notice_list(con, ["F99"])
    with pytest.raises(ValueError, match="at least one feeder"):
        outages.notice_list(con, [])


def test_worst_feeders_and_most_interrupted(con) -> None:
    wf = outages.worst_feeders(con, 2025)
    # F3: 1 customer x 480 planned minutes; F2: 3 customers x 90; F1: 3 x 120
    assert wf["feeder"].tolist() == ["F3", "F1", "F2"]
    assert outages.worst_feeders(con, 2025, exclude_planned=True)["feeder"].tolist() == [
        "F1", "F2"]
    assert outages.most_interrupted(con, 2025, more_than=0)["customer_id"].tolist()[:1]
    assert outages.most_interrupted(con, 2025, more_than=1).empty


def test_feeders_with_location(con) -> None:
    fd = outages.feeders(con).set_index("feeder_id")
    assert list(fd.index) == ["F1", "F2", "F3"]
    assert (fd.loc["F2", "lon"], fd.loc["F2", "lat"]) == (126.5, 42.2)
    assert fd.loc["F2", "substation_id"] == "S2"
    assert outages.feeders(con, scope=["D2"])["feeder_id"].tolist() == ["F2", "F3"]
