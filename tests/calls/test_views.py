"""The officers' call pages write through the services: rate rows, JSON sections with located errors,
funders and envelopes, publication; a stale form keeps the officer's input and says why."""

from __future__ import annotations

import datetime as dt
import html

from django.urls import reverse
from django.utils import timezone, translation

from poles.calls.models import Call, Funder
from tests.projects.factories import make_call


def _rates_post(call, rows, **extra):
    data = {"rates-TOTAL_FORMS": str(len(rows)), "rates-INITIAL_FORMS": str(len(rows)), "rates-MIN_NUM_FORMS": "0",
            "rates-MAX_NUM_FORMS": "1000", "version": str(call.version), "reason": ""}  # fmt: skip
    for index, row in enumerate(rows):
        for key, value in row.items():
            data[f"rates-{index}-{key}"] = value
    data.update(extra)
    return data


def _row(call, index):
    from poles.calls.forms import RateRowForm

    initial = RateRowForm.initial_from(call.rates[index])
    return {k: ("" if v is None else v) for k, v in initial.items()}


def test_the_rate_table_is_edited_row_by_row_in_percent(users, client_for):
    call = make_call(users["officer"], reference="rates-page")
    rows = [_row(call, i) for i in range(len(call.rates))]
    assert rows[0]["rate"] == "50" and rows[0]["group"] == "sme"  # shown in percent, not "5E+1"
    rows[0]["rate"] = "55"
    rows[-1]["DELETE"] = "on"
    client = client_for(users["officer"])
    response = client.post(
        reverse("calls:rates", args=[call.reference]), _rates_post(call, rows, reason="Plus pour les PME")
    )
    assert response.status_code == 302, response.content.decode()[:500]
    call.refresh_from_db()
    assert call.rates[0]["rate"] == "0.55" and len(call.rates) == len(rows) - 1
    assert call.versions.get(number=2).reason == "Plus pour les PME"


def test_a_wrong_rate_keeps_the_input_and_saves_nothing(users, client_for):
    call = make_call(users["officer"], reference="rates-wrong")
    rows = [_row(call, i) for i in range(len(call.rates))]
    rows[0]["rate"] = "150"
    response = client_for(users["officer"]).post(
        reverse("calls:rates", args=[call.reference]), _rates_post(call, rows, reason="x")
    )
    assert response.status_code == 400 and 'value="150"' in response.content.decode()
    assert Call.objects.get(pk=call.pk).rates == call.rates


def test_two_rows_for_the_same_partners_are_refused_by_the_engine(users, client_for):
    call = make_call(users["officer"], reference="rates-dup")
    rows = [_row(call, 0), _row(call, 0)]
    with translation.override("en"):
        url = reverse("calls:rates", args=[call.reference])  # the English page
    response = client_for(users["officer"]).post(url, _rates_post(call, rows, reason="x"))
    assert response.status_code == 400
    assert "apply to the same partners" in response.content.decode()


def test_json_sections_report_the_line_and_column_of_a_typo(users, client_for):
    call = make_call(users["officer"], reference="json-page")
    data = {
        "rules": '[\n  {"rule": "lead_is_company",}\n]', "caps": "{}", "evaluation": "{}", "selection": "{}",
        "instalments": "{}", "version": call.version, "reason": "x",
    }  # fmt: skip
    response = client_for(users["officer"]).post(reverse("calls:config", args=[call.reference]), data)
    page = html.unescape(response.content.decode())
    assert response.status_code == 400
    assert "Line 2, column 30: this is not valid JSON" in page
    assert '"lead_is_company",}' in page  # the officer's text is kept
    assert Call.objects.get(pk=call.pk).rules == call.rules


def test_a_stale_edit_form_keeps_the_input_and_says_why(users, client_for):
    call = make_call(users["officer"], reference="stale-page")
    stale_version = call.version
    Call.objects.filter(pk=call.pk).update(version=stale_version + 1)
    data = {
        "title_fr": "Nouveau titre", "title_en": "New title", "kind": "rd_project", "version": stale_version,
        "opens_at": call.opens_at.strftime("%Y-%m-%dT%H:%M"), "reason": "Renommage",
        "labelling_deadline": call.labelling_deadline.strftime("%Y-%m-%dT%H:%M"),
        "submission_deadline": call.submission_deadline.strftime("%Y-%m-%dT%H:%M"),
    }  # fmt: skip
    response = client_for(users["officer"]).post(reverse("calls:edit", args=[call.reference]), data)
    assert response.status_code == 400
    page = response.content.decode()
    assert "Nouveau titre" in page and ("Someone else changed this record" in page or "Quelqu" in page)
    assert Call.objects.get(pk=call.pk).title_fr == "Appel de test"


def test_envelopes_and_publication_through_the_pages(users, client_for):
    from poles.calls import services
    from poles.instruments.models import Programme

    client = client_for(users["officer"])
    now = timezone.now()
    call = services.create_call(
        Programme.objects.get(slug="poles-competitivite"), actor=users["officer"], preset="fui_classic",
        reference="page-publish", title_fr="À publier", title_en="To publish", opens_at=now,
        labelling_deadline=now + dt.timedelta(days=5), submission_deadline=now + dt.timedelta(days=9),
        state_funder=Funder.objects.get(slug="fui"),
    )  # fmt: skip
    refused = client.post(
        reverse("calls:transition", args=[call.reference, "publish"]), {"version": call.version}, follow=True
    )
    assert (
        "Add at least one funder" in refused.content.decode()
        or "Ajoutez au moins un financeur" in refused.content.decode()
    )
    fui = Funder.objects.get(slug="fui")
    added = client.post(
        reverse("calls:funders", args=[call.reference]),
        {"funder": fui.pk, "envelope": "9000000", "version": call.version},
    )
    assert added.status_code == 302
    call.refresh_from_db()
    client.post(reverse("calls:transition", args=[call.reference, "publish"]), {"version": call.version})
    assert Call.objects.get(pk=call.pk).status == Call.Status.OPEN
