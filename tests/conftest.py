"""Shared fixtures: every test database holds the `tiny` demo programme (same structure as the
real demo, about 1,200 organisations) with one account per role, so that tests exercise the
data that could leak, not an empty database."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client
from rest_framework.test import APIClient

ROLES = ["officer", "funder", "cluster", "member", "reviewer", "analyst"]


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    from poles.demo.generator import generate

    with django_db_blocker.unblock():
        generate("tiny", seed=7, accounts=True)


@pytest.fixture
def users(db) -> dict:
    """The demo accounts by role, plus `anonymous` (None) and `admin`."""
    model = get_user_model()
    found = {u.username: u for u in model.objects.filter(username__in=[*ROLES, "admin"])}
    found["anonymous"] = None
    return found


@pytest.fixture
def client_for(db):
    def make(user) -> Client:
        client = Client()
        if user is not None:
            client.force_login(user)
        return client

    return make


@pytest.fixture
def api_for(db):
    def make(user) -> APIClient:
        client = APIClient()
        if user is not None:
            client.force_authenticate(user)
        return client

    return make


@pytest.fixture
def shared_dir():
    path = settings.POLES_SHARED_DIR
    if not path.exists():
        pytest.skip(f"needs the shared reference data at {path} (set POLES_SHARED_DIR)")
    return path


@pytest.fixture(autouse=True)
def _english_unless_asked(request):
    """Messages outside a request render in English in tests; tests of French say so explicitly."""
    from django.utils import translation

    with translation.override("en"):
        yield
