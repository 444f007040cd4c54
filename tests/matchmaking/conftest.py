"""Fixtures for partner search: a fresh index per test, French catalogues, and small builders."""

from __future__ import annotations

from pathlib import Path

import polib
import pytest

ROOT = Path(__file__).resolve().parents[2]
CATALOGUES = [
    ROOT / "poles" / app / "locale" / "fr" / "LC_MESSAGES" / "django.po" for app in ("matchmaking", "calls")
]


@pytest.fixture(scope="session", autouse=True)
def french_catalogues():
    """Reasons and rule messages can be asserted in French in any checkout (the .mo are build outputs)."""
    from django.utils.translation import trans_real

    for po_path in CATALOGUES:
        polib.pofile(str(po_path)).save_as_mofile(str(po_path.with_suffix(".mo")))
    trans_real._translations = {}
    trans_real._default = None


@pytest.fixture(autouse=True)
def fresh_partner_index(settings):
    """Each test sees the index of its own database state: no reuse across tests, no check delay."""
    from poles.matchmaking import indexing

    settings.POLES_PARTNER_INDEX_CHECK_SECONDS = 0
    settings.POLES_PARTNER_INDEX_BACKGROUND = False  # checks and rebuilds in the request: deterministic
    indexing.reset()
    yield
    indexing.reset()


@pytest.fixture
def member_org(users):
    from poles.core.roles import roles_of
    from poles.organisations.models import Organisation

    return Organisation.objects.get(pk=next(iter(roles_of(users["member"]).member_of)))


@pytest.fixture
def open_call(db):
    from tests.matchmaking.support import partners_call

    return partners_call()
