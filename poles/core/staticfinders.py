"""Serve chosen files shipped inside Python packages as static files (no CDN, no copy in git).

Plotly's JavaScript bundle comes with the plotly wheel; this finder exposes only that file, as
`vendor/plotly.min.js`, so charts work offline with the version pinned in pyproject.toml.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

from django.contrib.staticfiles.finders import BaseFinder
from django.core.files.storage import FileSystemStorage

VENDORED = {"vendor/plotly.min.js": ("plotly", "package_data/plotly.min.js")}


def _package_file(package: str, relative: str) -> Path:
    spec = importlib.util.find_spec(package)
    return Path(spec.origin).parent / relative


class VendoredPackageFinder(BaseFinder):
    def check(self, **kwargs):
        return []

    def find(self, path, find_all=False, **kwargs):
        if path in VENDORED:
            found = str(_package_file(*VENDORED[path]))
            return [found] if find_all else found
        return [] if find_all else None

    def list(self, ignore_patterns):
        for name, (package, relative) in VENDORED.items():
            file = _package_file(package, relative)
            storage = FileSystemStorage(location=str(file.parent))
            storage.prefix = str(Path(name).parent)
            yield file.name, storage
