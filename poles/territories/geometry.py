"""Optional boundaries from the shared GeoJSON files, for maps.

The files are not part of the repository; where they are absent, maps are replaced by tables
and a message names the file to provide.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from django.conf import settings

FILES = {
    "regions": "data/geo/regions-version-simplifiee.geojson",
    "former_regions": "data/geo/regions-avant-redecoupage-2015.geojson",
    "departements": "data/geo/departements-version-simplifiee.geojson",
}


def path_of(layer: str) -> Path:
    return Path(settings.POLES_SHARED_DIR) / FILES[layer]


@lru_cache(maxsize=8)
def _load(path: str, mtime: float) -> dict:
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


def geojson(layer: str) -> dict | None:
    """The layer's GeoJSON (properties `code`, `nom`), or None when the file is absent."""
    path = path_of(layer)
    if not path.exists():
        return None
    return _load(str(path), path.stat().st_mtime)
