"""Bounding boxes between coordinate systems. Pure: no Qt or QGIS."""

from __future__ import annotations

from rasterio.warp import transform_bounds

Bounds = tuple  # (xmin, ymin, xmax, ymax), or (west, south, east, north) in EPSG:4326
WGS84 = "EPSG:4326"
DENSIFY_POINTS = 21  # points added along each edge, so that curved edges stay inside


def transform_bbox(
    bounds: Bounds, crs: object, target_crs: object, densify_points: int = DENSIFY_POINTS
) -> Bounds:
    """``bounds`` in ``crs`` -> the bounding box of that area in ``target_crs`` (both anything
    rasterio accepts: "EPSG:3035", WKT, a CRS)."""
    xmin, ymin, xmax, ymax = bounds
    return tuple(
        transform_bounds(crs, target_crs, xmin, ymin, xmax, ymax, densify_pts=densify_points)
    )


def bbox_to_4326(bounds: Bounds, crs: object) -> Bounds:
    """(xmin, ymin, xmax, ymax) in ``crs`` -> (west, south, east, north) in EPSG:4326.
    Raises ValueError for inverted bounds or a CRS rasterio does not know."""
    xmin, ymin, xmax, ymax = bounds
    if xmin > xmax or ymin > ymax:
        raise ValueError(f"Invalid bounding box {bounds}: min greater than max.")
    return transform_bbox(bounds, crs, WGS84)
