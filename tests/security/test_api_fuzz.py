"""API fuzzing: schemathesis generates requests from the OpenAPI schema for every operation and
checks that nothing answers 5xx and that every response conforms to the schema.

Bounded for `make test`: a few examples per operation, no shrinking, no example database, as an
officer (the role that reaches the most operations, writes included) over the WSGI app.
"""

from __future__ import annotations

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

# `make test` fuzzes every read operation once (< 60 s); POLES_FUZZ_ALL=1 fuzzes every operation,
# writes included, with more examples (minutes: run it before a release).
FULL = os.environ.get("POLES_FUZZ_ALL") == "1"
MAX_EXAMPLES = 5 if FULL else 1


def _load_schema():
    """The schema the API serves at /api/schema/ (generated in-process: no database needed)."""
    import json

    from drf_spectacular.generators import SchemaGenerator
    from drf_spectacular.renderers import OpenApiJsonRenderer

    from poles.wsgi import application

    document = json.loads(
        OpenApiJsonRenderer().render(SchemaGenerator().get_schema(request=None, public=True))
    )
    loaded = schemathesis.openapi.from_dict(document)
    loaded.app = application
    return loaded


schema = _load_schema() if FULL else _load_schema().include(method="GET")


@pytest.fixture
def kept_connection():
    """Requests go through the WSGI app, whose request signals close "old" database connections: on
    PostgreSQL that would close the test's own connection (SQLite's in-memory one survives). The
    test client does the same: the signals are disconnected for the test."""
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def officer_token(users):
    from rest_framework.authtoken.models import Token

    return Token.objects.get_or_create(user=users["officer"])[0].key


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    phases=[Phase.explicit, Phase.generate],
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
@pytest.mark.django_db
def test_api_conforms_and_never_fails(case, officer_token, kept_connection):
    if case.method == "GET" and not FULL:
        case.query = {**(case.query or {}), "page_size": 3}  # short pages: conformance checks every item
    case.call_and_validate(
        headers={"Authorization": f"Token {officer_token}", "Accept-Language": "en"},
        checks=[not_a_server_error, response_schema_conformance],
    )
