"""A call from an eligible proposal to the decision letter, in a real browser, one user per role:
the officer assigns a reviewer, the reviewer declares no conflict and scores, the officer sets the
consensus, runs the selection and confirms it, the funder decides, the letter is shown (HTML and
PDF). A screenshot of each step goes to test-artifacts/.

The server runs on its own database: the tiny demo, plus one closed call with one eligible
proposal built by the review tests' factories (the calls helper's journey, tests/e2e/
test_calls_applicant.py, gets a proposal there through the pages; after the merge the two chain).
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from .conftest import ROOT, login, running_server, serious_violations, shot

pytestmark = pytest.mark.e2e

SETUP = """
import json, django
django.setup()
from tests.reviews.factories import make_call, make_org, make_proposal, partner
call = make_call(envelopes={"fui": 2_000_000}, year=2024)
call.title_fr = "Appel FUI de démonstration"
call.title_en = "Demonstration FUI call"
call.save()
project = make_proposal(call, [
    partner(make_org("Capteurs Alpins SAS", size_class="small"), "lead", budget=900_000, aid={"fui": 405_000}),
    partner(make_org("Grand Groupe Industriel SA", size_class="large"), budget=600_000, aid={"fui": 150_000}),
    partner(make_org("Laboratoire des Alpes", category="public_research"), budget=400_000, aid={"fui": 160_000}),
], acronym="ALPICAP", keywords=("capteurs", "énergie"),
   summary="Des capteurs autonomes en énergie pour surveiller les ouvrages d'art en montagne.")
print(json.dumps({"call": call.pk, "project": project.pk}))
"""


def _closed_call(env) -> dict:
    made = subprocess.run(
        [sys.executable, "-c", SETUP], env=env, check=True, cwd=ROOT, capture_output=True, text=True
    )
    return json.loads(made.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def review_server(tmp_path_factory):
    with running_server(tmp_path_factory.mktemp("review-server"), _closed_call) as running:
        yield running.url, running.prepared


@pytest.fixture
def as_user(browser, review_server):
    """A logged-in page per user (one browser context each, so sessions never mix)."""
    url, _ids = review_server
    contexts = []

    def open_as(username: str):
        context = browser.new_context(base_url=url, viewport={"width": 1280, "height": 900}, locale="fr-FR")
        contexts.append(context)
        page = context.new_page()
        page.js_errors = []
        page.on("pageerror", lambda error: page.js_errors.append(str(error)))
        login(page, username)
        return page

    yield open_as
    for context in contexts:
        context.close()


def test_from_eligible_proposal_to_decision_letter(as_user, review_server):
    _url, ids = review_server
    call_id, project_id = ids["call"], ids["project"]

    # 1. The officer assigns the demo reviewer by hand, with a reason, from the proposal's pool.
    officer = as_user("officer")
    officer.goto("/reviews/")
    officer.click("text=Appel FUI de démonstration")
    officer.wait_for_selector("#review-rows >> text=ALPICAP")
    officer.click("#review-rows >> text=ALPICAP")
    officer.click("text=Désigner un évaluateur")
    officer.wait_for_selector("#pool")
    officer.select_option("select[name=reviewer]", label="Reviewer")
    officer.fill("textarea[name=reason]", "Expert des capteurs autonomes.")
    shot(officer, "review-01-officer-assigns")
    officer.click("main form[method=post] button[type=submit]")
    officer.wait_for_selector("#assignments >> text=Reviewer")
    assert officer.get_attribute("#project-status", "data-status") == "under_review"

    # 2. The reviewer signs the declaration, reads, scores and submits.
    reviewer = as_user("reviewer")
    reviewer.goto("/reviews/mine/")
    reviewer.click("#my-assignments >> text=ALPICAP")
    assert "ouvrages d'art" not in reviewer.content()  # hidden until the declaration is signed
    reviewer.check("input[name=choice][value=none]", force=True)
    reviewer.check("input[name=signed]", force=True)
    shot(reviewer, "review-02-reviewer-declares")
    reviewer.click("#declaration-form button[type=submit]")
    reviewer.wait_for_selector("#review-form")
    assert "ouvrages d’art" in reviewer.content() or "ouvrages d'art" in reviewer.content()
    for code, value in [
        ("scientific_excellence", "4.5"),
        ("economic_impact", "4"),
        ("consortium_quality", "3.5"),
    ]:
        reviewer.fill(f"input[name=score_{code}]", value)
    reviewer.check("input[name=na_territorial_anchoring]", force=True)
    reviewer.fill(
        "textarea[name=comments]", "Projet solide, marché clair ; l'ancrage territorial est sans objet ici."
    )
    shot(reviewer, "review-03-reviewer-scores")
    assert serious_violations(reviewer) == []
    reviewer.click("#review-form button[name=submit]")
    reviewer.wait_for_selector("#review-submitted")
    shot(reviewer, "review-04-review-submitted")

    # 3. The officer records the panel's consensus on one criterion.
    officer.goto(f"/reviews/proposals/{project_id}/")
    officer.click("text=Fixer le consensus")
    officer.fill("input[name=score_economic_impact]", "4.5")
    officer.fill("textarea[name=comment]", "Le comité relève l'impact économique.")
    shot(officer, "review-05-officer-consensus")
    officer.click("#consensus-form button[type=submit]")
    officer.wait_for_selector("#overall")
    # (0.3 x 4.5 + 0.3 x 4.5 [consensus] + 0.2 x 3.5) / 0.8: the N/A criterion is left out
    assert "4,25" in officer.inner_text("#overall")

    # 4. The officer runs the selection, reads why each proposal is in or out, and confirms.
    officer.goto(f"/selection/calls/{call_id}/")
    officer.click("#run-selection")
    officer.wait_for_selector("#items")
    assert "ALPICAP" in officer.inner_text("#items")
    shot(officer, "review-06-selection-run")
    assert serious_violations(officer) == []
    officer.click("#confirm-form button[type=submit]")
    officer.wait_for_selector("#decisions")
    shot(officer, "review-07-decisions-proposed")
    assert officer.locator("#decisions tbody tr").count() == 3

    # 5. The funder (FUI) decides each of its decisions; the letter follows.
    funder = as_user("funder")
    for _ in range(3):
        funder.goto(f"/selection/calls/{call_id}/decisions/")
        funder.click("#decisions tr[data-status=proposed] a")
        funder.wait_for_selector("#decide-form")
        funder.click("#decide-form button[type=submit]")
        funder.wait_for_selector("#letter")
    shot(funder, "review-08-funder-decided-letter")
    funder.goto(f"/selection/calls/{call_id}/decisions/")
    assert funder.locator("#decisions tr[data-status=proposed]").count() == 0
    assert funder.locator("#decisions tr[data-status=decided]").count() == 3
    shot(funder, "review-09-decisions-reconciled")
    funder.click("#decisions >> text=Laboratoire des Alpes")
    funder.click("text=Lettre de décision")
    funder.wait_for_selector("#letter")
    assert "Laboratoire des Alpes" in funder.inner_text("#letter") and "ALPICAP" in funder.inner_text(
        "#letter"
    )
    shot(funder, "review-10-decision-letter")
    assert serious_violations(funder) == []
    pdf = funder.request.get(funder.get_attribute("#letter-pdf", "href"))
    assert pdf.status == 200 and pdf.body().startswith(b"%PDF-")
    for page in (officer, reviewer, funder):
        assert page.js_errors == []
