"""Find each poles app's optional modules (urls, api, demo, menu) in INSTALLED_APPS order.

Apps plug their pages, API routes, demo-generation steps and menu entries in by providing a
module; nothing central needs editing when an app grows a page.
"""

from __future__ import annotations

import importlib
import importlib.util
from types import ModuleType

from django.apps import apps


def poles_apps() -> list[str]:
    """Module paths of the project's own apps, in import order (e.g. 'poles.clusters')."""
    return [config.name for config in apps.get_app_configs() if config.name.startswith("poles.")]


def app_modules(submodule: str) -> list[ModuleType]:
    """The `<app>.<submodule>` modules that exist, imported, in INSTALLED_APPS order."""
    found = []
    for name in poles_apps():
        dotted = f"{name}.{submodule}"
        if importlib.util.find_spec(dotted) is not None:
            found.append(importlib.import_module(dotted))
    return found
