"""Disclosure control kernel (gcrm/cube/disclosure.py): small cells and their complements."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gcrm.cube.disclosure import DisclosureError, check_request, complementary, primary, suppress


def test_primary_cells_are_between_one_and_min_cell() -> None:
    assert primary(pd.Series([0, 1, 4, 5, None]), 5).tolist() == [False, True, True, False, False]


def test_a_lone_small_cell_gets_a_complement_in_two_dimensions() -> None:
    df = pd.DataFrame({"d": ["a", "a", "b", "b"], "c": ["x", "y", "x", "y"],
                       "customers": [2, 50, 40, 60]})
    hidden = complementary(df, ["d", "c"], df["customers"], primary(df["customers"], 5))
    # (a,x) is small; along c the group d=a needs (a,y); along d the group c=x needs (b,x);
    # then c=y has (a,y) alone -> (b,y) too: a 2x2 table hides all four
    assert hidden.tolist() == [True, True, True, True]


def test_nothing_small_nothing_hidden() -> None:
    df = pd.DataFrame({"d": ["a", "b"], "kwh": [1.0, 2.0], "customers": [5, 9]})
    out, n = suppress(df, ["d"], ["kwh", "customers"], df["customers"], 5)
    assert n == 0
    pd.testing.assert_frame_equal(out, df)


def test_suppressed_rows_keep_their_dimensions() -> None:
    df = pd.DataFrame({"d": ["a", "b", "c"], "kwh": [10.0, 20.0, 30.0],
                       "customers": [1, 100, 200]})
    out, n = suppress(df, ["d"], ["kwh", "customers"], df["customers"], 5)
    assert n == 2 and out["d"].tolist() == ["a", "b", "c"]
    assert out["kwh"].isna().tolist() == [True, True, False]


def test_personal_dimensions_are_refused() -> None:
    with pytest.raises(DisclosureError, match="--by customer"):
        check_request(["customer"], None)
    with pytest.raises(DisclosureError, match="--where customer="):
        check_request(["month"], {"customer": ["C1"]})
    check_request(["district"], {"district": ["220502"]})


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.sampled_from("abcd"), st.sampled_from("xyz"),
                          st.integers(min_value=0, max_value=12)),
                min_size=1, max_size=12, unique_by=lambda r: (r[0], r[1])))
def test_no_group_has_a_lone_hidden_cell(rows) -> None:
    df = pd.DataFrame(rows, columns=["d", "c", "customers"])
    first = primary(df["customers"], 5)
    hidden = complementary(df, ["d", "c"], df["customers"], first)
    assert (hidden | ~first).all()  # every small cell is hidden
    for dim, other in (("d", "c"), ("c", "d")):
        for _, idx in df.groupby(other).groups.items():
            pos = df.index.get_indexer(idx)
            assert hidden[pos].sum() != 1 or len(pos) == 1, (dim, df[hidden])
    assert np.all(hidden[first])
