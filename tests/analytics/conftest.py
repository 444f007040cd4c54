"""Dashboards need calls, proposals and aid decisions: plant them on the tiny demo registry."""

import pytest

from poles.analytics import sample


@pytest.fixture
def planted(db):
    """Eight calls (2006–2009), 120 proposals of which about a third funded, their decisions, 6 EU projects."""
    return sample.plant(seed=3, years=(2006, 2009), proposals_per_call=15, external=6)
