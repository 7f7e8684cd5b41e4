"""Names are masked by what the customer is (its class), not by the characters of the name."""

from __future__ import annotations

import pandas as pd
import pytest

from gcrm.security.masking import is_organisation, mask_frame, mask_name


@pytest.mark.parametrize("name", ["王建社", "李场", "张所", "赵院", "刘站", "陈队", "杨店",
                                  "周馆", "吴局"])
def test_personal_names_ending_like_organisations_are_masked(name: str) -> None:
    assert mask_name(name) == name[0] + "*" * (len(name) - 1)
    df = pd.DataFrame({"name": [name], "customer_class": ["residential"]})
    assert mask_frame(df)["name"].iloc[0] != name


def test_the_customer_class_decides() -> None:
    df = pd.DataFrame({"name": ["王建社", "通化示例医院", "张三"],
                       "customer_class": ["residential", "public", "commercial"]})
    assert mask_frame(df)["name"].tolist() == ["王**", "通化示例医院", "张三"]


def test_a_residential_name_with_company_words_is_still_masked() -> None:
    df = pd.DataFrame({"name": ["李医院"], "customer_class": ["residential"]})
    assert mask_frame(df)["name"].iloc[0] == "李**"


def test_an_explicit_flag_overrides_the_class() -> None:
    df = pd.DataFrame({"name": ["王伟", "示例公司"], "customer_class": ["commercial", "commercial"],
                       "organisation": [False, True]})
    assert mask_frame(df)["name"].tolist() == ["王*", "示例公司"]


def test_without_a_class_only_legal_entity_words_count() -> None:
    assert is_organisation("通化示例药业有限公司")
    assert not is_organisation("王建社")
    assert mask_frame(pd.DataFrame({"name": ["王建社", "示例小学"]}))["name"].tolist() == [
        "王**", "示例小学"]
