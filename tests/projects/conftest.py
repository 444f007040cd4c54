"""Fixtures for proposal tests: compiled French catalogues, an open call, the demo accounts."""

from __future__ import annotations

import pytest

from tests.calls.conftest import ROOT
from tests.projects.factories import make_call

CATALOGUES = [
    ROOT / "poles" / app / "locale" / "fr" / "LC_MESSAGES" / "django.po" for app in ("calls", "projects")
]


def compile_catalogues() -> None:
    """Compile the calls and projects catalogues (build outputs, git-ignored) and reload them."""
    import polib
    from django.utils.translation import trans_real

    for po_path in CATALOGUES:
        polib.pofile(str(po_path)).save_as_mofile(str(po_path.with_suffix(".mo")))
    trans_real._translations = {}
    trans_real._default = None


@pytest.fixture(scope="session", autouse=True)
def french_catalogues():
    """French renderings of the calls and projects messages are asserted in these tests."""
    compile_catalogues()


@pytest.fixture
def officer(users):
    return users["officer"]


@pytest.fixture
def open_call(users):
    return make_call(users["officer"])
