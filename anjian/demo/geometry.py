"""Plain-Python geometry for the demo district: the town tiling and point-in-polygon.

The towns tile the district's bounding box as a jittered grid: the grid's
vertices are moved at random, and every grid edge is bent through a few
random points. Two neighbouring towns share the *same* edge (computed once,
walked in opposite directions), so the polygons never overlap and leave no
gaps. Coordinates are WGS84 ``[lng, lat]`` rounded to 6 decimals (~0.1 m).

``python -m anjian.demo.geometry`` rewrites ``data/towns.geojson`` from
``data/district.json``; a test checks that the file matches.
"""

from __future__ import annotations

import json
import math
import random
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .seeding import rng_for

DATA = Path(__file__).parent / "data"
Point = tuple[float, float]  # (lng, lat)
Ring = list[Point]

VERTEX_JITTER = 0.2  # share of a cell a grid vertex may move
BORDER_JITTER = 0.06  # inward share for vertices on the district border
EDGE_BENDS = (0.25, 0.5, 0.75)  # where an edge is bent, as a share of its length
BEND_AMPLITUDE = (0.05, 0.08, 0.05)  # how far (share of the edge's length), per bend point


def _r6(value: float) -> float:
    return round(value, 6)


class Tiling:
    """The jittered grid over ``bounds`` with ``cols`` x ``rows`` cells."""

    def __init__(self, bounds: dict[str, float], cols: int, rows: int, rng: random.Random) -> None:
        self.cols, self.rows = cols, rows
        west, east, south, north = bounds["west"], bounds["east"], bounds["south"], bounds["north"]
        dx, dy = (east - west) / cols, (north - south) / rows
        self.vertices: dict[tuple[int, int], Point] = {}
        for j in range(rows + 1):
            for i in range(cols + 1):
                x, y = west + i * dx, south + j * dy
                if 0 < i < cols:
                    x += rng.uniform(-VERTEX_JITTER, VERTEX_JITTER) * dx
                else:  # on the west/east border: only inwards
                    x += (1 if i == 0 else -1) * rng.uniform(0, BORDER_JITTER) * dx
                if 0 < j < rows:
                    y += rng.uniform(-VERTEX_JITTER, VERTEX_JITTER) * dy
                else:
                    y += (1 if j == 0 else -1) * rng.uniform(0, BORDER_JITTER) * dy
                self.vertices[(i, j)] = (x, y)
        # Every grid edge, bent once, keyed by its (lower, upper) vertex pair.
        self.edges: dict[tuple[tuple[int, int], tuple[int, int]], list[Point]] = {}
        keys = sorted(self.vertices)
        for a in keys:
            for b in ((a[0] + 1, a[1]), (a[0], a[1] + 1)):
                if b in self.vertices:
                    self.edges[(a, b)] = self._bend(self.vertices[a], self.vertices[b], rng)

    @staticmethod
    def _bend(a: Point, b: Point, rng: random.Random) -> list[Point]:
        (ax, ay), (bx, by) = a, b
        length = math.hypot(bx - ax, by - ay)
        nx, ny = -(by - ay) / length, (bx - ax) / length  # unit normal
        points = [a]
        for t, amplitude in zip(EDGE_BENDS, BEND_AMPLITUDE, strict=True):
            offset = rng.uniform(-amplitude, amplitude) * length
            points.append((ax + t * (bx - ax) + offset * nx, ay + t * (by - ay) + offset * ny))
        points.append(b)
        return points

    def _walk(self, a: tuple[int, int], b: tuple[int, int]) -> list[Point]:
        """The points of edge a -> b, without its last point."""
        if (a, b) in self.edges:
            return self.edges[(a, b)][:-1]
        return list(reversed(self.edges[(b, a)]))[:-1]

    def _ring(self, corners: Sequence[tuple[int, int]]) -> Ring:
        ring: Ring = []
        for a, b in zip(corners, [*corners[1:], corners[0]], strict=True):
            ring.extend(self._walk(a, b))
        ring.append(ring[0])
        return [(_r6(x), _r6(y)) for x, y in ring]

    def cell(self, i: int, j: int) -> Ring:
        """The closed, counter-clockwise ring of cell (column i from the west, row j from the south)."""
        return self._ring([(i, j), (i + 1, j), (i + 1, j + 1), (i, j + 1)])

    def outline(self) -> Ring:
        """The district's outer boundary (counter-clockwise)."""
        c, r = self.cols, self.rows
        corners = ([(i, 0) for i in range(c)] + [(c, j) for j in range(r)]
                   + [(i, r) for i in range(c, 0, -1)] + [(0, j) for j in range(r, 0, -1)])
        return self._ring(corners)


def polygon(ring: Ring) -> dict[str, Any]:
    return {"type": "Polygon", "coordinates": [[[x, y] for x, y in ring]]}


def exterior(geometry: dict[str, Any]) -> Ring:
    """The exterior ring of a GeoJSON Polygon as (lng, lat) tuples."""
    return [(float(x), float(y)) for x, y in geometry["coordinates"][0]]


