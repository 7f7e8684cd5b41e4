"""The Customers page's search tab and card as people read them (Streamlit's AppTest, no
browser): the search hint in the page's language, the account manager in the card's facts and
the arrears ageing labels shown literally."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from gcrm.storage.store import connect_store

PW = "Customer-Card-2025!"


def _search_tab(db: str, lang: str, pii: bool = True) -> None:
    """The search tab as a service agent (or, without ``pii``, a planner) sees it (run by
    AppTest)."""
    from dashboards.components.session import Access
    from dashboards.customers import search, views

    who = (Access("agent_1", None, frozenset({"read_customers", "read_pii"}), "service_agent")
           if pii else Access("planner_1", None, frozenset({"read_customers"}), "planner"))
    search.search_tab(views.View(lang, db, "test", who))


@pytest.fixture
def page(mini_db_shared: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """A run of the search tab on the example warehouse with a fresh store where customer
    A001 is managed by ``m1``."""
    from streamlit.testing.v1 import AppTest

    from gcrm.accounts import portfolios as pf
    from gcrm.security.accounts import add_user

    monkeypatch.setenv("GCRM_STORE", str(tmp_path / "ops.sqlite"))
    ops = connect_store(mini_db_shared)
    try:
        add_user(ops, "m1", "analyst", PW)
        pf.assign(ops, ["A001"], "m1", user="boss", reason="key account")
    finally:
        ops.close()

    def run(lang: str, pii: bool = True) -> AppTest:
        app = AppTest.from_function(_search_tab, args=(str(mini_db_shared), lang, pii),
                                    default_timeout=60)
        app.run()
        assert not app.exception
        return app
    return run


def test_the_empty_search_hint_is_in_the_page_language(page) -> None:
    zh = page("zh")
    assert [i.value for i in zh.info] == ["请输入客户编号、户名、电话、身份证号或地址。"]
    en = page("en")
    assert [i.value for i in en.info] == [
        "Enter a customer id, name, phone, ID number or address."]


def test_too_long_search_is_explained_in_the_page_language(page) -> None:
    app = page("zh")
    app.text_input(key="cust_q").input("x" * 101).run()
    assert [e.value for e in app.error] == ["查询内容过长（101 个字符，最多 100 个）。"]


def test_the_rate_limit_is_explained_in_the_page_language(
        page, monkeypatch: pytest.MonkeyPatch) -> None:
    from gcrm.customers import search as search_mod

    monkeypatch.setattr(search_mod, "LIMITS", ((60, 2, "a minute"),))
    app = page("zh", pii=False)
    for text in ("A001", "A002", "A003"):
        app.text_input(key="cust_q").input(text).run()
    assert len(app.error) == 1 and re.fullmatch(
        r"查询过于频繁：客户数据脱敏显示的用户每分钟最多查询 2 次；请 \d\d? 秒后再试",
        app.error[0].value), app.error[0].value


def test_card_facts_name_the_key_account_manager(page) -> None:
    app = page("en")
    app.text_input(key="cust_q").input("A001").run()
    assert not app.exception
    tables = [tb.value for tb in app.table]
    facts = next(df for df in tables if "Field" in df.columns)
    manager = facts.set_index("Field").loc["Account manager", "Value"]
    assert manager == "m1"  # the same manager as the key-account section names
    assert any('data-field="manager" data-value="&#x27;m1&#x27;"' in m.value
               for m in app.markdown)  # the key-account section's


def test_ageing_labels_are_not_markdown_quotes(page) -> None:
    app = page("en")
    app.text_input(key="cust_q").input("A001").run()
    ageing = next(tb.value for tb in app.table if "Days overdue" in tb.value.columns)
    labels = list(ageing["Days overdue"])
    assert len(labels) == 4
    assert not any(str(x).startswith(">") for x in labels)  # ">180" would render as a quote
    assert labels[-1] == "\\>180"  # Markdown for the literal text ">180"
