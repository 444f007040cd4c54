"""Fixtures for the review engine tests: the French catalogues compiled for rendering checks."""

from __future__ import annotations

import pytest

from tests.calls.conftest import compile_catalogues


@pytest.fixture(scope="session", autouse=True)
def french_catalogues():
    """Every test in this folder can render messages in French."""
    compile_catalogues()
