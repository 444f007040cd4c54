"""Fixtures for the calls engine tests: compiled French catalogues and proposal builders.

The .mo files are build outputs (git-ignored, compiled by the lead's `make`); the tests compile
them from the .po files with polib so the French renderings can be asserted in any checkout.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from pathlib import Path

import polib
import pytest

from poles.calls.engine.facts import ClusterLabel, Participation, ProposalFacts

ROOT = Path(__file__).resolve().parents[2]
CATALOGUES = [
    ROOT / "poles" / app / "locale" / "fr" / "LC_MESSAGES" / "django.po" for app in ("calls", "reviews")
]


def compile_catalogues() -> None:
    """Compile the engines' .po files beside themselves and drop Django's cached catalogues."""
    from django.utils.translation import trans_real

    for po_path in CATALOGUES:
        polib.pofile(str(po_path)).save_as_mofile(str(po_path.with_suffix(".mo")))
    trans_real._translations = {}
    trans_real._default = None


@pytest.fixture(scope="session", autouse=True)
def french_catalogues():
    """Every test in this folder can render messages in French."""
    compile_catalogues()


DEADLINE = datetime(2018, 3, 1, 12, 0)


def participation(org_id: str, category: str = "company", **kwargs) -> Participation:
    """A participation with a EUR 500,000 staff budget, all of it in the cluster territory."""
    defaults = {
        "size_class": "small" if category in ("company", "ntbf") else None,
        "budget": {"staff": Decimal(500_000)},
        "territory_share": Decimal(1),
        "lead_cluster_share": Decimal(1),
    }
    defaults.update(kwargs)
    return Participation(org_id=org_id, category=category, **defaults)


def eligible_facts(**kwargs) -> ProposalFacts:
    """A proposal that meets both FUI presets: company lead, 2 companies, 1 lab, 1 label in time."""
    defaults = {
        "proposal_id": "p1",
        "call_id": "fui25",
        "title": "Capteurs éco-conçus",
        "participations": (
            participation("lead", role="lead", name="Lead SA"),
            participation("big", size_class="large", name="Big Group"),
            participation("lab", "public_research", name="CNRS lab"),
        ),
        "labels": (ClusterLabel("minalogic", "labelled", datetime(2018, 2, 1)),),
        "lead_cluster_id": "minalogic",
        "submitted_at": datetime(2018, 2, 20),
        "deadline": DEADLINE,
    }
    defaults.update(kwargs)
    return ProposalFacts(**defaults)
