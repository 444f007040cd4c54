"""Many concurrent writers on one money object: optimistic locking loses no update (PostgreSQL).

Each writer reads a funding decision, adds one euro and saves it through the generic service
with the version it read; a writer that finds the version moved on is refused (StaleObject)
and retries from a fresh read. At the end the amount has grown by exactly the number of
successful writes, each one left an audit event, and the version counted them all.
"""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.db import connection, connections

from poles.core import services
from poles.core.exceptions import StaleObject
from poles.core.models import AuditEvent
from poles.grants.models import Decision

WRITERS = 8
INCREMENTS = 5


@pytest.fixture
def pg_only(db):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite serialises all writers, so there is no race to test")


def _in_thread(fn, *args):
    """Run fn on its own connection (committed, outside the test's transaction)."""
    errors = []

    def target():
        try:
            fn(*args)
        except Exception as exc:  # reported by the test
            errors.append(exc)
        finally:
            connections.close_all()

    return target, errors


def test_concurrent_writers_lose_no_update(pg_only, users):
    officer = users["officer"]
    decision_id = Decision.objects.order_by("id").values_list("id", flat=True).first()
    start = Decision.objects.get(pk=decision_id)
    barrier = threading.Barrier(WRITERS)
    stale = []

    def writer():
        barrier.wait()
        done = 0
        while done < INCREMENTS:
            current = Decision.objects.get(pk=decision_id)
            try:
                services.update(
                    current, actor=officer, expected_version=current.version,
                    amount=current.amount + 1, reason="concurrency test",
                )  # fmt: skip
                done += 1
            except StaleObject:
                stale.append(1)

    threads, all_errors = [], []
    for _ in range(WRITERS):
        target, errors = _in_thread(writer)
        all_errors.append(errors)
        threads.append(threading.Thread(target=target))
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    try:
        assert not any(all_errors), all_errors
        end = Decision.objects.get(pk=decision_id)
        total = WRITERS * INCREMENTS
        assert end.amount == start.amount + Decimal(total)  # no lost update
        assert end.version == start.version + total
        events = AuditEvent.objects.filter(
            object_type="grants.decision", object_id=str(decision_id), reason="concurrency test"
        )
        assert events.count() == total
        assert stale, "the writers never collided: the test did not exercise the lock"
    finally:
        # The writers committed outside the test transaction: put the amount back for other tests.
        target, _errors = _in_thread(
            lambda: Decision.objects.filter(pk=decision_id).update(amount=start.amount, version=start.version)
        )
        restorer = threading.Thread(target=target)
        restorer.start()
        restorer.join()


def test_a_blind_write_without_the_version_would_lose_updates(pg_only):
    """Why the version matters: two writers that read the same amount both write amount + 1."""
    decision = Decision.objects.order_by("id").first()
    first, second = Decision.objects.get(pk=decision.pk), Decision.objects.get(pk=decision.pk)
    services.update(first, actor=None, expected_version=first.version, amount=first.amount + 1)
    with pytest.raises(StaleObject):
        services.update(second, actor=None, expected_version=second.version, amount=second.amount + 1)
