"""Customer search is no oracle for masked fields (issue #17 item 2).

A user without ``read_pii`` sees 138****5678; with prefix, substring or fuzzy matching on phone
numbers they could recover the hidden digits by watching which guesses find the customer.
Masked roles' search text matches only what they can see (customer ids, organisation names,
the visible start of addresses) or a whole value; their searches are rate-limited in the
operational store; every search is audited.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from contextlib import closing
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from gcrm.customers import search as search_mod
from gcrm.customers.search import SearchError, SearchLimitError, audited_search, search
from gcrm.security import audit
from gcrm.security.masking import mask_address, mask_frame, mask_phone
from gcrm.storage.store import connect_store

MASKED, PII = "planner_1", "agent_1"


@pytest.fixture(scope="module")
def con(mini_db_shared: Path):
    """The example warehouse, read-only."""
    with duckdb.connect(str(mini_db_shared), read_only=True) as c:
        yield c


@pytest.fixture
def ops(tmp_path: Path):
    """A fresh operational store (audit log)."""
    with closing(connect_store(tmp_path / "w.duckdb")) as s:
        yield s


def ids(df: pd.DataFrame) -> list[str]:
    return df["customer_id"].tolist()


def masked(con) -> Callable[[str], list[str]]:
    return lambda q: ids(search(con, q, show_pii=False))


def unmasked(con) -> Callable[[str], list[str]]:
    return lambda q: ids(search(con, q, show_pii=True))


def recover_phone(find: Callable[[str], list[str]], target: str, shown: str) -> str | None:
    """The attack of the issue: extend the visible prefix digit by digit, keeping the digit
    whose search finds the target; then the visible suffix. None when it gets stuck."""
    known = shown[:shown.index("*")]
    for _ in range(shown.count("*")):
        for d in "0123456789":
            if target in find(known + d):
                known += d
                break
        else:
            return None
    whole = known + shown.rstrip("*")[len(known):].lstrip("*")
    return whole if target in find(whole) else None


# ------------------------------------------------------------------ the oracle is closed
def test_prefix_attack_fails_for_a_masked_role(con, ops) -> None:
    phone = "13912345678"  # A002 李娜, shown to a planner as 139****5678
    tries = []
    for n in range(1, len(phone)):
        found = ids(audited_search(con, ops, phone[:n], user=MASKED, show_pii=False))
        tries.append(found)
        assert "A002" not in found, phone[:n]
    assert all(f == [] for f in tries[1:])  # "1" finds only A001, by its customer id
    assert ids(audited_search(con, ops, phone, user=MASKED, show_pii=False)) == ["A002"]
    assert recover_phone(masked(con), "A002", mask_phone(phone)) is None


def test_the_same_attack_works_on_unmasked_matching(con) -> None:
    """What the masked rule prevents: with substring matching the digits come out."""
    assert recover_phone(unmasked(con), "A002", mask_phone("13912345678")) == "13912345678"


def test_no_fuzzy_or_substring_match_on_phone_and_id_for_masked_roles(con) -> None:
    find = masked(con)
    assert find("13812345687") == []  # two digits swapped: a PII role finds A001
    assert find("12345678") == [] and find("5678") == []
    assert find("2205021990") == [] and find("220502199001011235") == []
    assert find("220502199001011234") == ["A001"]
    # whole values after removing spaces and dashes
    assert find("138 1234 5678") == find("138-1234-5678") == ["A001"]
    assert find("04353212345") == find("0435 321 2345") == ["A003"]  # stored 0435-3212345


def test_whole_id_number_ignores_case_of_check_character(mini_db_shared: Path) -> None:
    mem = duckdb.connect()
    mem.execute(f"ATTACH '{mini_db_shared}' AS m (READ_ONLY)")
    mem.execute("CREATE TABLE dim_customer AS SELECT * FROM m.dim_customer")
    mem.execute("UPDATE dim_customer SET id_number = '22050219900101123X' "
                "WHERE customer_id = 'A001'")
    assert ids(search(mem, "22050219900101123x", show_pii=False)) == ["A001"]
    assert ids(search(mem, "22050219900101123", show_pii=False)) == []


def test_masked_names_and_addresses_match_only_what_is_shown(con) -> None:
    find = masked(con)
    # residential names (shown 王*): the whole name only
    assert find("王") == [] and find("王伟") == ["A001"]
    # organisation names are shown: partial and typo-tolerant
    assert find("药业") == ["A003"] and find("通化示列药业") == ["A003"]
    # addresses: shown as 西区幸**** (the first half, at most 6 characters)
    assert find("幸福街") == [] and find("工业园") == []
    assert find("西区幸") == ["A001", "A002"] and find("东区工") == ["A003"]
    assert find("东区工业") == []  # 东区工****
    assert find("西区幸福街1号") == ["A001"]  # the whole address
    assert find("A00") == ["A001", "A002", "A003", "A004", "A005", "A006", "A007"]


def test_address_matching_stops_where_the_mask_starts(con) -> None:
    """For every customer: its shown address prefix finds it, one more character does not
    (through the address; the SQL mirrors :func:`mask_address`)."""
    find = masked(con)
    rows = con.execute("SELECT customer_id, address FROM dim_customer "
                       "WHERE address IS NOT NULL").fetchall()
    assert len(rows) >= 5
    for cid, address in rows:
        shown = mask_address(address).removesuffix("****")
        assert cid in find(shown), (cid, shown)
        if len(shown) < len(address) - 1:
            longer = address[:len(shown) + 1]
            assert cid not in find(longer), (cid, longer)


def test_name_matching_follows_the_mask(con) -> None:
    """For every customer: a partial name finds it exactly when the name is shown unmasked
    (:func:`mask_frame` on the result columns decides, as on the page)."""
    find = masked(con)
    df = con.execute("SELECT customer_id, name, customer_class FROM dim_customer").df()
    shown = mask_frame(df)
    assert (shown["name"] != df["name"]).sum() >= 3
    for cid, name, masked_name in zip(df["customer_id"], df["name"], shown["name"],
                                      strict=True):
        assert (cid in find(name[:-1])) == (masked_name == name), (cid, name, masked_name)
        assert cid in find(name)


def test_a_pii_role_keeps_prefix_substring_and_fuzzy_matching(con) -> None:
    find = unmasked(con)
    assert find("1381234") == ["A001"]
    assert find("13812345687")[:1] == ["A001"]
    assert find("幸福街") == ["A001", "A002"]
    assert find("王") == ["A001"]
    assert find("2205021990") == ["A001"]
    assert find("138-1234-5678") == ["A001"]


# ------------------------------------------------------------------ rate limit and audit
def test_masked_searches_are_rate_limited_in_the_store(con, tmp_path: Path) -> None:
    first, second = connect_store(tmp_path / "w.duckdb"), connect_store(tmp_path / "w.duckdb")
    try:
        for i in range(30):  # two sessions (or a session and the CLI): one count
            audited_search(con, first if i % 2 else second, f"A00{i % 7 + 1}",
                           user=MASKED, show_pii=False)
        with pytest.raises(SearchLimitError, match=r"too many searches: at most 30 a minute"):
            audited_search(con, first, "A001", user=MASKED, show_pii=False)
        assert isinstance(SearchLimitError("x"), SearchError)  # the page shows it as such
        # another user is not affected; a PII role is not limited
        audited_search(con, first, "A001", user="planner_2", show_pii=False)
        for _ in range(35):
            audited_search(con, second, "A001", user=PII, show_pii=True)
        # a minute later the masked user may search again
        later = datetime.now(UTC) + timedelta(seconds=61)
        assert ids(audited_search(con, first, "A001", user=MASKED, show_pii=False,
                                  now=later)) == ["A001"]
    finally:
        first.close()
        second.close()


def test_the_daily_limit(con, ops, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(search_mod, "LIMITS", ((60, 30, "a minute"), (86_400, 3, "a day")))
    for _ in range(3):
        audited_search(con, ops, "A001", user=MASKED, show_pii=False)
    later = datetime.now(UTC) + timedelta(minutes=5)
    with pytest.raises(SearchLimitError, match=r"at most 3 a day .*; try again in \d+ hours?"):
        audited_search(con, ops, "A001", user=MASKED, show_pii=False, now=later)


def test_every_search_is_audited(con, ops, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(search_mod, "LIMITS", ((60, 2, "a minute"),))
    audited_search(con, ops, " 13812345678 ", user=MASKED, show_pii=False)
    audited_search(con, ops, "1381234", user=MASKED, show_pii=False)
    with pytest.raises(SearchLimitError):
        audited_search(con, ops, "幸福街", user=MASKED, show_pii=False)
    audited_search(con, ops, "幸福街", user=PII, show_pii=True)
    with pytest.raises(SearchError, match="enter a customer id"):
        audited_search(con, ops, "  ", user=PII, show_pii=True)  # nothing searched
    entries = audit.search(ops, action="customer.search")
    got = [(e["user"], json.loads(e["detail"])) for e in reversed(entries)]
    assert got == [
        (MASKED, {"masked": True, "results": 1, "text": "13812345678"}),
        (MASKED, {"masked": True, "results": 0, "text": "1381234"}),
        (MASKED, {"masked": True, "refused": "rate_limit", "text": "幸福街"}),
        (PII, {"masked": False, "results": 2, "text": "幸福街"}),
    ]
    assert audit.verify(ops).ok


def test_the_page_wrapper_searches_as_the_user(mini_db_shared: Path, tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    from dashboards.components.session import Access
    from dashboards.customers import data as cd

    monkeypatch.setenv("GCRM_STORE", str(tmp_path / "ops.sqlite"))
    planner = Access(MASKED, None, frozenset({"read_customers"}), "planner")
    agent = Access(PII, None, frozenset({"read_customers", "read_pii"}), "service_agent")
    assert ids(cd.find(str(mini_db_shared), "1381234", planner)) == []
    assert ids(cd.find(str(mini_db_shared), "1381234", agent)) == ["A001"]
    ops = connect_store(mini_db_shared)
    try:
        assert [e["user"] for e in audit.search(ops, action="customer.search")] == [PII, MASKED]
    finally:
        ops.close()


def _search_tab(db: str) -> None:
    """The Customers page's search tab as a planner sees it (run by AppTest)."""
    from dashboards.components.session import Access
    from dashboards.customers import search, views

    who = Access("planner_1", None, frozenset({"read_customers"}), "planner")
    search.search_tab(views.View("en", db, "test", who))


def test_the_page_shows_the_limit(con, mini_db_shared: Path, tmp_path: Path,
                                  monkeypatch: pytest.MonkeyPatch) -> None:
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("GCRM_STORE", str(tmp_path / "ops.sqlite"))
    app = AppTest.from_function(_search_tab, args=(str(mini_db_shared),), default_timeout=60)
    app.run()
    app.text_input(key="cust_q").input("13812345678").run()
    assert not app.exception
    shown = app.dataframe[0].value.to_string()  # found, shown masked
    assert "138****5678" in shown and "13812345678" not in shown
    app.run()  # a rerun reuses the search: one audit entry
    with closing(connect_store(mini_db_shared)) as ops:
        assert len(audit.search(ops, action="customer.search")) == 1
        for _ in range(29):
            audited_search(con, ops, "A001", user=MASKED, show_pii=False)
    app.text_input(key="cust_q").input("13912345678").run()
    assert not app.exception
    assert len(app.error) == 1 and re.fullmatch(
        r"too many searches: at most 30 a minute for users who see customer data masked; "
        r"try again in \d\d? seconds", app.error[0].value)
