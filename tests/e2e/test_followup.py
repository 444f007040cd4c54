"""Follow-up in a real browser: the funder makes and signs the agreement and releases the advance,
the member writes and submits its progress report, the funder approves it, and the intermediate
instalment becomes payable. Screenshots of each step go to test-artifacts/.

The demo server has no funded project until the calls and reviews demo steps are merged, so the
journey seeds one (tests/grants/factories.py) into the server's database first, through the same
models, as the funded end state of the call workflow.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import login, serious_violations, shot

ROOT = Path(__file__).resolve().parents[2]
SEED = """
import datetime as dt, json
import django
django.setup()
from django.contrib.auth import get_user_model
from django.utils import timezone
from tests.grants.factories import funded_project, make_call, member_organisation
users = {"member": get_user_model().objects.get(username="member")}
start = timezone.localdate() - dt.timedelta(days=330)
project = funded_project(lead=member_organisation(users), call=make_call(year=start.year - 1), start=start)
print(json.dumps({"project": project.pk}))
"""


def switch_user(page, username: str) -> None:
    """Log in as someone else (the shared login helper expects a logged-out browser)."""
    page.context.clear_cookies()
    login(page, username)


@pytest.fixture(scope="module")
def seeded(live):
    env = live.env
    done = subprocess.run(
        [sys.executable, "-c", SEED], env=env, cwd=ROOT, capture_output=True, text=True, check=True
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_advance_report_approval_and_intermediate_payable(page, seeded):
    project = seeded["project"]
    login(page, "funder")
    page.goto(f"/follow-up/projects/{project}/")
    assert page.locator("h1").inner_text().startswith("TST")
    shot(page, "followup-01-funder-project")
    assert serious_violations(page) == []

    page.click("#prepare-agreement")
    page.wait_for_url("**/agreements/new/")
    page.click("main form button[type=submit]")
    page.wait_for_url("**/follow-up/agreements/*/")
    agreement_url = page.url
    assert page.locator("#agreement-status").text_content().strip() == "En attente de signature"
    assert page.locator("tr[data-kind=advance][data-status=planned]").count() == 3
    shot(page, "followup-02-agreement-prepared")

    page.click("#sign-agreement")
    page.wait_for_url("**/sign/")
    page.click("main form button[type=submit]")
    page.wait_for_url(agreement_url)
    assert page.locator("tr[data-kind=advance][data-status=payable]").count() == 3
    assert page.locator("tr[data-kind=intermediate][data-status=planned]").count() == 3
    shot(page, "followup-03-agreement-signed")

    page.click("tr[data-kind=advance][data-status=payable] a >> nth=0")
    page.wait_for_url("**/pay/")
    amount = page.locator("input[name=amount]")
    full = amount.input_value()
    amount.fill("99999999")
    page.click("main form button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "plus que les" in page.content() and "décidés" in page.content()
    shot(page, "followup-04-payment-above-the-decision-refused")
    page.locator("input[name=amount]").fill(full)
    page.fill("input[name=reference]", "VIR-2024-001")
    page.click("main form button[type=submit]")
    page.wait_for_url(agreement_url)
    assert page.locator("tr[data-kind=advance][data-status=paid]").count() == 1
    shot(page, "followup-05-advance-released")
    assert serious_violations(page) == []

    switch_user(page, "member")
    page.goto(f"/follow-up/projects/{project}/")
    page.click("#tab-reports")
    page.click("#reports-table a >> nth=0")
    page.wait_for_url("**/follow-up/reports/*/")
    report_url = page.url
    page.click("#edit-report")
    page.wait_for_url("**/edit/")
    page.fill("textarea[name=narrative]", "Lots 1 et 2 conformes au plan ; premier prototype livré.")
    page.locator("input[name^=spent_]").first.fill("120000")
    shot(page, "followup-06-member-writes-report")
    page.click("main form button[type=submit]")
    page.wait_for_url(report_url)
    page.click("#submit-report")
    page.wait_for_url(report_url)
    assert page.locator("#report-status").text_content().strip() == "Soumis, en attente d’examen"
    shot(page, "followup-07-report-submitted")

    switch_user(page, "funder")
    page.goto(report_url)
    page.fill("textarea[name=comment]", "Rapport complet, dépenses cohérentes.")
    page.click("#approve-report")
    page.wait_for_url(report_url)
    assert page.locator("#report-status").text_content().strip() == "Approuvé"
    shot(page, "followup-08-report-approved")
    page.goto(agreement_url)
    assert page.locator("tr[data-kind=intermediate][data-status=payable]").count() == 3
    assert page.locator("tr[data-kind=balance][data-status=planned]").count() == 3
    shot(page, "followup-09-intermediate-payable")
    assert page.js_errors == []


@pytest.mark.parametrize(
    "name, path",
    [("cluster-report", "/clusters/minalogic/report/2012/"), ("events", "/ecosystem/events/"),
     ("leverage", "/ecosystem/leverage/"), ("outputs", "/follow-up/outputs/")],
)  # fmt: skip
def test_public_follow_up_pages_are_accessible(page, name, path):
    page.goto(path)
    page.wait_for_load_state("networkidle")
    shot(page, f"followup-a11y-{name}")
    assert serious_violations(page) == []
    assert page.js_errors == []
