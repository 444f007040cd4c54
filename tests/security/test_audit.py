"""Audit: every service write is recorded (who, when, before, after, reason); the table is
append-only in the database; `poles audit verify` finds altered and removed rows; the history
page shows an object's changes to those allowed to see them."""

from __future__ import annotations

import ast
import contextlib
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from poles.core.models import AuditEvent
from poles.core.roles import roles_of
from poles.organisations import services as organisation_services
from poles.organisations.models import Organisation

POLES = Path(__file__).resolve().parents[2] / "poles"


@contextlib.contextmanager
def triggers_off():
    """What an attacker with the database owner's rights could do; undone with the test's transaction."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("DROP TRIGGER core_auditevent_no_update")
            cursor.execute("DROP TRIGGER core_auditevent_no_delete")
        else:  # the owner (here the superuser) switches user triggers off for this transaction
            cursor.execute("SET LOCAL session_replication_role = replica")
    yield
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL session_replication_role = DEFAULT")


@pytest.fixture
def three_changes(users):
    org = Organisation.objects.filter(category="company").first()
    for name in ("One", "Two", "Three"):
        organisation_services.update_organisation(org, actor=users["officer"], acronym=name)
    events = list(AuditEvent.objects.filter(object_id=str(org.pk), action__endswith=".update").order_by("id"))
    return org, events[-3:]


def _verify() -> tuple[int, str]:
    try:
        call_command("audit", "verify")
    except CommandError as error:
        return error.returncode, str(error)
    return 0, ""


def test_a_service_write_records_who_when_before_after_and_why(users):
    org = Organisation.objects.filter(category="company").first()
    old = org.acronym
    organisation_services.update_organisation(org, actor=users["officer"], acronym="NEW", reason="typo fixed")
    event = AuditEvent.objects.latest("id")
    assert event.actor == users["officer"] and event.actor_repr == "officer"
    assert event.created_at is not None and event.action == "organisations.organisation.update"
    assert event.before["acronym"] == old and event.after["acronym"] == "NEW"
    assert event.reason == "typo fixed"


def test_the_database_refuses_to_update_or_delete_audit_rows(three_changes):
    _org, (first, *_rest) = three_changes
    for statement in (
        "UPDATE core_auditevent SET reason = 'forged' WHERE id = %s",
        "DELETE FROM core_auditevent WHERE id = %s",
    ):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            connection.cursor().execute(statement, [first.pk])
    assert AuditEvent.objects.get(pk=first.pk).reason == first.reason


def test_verify_passes_on_an_intact_chain(three_changes, capsys):
    assert _verify() == (0, "")
    assert "intact" in capsys.readouterr().out


def test_verify_finds_an_altered_row(three_changes):
    _org, (_first, middle, _last) = three_changes
    with triggers_off(), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE core_auditevent SET after = %s WHERE id = %s", ['{"acronym": "Forged"}', middle.pk]
        )
    code, message = _verify()
    assert code == 1 and f"event {middle.pk} " in message and "organisations.organisation.update" in message


def test_verify_finds_a_removed_row(three_changes):
    _org, (_first, middle, last) = three_changes
    with triggers_off(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM core_auditevent WHERE id = %s", [middle.pk])
    code, message = _verify()
    assert code == 1 and f"event {last.pk} " in message  # the next event no longer links


# --- every service write is audited -------------------------------------------------------------

# Service functions that write derived data (recomputed from audited facts) rather than facts.
DERIVED = {
    ("evaluation", "execute"): "stores a computed evaluation run (inputs and results), not a decision",
    ("organisations", "recompute_sizes"): "size classes recomputed from audited yearly figures",
    ("reviews", "refresh_call_scores"): "aggregate scores recomputed from audited reviews",
    ("selection", "store_run"): "an optimiser proposal; the officer's confirmation is audited",
    ("territories", "load_reference"): "reference geography loaded from the shared files",
    # Open-data imports: ImportRun rows are themselves the import log (who, which file, when);
    # the rows an import writes are written by the importers, which receive the actor.
    ("opendata", "start_import"): "stores the uploaded file and queues the run (the import log)",
    ("opendata", "apply_checked"): "stores the run that applies a checked file (the import log)",
    ("opendata", "execute"): "the task running an import; importers receive the run's actor",
}
_WRITES = {"save", "bulk_create", "bulk_update", "update_or_create", "delete"}


def _unaudited_writers(path: Path) -> list[str]:
    tree = ast.parse(path.read_text())
    functions = {n.name: n for n in tree.body if isinstance(n, ast.FunctionDef)}

    def calls(fn):
        for node in ast.walk(fn):
            if isinstance(node, ast.Call):
                f = node.func
                if isinstance(f, ast.Attribute):
                    yield ast.unparse(f.value), f.attr
                elif isinstance(f, ast.Name):
                    yield "", f.id

    def audited(name, seen=frozenset()):
        for base, attr in calls(functions[name]):
            if (attr == "record" and "audit" in base) or attr == "perform":
                return True
            if base.endswith("services") and attr in ("create", "update", "delete"):
                return True
            if not base and attr in functions and attr not in seen | {name} and audited(attr, seen | {name}):
                return True
        return False

    offenders = []
    for name, fn in functions.items():
        if name.startswith("_"):
            continue
        writes = [
            (base, attr)
            for base, attr in calls(fn)
            if "audit" not in base
            and not base.endswith("services")
            and (
                attr in _WRITES
                or ("objects" in base and attr in ("create", "update", "get_or_create"))
                or (base.endswith(")") and attr in ("update", "delete"))
            )
        ]
        if writes and not audited(name):
            offenders.append(name)
    return offenders


def test_every_service_function_that_writes_records_an_audit_event():
    found = {
        (path.parent.name, name)
        for path in sorted(POLES.glob("*/services.py"))
        for name in _unaudited_writers(path)
    }
    assert found - set(DERIVED) == set(), "service writes without an audit event"
    assert set(DERIVED) - found == set(), "stale entries in DERIVED"


def test_a_role_given_to_a_new_reviewer_is_audited(users, api_for):
    created = api_for(users["officer"]).post(
        "/api/reviewers/", {"username": "audited-expert", "expertise": ["x"], "max_load": 3}, format="json"
    )
    assert created.status_code == 201, created.json()
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.get(username="audited-expert")
    event = AuditEvent.objects.get(action="accounts.roleassignment.create", after__user_id=user.pk)
    assert event.actor == users["officer"] and event.after["role"] == "reviewer"


def test_the_walker_flags_an_unaudited_write(tmp_path):
    source = tmp_path / "services.py"
    source.write_text(
        "def silent(obj):\n    obj.save()\n\n"
        "def loud(obj, actor):\n    obj.save()\n    audit.record('x', obj, actor=actor)\n\n"
        "def via_helper(obj, actor):\n    loud(obj, actor)\n    Thing.objects.filter(pk=1).update(a=1)\n"
    )
    assert _unaudited_writers(source) == ["silent"]


# --- the history page --------------------------------------------------------------------------


def _history_url(obj) -> str:
    return reverse("core:history", args=[obj._meta.label_lower, obj.pk])


@pytest.fixture
def member_org_changed(users):
    own = Organisation.objects.get(pk=next(iter(roles_of(users["member"]).member_of)))
    organisation_services.update_organisation(own, actor=users["officer"], acronym="HIST", reason="check")
    return own


@pytest.mark.parametrize(
    "role, status",
    [("officer", 200), ("analyst", 200), ("member", 200), ("reviewer", 404), ("anonymous", 302)],
)
def test_history_page_shows_changes_to_officers_analysts_and_owners(
    role, status, users, client_for, member_org_changed
):
    response = client_for(users[role]).get(_history_url(member_org_changed))
    assert response.status_code == status
    if status == 200:
        html = response.content.decode()
        assert "HIST" in html and "officer" in html and "check" in html


def test_history_of_another_organisation_is_hidden_from_a_member(users, client_for, member_org_changed):
    other = Organisation.objects.filter(category="company").exclude(pk=member_org_changed.pk).first()
    assert client_for(users["member"]).get(_history_url(other)).status_code == 404


@pytest.mark.parametrize("path", ["nope.model/1/", "core.auditevent/1/", "organisations.organisation/abc/"])
def test_history_of_unknown_objects_is_404(path, users, client_for):
    assert client_for(users["officer"]).get("/history/" + path).status_code == 404
