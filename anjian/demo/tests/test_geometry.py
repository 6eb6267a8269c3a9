"""The towns tile the district: simple polygons, no overlaps, no gaps, and the map file matches."""

from __future__ import annotations

import json
import random

from anjian.demo import geometry
from anjian.demo.generate import read


def _rings() -> dict[str, geometry.Ring]:
    _, towns = geometry.district_geometry()
    return {code: geometry.exterior(polygon) for code, polygon in towns.items()}


def test_the_map_file_matches_the_generator():
    text = (geometry.DATA / "towns.geojson").read_text(encoding="utf-8")
    assert text == geometry.towns_geojson_text(), "run `python -m anjian.demo.geometry` to rewrite it"
    collection = json.loads(text)
    assert collection["type"] == "FeatureCollection"
    spec = read("district.json")
    assert [(f["properties"]["code"], f["properties"]["name"]) for f in collection["features"]] == [
        (t["code"], t["name"]) for t in spec["towns"]
    ]
    assert all(f["geometry"]["type"] == "Polygon" for f in collection["features"])


def test_town_polygons_are_closed_simple_and_counter_clockwise():
    for code, ring in _rings().items():
        assert ring[0] == ring[-1], code
        assert geometry.is_simple(ring), code
        assert geometry.area(ring) > 0, code


def test_towns_lie_around_the_demo_coordinates():
    for ring in _rings().values():
        west, south, east, north = geometry.bbox(ring)
        assert 113.54 <= west and east <= 113.76
        assert 34.69 <= south and north <= 34.86


def test_towns_do_not_overlap_and_leave_no_gaps():
    rings = _rings()
    outline, _ = geometry.district_geometry()
    outer = geometry.exterior(outline)
    rng = random.Random(7)
    inside_district = 0
    for _ in range(5000):
        lng, lat = rng.uniform(113.54, 113.76), rng.uniform(34.69, 34.86)
        hits = sum(geometry.contains(ring, lng, lat) for ring in rings.values())
        assert hits <= 1, (lng, lat)
        if geometry.contains(outer, lng, lat):
            inside_district += 1
            assert hits == 1, (lng, lat)
    assert inside_district > 3000
    # The towns' areas add up to the district's.
    assert abs(sum(geometry.area(r) for r in rings.values()) - geometry.area(outer)) < 1e-9


def test_point_in_polygon():
    square = [(0.0, 0.0), (1.0, 0.0), (1.0, 1.0), (0.0, 1.0), (0.0, 0.0)]
    assert geometry.contains(square, 0.5, 0.5)
    assert not geometry.contains(square, 1.5, 0.5)
    assert not geometry.contains(square, 0.5, -0.1)
    assert geometry.distance_to_boundary(square, 0.5, 0.25) == 0.25
