import pytest
from django.db import connection

from poles.core import audit
from poles.core.exceptions import StaleObject, TransitionNotAllowed
from poles.core.models import AuditEvent
from poles.instruments import services as instrument_services
from poles.instruments.models import Instrument
from poles.organisations import services as organisation_services
from poles.organisations.models import Organisation
from tests.security.test_audit import triggers_off


def _pending(**extra) -> Instrument:
    return Instrument.objects.create(
        kind="practice", status="pending", title_fr="Pratique", title_en="Practice", contact_person="X",
        contact_organisation="Y", aim_fr="a", aim_en="a", overview_fr="o", overview_en="o",
        created_on="2020-01-01", **extra,
    )  # fmt: skip


def test_service_update_is_audited_with_before_and_after(db, users):
    org = Organisation.objects.filter(category="company").first()
    old_name = org.name
    organisation_services.update_organisation(org, actor=users["officer"], name="Renamed SAS")
    event = AuditEvent.objects.filter(object_type="organisations.organisation", object_id=str(org.pk)).latest(
        "id"
    )
    assert event.action == "organisations.organisation.update"
    assert event.actor == users["officer"]
    assert event.before["name"] == old_name and event.after["name"] == "Renamed SAS"


def test_stale_version_is_refused_and_nothing_changes(db, users):
    org = Organisation.objects.filter(category="company").first()
    version = org.version
    organisation_services.update_organisation(
        org, actor=users["officer"], expected_version=version, acronym="A"
    )
    with pytest.raises(StaleObject):
        organisation_services.update_organisation(
            org, actor=users["officer"], expected_version=version, acronym="B"
        )
    assert Organisation.objects.get(pk=org.pk).acronym == "A"


def test_chain_verifies_and_detects_tampering(db, users):
    org = Organisation.objects.filter(category="company").first()
    for name in ("One", "Two", "Three"):
        organisation_services.update_organisation(org, actor=users["officer"], acronym=name)
    intact, count, broken = audit.verify_chain()
    assert intact and count >= 3 and broken is None
    target = AuditEvent.objects.filter(action="organisations.organisation.update").order_by("id")[1]
    with triggers_off(), connection.cursor() as cursor:  # the database refuses it otherwise
        cursor.execute("UPDATE core_auditevent SET reason = %s WHERE id = %s", ["forged", target.pk])
    intact, _count, broken = audit.verify_chain()
    assert not intact and broken == target.pk


def test_audit_events_are_append_only(db, users):
    event = audit.record("test.action", actor=users["officer"], object_type="x", object_id="1")
    event.reason = "changed"
    with pytest.raises(ValueError):
        event.save()
    with pytest.raises(ValueError):
        event.delete()


def test_workflow_checks_state_permission_and_reason(db, users):
    pending = _pending()
    with pytest.raises(TransitionNotAllowed) as refused:
        instrument_services.moderate(pending, "publish", actor=users["member"])
    assert refused.value.code == "permission_denied"
    with pytest.raises(TransitionNotAllowed) as no_reason:
        instrument_services.moderate(pending, "reject", actor=users["officer"])
    assert no_reason.value.code == "reason_required"
    published = instrument_services.moderate(pending, "publish", actor=users["officer"])
    assert published.status == "published" and published.version == pending.version + 1
    with pytest.raises(TransitionNotAllowed) as wrong_state:
        instrument_services.moderate(published, "reject", actor=users["officer"], reason="late")
    assert wrong_state.value.code == "wrong_state"
    actions = list(audit.history(published).values_list("action", flat=True))
    assert actions[-1] == "instruments.instrument.publish"
    assert Instrument.objects.get(pk=pending.pk).status == "published"
