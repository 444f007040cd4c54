"""Call services: creation from a preset, validation in both languages, publication, versioning
of an open call, envelopes, closing, permissions and optimistic locking."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from poles.calls import services
from poles.calls.models import Call, CallFunder, CallVersion, Funder
from poles.core.audit import history
from poles.core.exceptions import StaleObject, TransitionNotAllowed
from poles.instruments.models import Programme
from tests.projects.factories import make_call


def _programme():
    return Programme.objects.get(slug="poles-competitivite")


def _draft(officer, **overrides):
    now = timezone.now()
    values = {
        "preset": "fui_classic", "reference": "draft-call", "title_fr": "Brouillon", "title_en": "Draft",
        "opens_at": now + dt.timedelta(days=1), "labelling_deadline": now + dt.timedelta(days=20),
        "submission_deadline": now + dt.timedelta(days=30), "state_funder": Funder.objects.get(slug="fui"),
    }  # fmt: skip
    values.update(overrides)
    return services.create_call(_programme(), actor=officer, **values)


def test_a_call_starts_from_a_preset_with_the_state_rates_given_to_the_chosen_funder(users):
    call = _draft(users["officer"], preset="fui_25")
    assert call.status == Call.Status.DRAFT and call.preset == "fui_25"
    assert {row["funder"] for row in call.rates} == {"fui"}
    assert any(r["rule"] == "lead_cluster_share" for r in call.rules)  # FUI 25's 25 % rule
    sme = next(r for r in call.rates if r.get("group") == "sme" and r.get("territory") == "inside")
    assert sme["rate"] == "0.50"
    event = history(call).get(action="calls.call.create")
    assert event.actor == users["officer"] and event.after["reference"] == "draft-call"


@pytest.mark.parametrize("role", ["member", "cluster", "funder", "analyst", "reviewer"])
def test_only_officers_create_calls(role, users):
    with pytest.raises(PermissionDenied):
        _draft(users[role])
    assert not Call.objects.filter(reference="draft-call").exists()


@pytest.mark.parametrize(
    "language, fragment",
    [("en", 'unknown rule code "astrology"'), ("fr", "code de règle inconnu « astrology »")],
)
def test_an_invalid_rule_set_is_refused_with_reasons_in_both_languages(language, fragment, users):
    call = _draft(users["officer"])
    with translation.override(language), pytest.raises(ValidationError) as caught:
        services.update_call(call, actor=users["officer"], rules=[{"rule": "astrology"}])
    assert any(fragment in message for message in caught.value.message_dict["rules"])
    call.refresh_from_db()
    assert call.rules[0]["rule"] == "lead_is_company"


@pytest.mark.parametrize(
    "section, value, fragment",
    [
        ("selection", {"objective": "luck"}, "score_per_euro"),
        ("selection", {"min_sme_share": "1.5"}, "between 0 and 1"),
        ("instalments", {"advance": "0.5", "balance": "0.6"}, "add up to 1"),
        ("rates", [{"funder": "fui", "rate": "1.2"}], "between 0 and 1"),
        ("evaluation", {"criteria": []}, "at least one criterion"),
    ],
)
def test_every_configuration_section_is_validated(section, value, fragment, users):
    call = _draft(users["officer"])
    with pytest.raises(ValidationError) as caught:
        services.update_call(call, actor=users["officer"], **{section: value})
    assert any(fragment in m for m in caught.value.message_dict[section])


def test_publication_needs_funders_rates_for_each_of_them_and_a_future_deadline(users):
    officer = users["officer"]
    call = _draft(officer)
    with pytest.raises(TransitionNotAllowed) as caught:
        services.publish_call(call, actor=officer)
    assert "Add at least one funder" in str(caught.value.message)
    region = Funder.objects.get(slug="region-84")
    services.set_envelope(call, region, Decimal(1_000_000), actor=officer)
    with pytest.raises(TransitionNotAllowed) as caught:
        services.publish_call(Call.objects.get(pk=call.pk), actor=officer)
    assert "has no row in the rate table" in str(caught.value.message)  # region-84 has no rate
    assert 'names the funder "fui"' in str(caught.value.message)  # and fui is not a funder yet
    services.remove_funder(call, region, actor=officer)
    services.set_envelope(call, Funder.objects.get(slug="fui"), Decimal(20_000_000), actor=officer)
    opened = services.publish_call(Call.objects.get(pk=call.pk), actor=officer)
    assert opened.status == Call.Status.OPEN
    assert CallVersion.objects.get(call=call, number=1).snapshot["funders"] == [
        {"funder": "fui", "envelope": "20000000"}
    ]


def test_changing_an_open_call_makes_a_new_version_with_before_and_after(users):
    officer = users["officer"]
    call = make_call(officer, reference="versioned")
    assert call.versions.count() == 1
    new_rules = [dict(rule) for rule in call.rules]
    budget = next(r for r in new_rules if r["rule"] == "budget_bounds")
    budget["params"] = {"min": "500000", "max": "6000000"}
    with pytest.raises(ValidationError) as caught:
        services.update_call(call, actor=officer, rules=new_rules)  # no reason
    assert "reason" in caught.value.message_dict
    assert call.versions.count() == 1
    services.update_call(call, actor=officer, rules=new_rules, reason="Smaller projects welcome")
    version = call.versions.get(number=2)
    assert version.reason == "Smaller projects welcome" and version.author == officer
    assert any(r.get("params") == {"min": "500000", "max": "6000000"} for r in version.snapshot["rules"])
    event = history(call).filter(action="calls.call.update").latest("id")
    before = next(r for r in event.before["rules"] if r["rule"] == "budget_bounds")
    after = next(r for r in event.after["rules"] if r["rule"] == "budget_bounds")
    assert before["params"]["min"] == "750000" and after["params"]["min"] == "500000"
    assert event.reason == "Smaller projects welcome"


def test_a_draft_changes_without_versions_and_an_unchanged_save_records_nothing(users):
    officer = users["officer"]
    call = _draft(officer)
    services.update_call(call, actor=officer, title_en="Draft call")
    services.update_call(Call.objects.get(pk=call.pk), actor=officer, title_en="Draft call")
    assert call.versions.count() == 0
    assert history(call).filter(action="calls.call.update").count() == 1


def test_envelopes_of_an_open_call_are_versioned_and_explained(users):
    officer = users["officer"]
    call = make_call(officer, reference="funding")
    fui = Funder.objects.get(slug="fui")
    with pytest.raises(ValidationError):
        services.set_envelope(call, fui, Decimal(6_000_000), actor=officer)
    services.set_envelope(call, fui, Decimal(6_000_000), actor=officer, reason="Extra budget")
    assert CallFunder.objects.get(call=call, funder=fui).envelope == 6_000_000
    assert call.versions.get(number=2).snapshot["funders"] == [{"funder": "fui", "envelope": "6000000"}]
    with pytest.raises(ValidationError):  # a published call keeps its funders
        services.remove_funder(call, fui, actor=officer, reason="x")
    with pytest.raises(ValidationError) as caught:  # a new funder needs its rates first
        services.set_envelope(
            call, Funder.objects.get(slug="feder"), Decimal(1), actor=officer, reason="EU money"
        )
    assert "rate table" in str(caught.value)


def test_a_stale_version_is_refused_and_nothing_is_written(users):
    officer = users["officer"]
    call = _draft(officer)
    services.update_call(call, actor=officer, expected_version=call.version, title_en="First")
    with pytest.raises(StaleObject):
        services.update_call(call, actor=officer, expected_version=call.version, title_en="Second")
    assert Call.objects.get(pk=call.pk).title_en == "First"


def test_submissions_close_only_after_the_deadline(users):
    officer = users["officer"]
    call = make_call(officer, reference="closing")
    with pytest.raises(TransitionNotAllowed) as caught:
        services.close_call(call, actor=officer)
    assert "has not passed yet" in str(caught.value.message)
    Call.objects.filter(pk=call.pk).update(submission_deadline=timezone.now() - dt.timedelta(hours=1))
    closed = services.close_call(Call.objects.get(pk=call.pk), actor=officer)
    assert closed.status == Call.Status.CLOSED
    reviewed = services.advance_call(closed, "start_review", actor=officer)
    assert reviewed.status == Call.Status.REVIEW
    with pytest.raises(TransitionNotAllowed):
        services.advance_call(reviewed, "decide", actor=officer)  # selection comes first
    with pytest.raises(TransitionNotAllowed):
        services.advance_call(reviewed, "start_selection", actor=users["member"])


def test_the_call_is_described_in_words_for_applicants(users):
    from poles.calls.selectors import call_in_words

    call = make_call(users["officer"], reference="words")
    with translation.override("fr"):
        words = call_in_words(call)
        texts = [str(rule["text"]) for rule in words["rules"]]
        assert "Au moins 50,0 % de la R&D réalisée sur les territoires des pôles labellisateurs." in texts
        assert any(
            "Budget total compris entre 750 000 EUR et 5 000 000 EUR."
            in t.replace("\u202f", " ").replace("\xa0", " ")
            for t in texts
        )
        sme = next(r for r in words["rates"] if r["who"] == "PME, sur le territoire")
        assert str(sme["rate"]) == "50,0" and sme["funder"] == "Fonds unique interministériel"
    with translation.override("en"):
        texts = [str(rule["text"]) for rule in call_in_words(call)["rules"]]
        assert "At least 2 companies in the consortium." in texts
        budget = next(r for r in call_in_words(call)["rules"] if r["code"] == "budget_bounds")
        assert budget["warning"]