def contains(ring: Sequence[Point], lng: float, lat: float) -> bool:
    """Ray casting: is (lng, lat) strictly inside the closed ring? (Points on an edge may go either way.)"""
    inside = False
    n = len(ring) - 1  # the ring is closed
    for k in range(n):
        (x1, y1), (x2, y2) = ring[k], ring[k + 1]
        if (y1 > lat) != (y2 > lat):
            x_cross = x1 + (lat - y1) * (x2 - x1) / (y2 - y1)
            if lng < x_cross:
                inside = not inside
    return inside


def distance_to_boundary(ring: Sequence[Point], lng: float, lat: float) -> float:
    """Shortest distance (in degrees) from the point to the ring's edges."""
    best = math.inf
    for k in range(len(ring) - 1):
        (x1, y1), (x2, y2) = ring[k], ring[k + 1]
        dx, dy = x2 - x1, y2 - y1
        t = max(0.0, min(1.0, ((lng - x1) * dx + (lat - y1) * dy) / (dx * dx + dy * dy or 1)))
        best = min(best, math.hypot(lng - (x1 + t * dx), lat - (y1 + t * dy)))
    return best


def bbox(ring: Sequence[Point]) -> tuple[float, float, float, float]:
    xs, ys = [p[0] for p in ring], [p[1] for p in ring]
    return min(xs), min(ys), max(xs), max(ys)


def area(ring: Sequence[Point]) -> float:
    """Signed area (shoelace); positive for a counter-clockwise ring."""
    return sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in zip(ring, ring[1:], strict=False)) / 2


def is_simple(ring: Sequence[Point]) -> bool:
    """No two non-adjacent edges of the closed ring cross."""

    def cross(o: Point, a: Point, b: Point) -> float:
        return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])

    n = len(ring) - 1
    for i in range(n):
        for j in range(i + 2, n):
            if i == 0 and j == n - 1:
                continue  # adjacent through the closing point
            p1, p2, q1, q2 = ring[i], ring[i + 1], ring[j], ring[j + 1]
            d1, d2 = cross(q1, q2, p1), cross(q1, q2, p2)
            d3, d4 = cross(p1, p2, q1), cross(p1, p2, q2)
            if ((d1 > 0) != (d2 > 0)) and ((d3 > 0) != (d4 > 0)) and d1 and d2 and d3 and d4:
                return False
    return True


def point_inside(ring: Sequence[Point], rng: random.Random, margin: float = 0.0) -> Point:
    """A uniformly random point inside the ring, at least ``margin`` degrees from its edges (6 decimals)."""
    x0, y0, x1, y1 = bbox(ring)
    while True:
        lng, lat = _r6(rng.uniform(x0, x1)), _r6(rng.uniform(y0, y1))
        if contains(ring, lng, lat) and (not margin or distance_to_boundary(ring, lng, lat) >= margin):
            return lng, lat


def district_geometry(spec: dict[str, Any] | None = None) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    """(district outline, {town code: town polygon}) computed from ``district.json``."""
    if spec is None:
        spec = json.loads((DATA / "district.json").read_text(encoding="utf-8"))
    towns = spec["towns"]
    cols = 1 + max(t["cell"][0] for t in towns)
    rows = 1 + max(t["cell"][1] for t in towns)
    tiling = Tiling(spec["bounds"], cols, rows, rng_for(spec["seed"], "geometry"))
    return polygon(tiling.outline()), {t["code"]: polygon(tiling.cell(*t["cell"])) for t in towns}


def towns_feature_collection(spec: dict[str, Any] | None = None) -> dict[str, Any]:
    """The towns as a GeoJSON FeatureCollection (properties: code, name, kind, is_demo)."""
    if spec is None:
        spec = json.loads((DATA / "district.json").read_text(encoding="utf-8"))
    _, towns = district_geometry(spec)
    return {
        "type": "FeatureCollection",
        "name": spec["district"]["name"],
        "features": [
            {"type": "Feature", "id": t["code"],
             "properties": {"code": t["code"], "name": t["name"], "kind": t["kind"], "is_demo": True},
             "geometry": towns[t["code"]]}
            for t in spec["towns"]
        ],
    }


def towns_geojson_text(spec: dict[str, Any] | None = None) -> str:
    collection = towns_feature_collection(spec)
    lines = ['{"type": "FeatureCollection", "name": ' + json.dumps(collection["name"], ensure_ascii=False)
             + ', "features": [']
    features = [json.dumps(f, ensure_ascii=False, separators=(", ", ": ")) for f in collection["features"]]
    lines.append(",\n".join(features))
    lines.append("]}")
    return "\n".join(lines) + "\n"


def main() -> int:
    target = DATA / "towns.geojson"
    target.write_text(towns_geojson_text(), encoding="utf-8")
    sys.stdout.write(f"wrote {target}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
