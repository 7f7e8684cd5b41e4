"""Hexagon bins of a cell's customers (pure kernel: pandas and h3, no connection).

A cell with more than :data:`BIN_ABOVE` customers is drawn as H3 bins of
:data:`BIN_RESOLUTION` counting its customers, not as thousands of points.
"""

from __future__ import annotations

import pandas as pd

#: above this many customers a cell's map shows hexagon bins, not points
BIN_ABOVE = 3_000
#: H3 resolution of those bins (about 0.015 km2, 65 m across)
BIN_RESOLUTION = 10


def bin_points(points: pd.DataFrame, resolution: int = BIN_RESOLUTION) -> pd.DataFrame:
    """Customer points counted per H3 cell of ``resolution`` (pure): ``cell``, ``customers``,
    ``big_customers``, ``top_class`` (the most frequent class; a tie goes to the first name in
    alphabetical order), most customers first."""
    import h3

    if points.empty:
        return pd.DataFrame(columns=["cell", "customers", "big_customers", "top_class"])
    cells = [h3.latlng_to_cell(lat, lon, resolution)
             for lon, lat in zip(points["lon"], points["lat"], strict=True)]
    df = points.assign(cell=cells)
    out = df.groupby("cell").agg(customers=("customer_id", "size"),
                                 big_customers=("big_customer", "sum"))
    by_class = (df.groupby(["cell", "customer_class"]).size().rename("n").reset_index()
                .sort_values(["cell", "n", "customer_class"], ascending=[True, False, True])
                .drop_duplicates("cell").set_index("cell")["customer_class"])
    out["top_class"] = by_class.reindex(out.index)
    out["big_customers"] = out["big_customers"].astype(int)
    return out.reset_index().sort_values(["customers", "cell"], ascending=[False, True],
                                         ignore_index=True)
