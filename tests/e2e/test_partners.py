"""A member finds partners, builds an eligible consortium, swaps a partner and starts a proposal."""

import re

import pytest

from .conftest import login, navigate, serious_violations, shot

NEED = "capteurs MEMS et logiciel embarqué pour la maintenance prédictive"


def test_member_finds_partners_builds_an_eligible_consortium_and_starts_a_proposal(page):
    login(page, "member")
    navigate(page, "Recherche de partenaires")
    page.wait_for_url("**/partners/")
    page.fill("input[name=q]", NEED)
    page.click("#search-button")
    page.wait_for_selector("#partner-results li.poles-result")
    first = page.locator("#partner-results li.poles-result").first
    assert "Mots-clés en commun avec votre besoin" in first.inner_text()
    shot(page, "partners-01-search")

    # Narrow to research labs: the list updates in place (htmx) and the URL keeps the filters.
    checkbox = page.get_attribute("input[name=category][value=public_research]", "id")
    page.click(f"label[for={checkbox}]")  # DSFR draws the box on the label
    page.wait_for_url(re.compile(r".*category=public_research.*"))
    page.wait_for_selector("#partner-results li.poles-result")
    categories = page.locator("#partner-results li.poles-result").evaluate_all(
        "items => items.map(i => i.dataset.category)"
    )
    assert categories and set(categories) == {"public_research"}
    shot(page, "partners-02-search-labs")

    navigate(page, "Construire un consortium")
    page.wait_for_url("**/partners/consortium/")
    page.fill("textarea[name=idea]", NEED)
    page.click("#propose-button")
    page.wait_for_selector("form.poles-consortium")
    card = page.locator("form.poles-consortium").first
    assert card.locator(".consortium-verdict").get_attribute("data-eligible") == "yes"
    assert card.locator(".rule-result[data-rule=min_research_bodies]").get_attribute("data-status") == "pass"
    assert card.locator(".rule-result[data-status=later]").count() >= 1
    shot(page, "partners-03-consortia")

    # Swap the research body for the next candidate: the check runs again on the server.
    select = card.locator("select.swap-select[name=m_research]")
    options = select.locator("option")
    assert options.count() >= 2
    new_lab = options.nth(1).get_attribute("value")
    with page.expect_response(re.compile(r".*/partners/consortium/check/.*")):
        select.select_option(new_lab)
    page.wait_for_selector(f"#consortium-1 tr[data-slot=research][data-org='{new_lab}']")
    card = page.locator("#consortium-1")
    assert card.locator(".rule-result[data-rule=min_research_bodies]").get_attribute("data-status") == "pass"
    shot(page, "partners-04-swapped")
    if card.locator(".consortium-verdict").get_attribute("data-eligible") != "yes":
        pytest.fail("the swapped consortium lost eligibility: " + card.inner_text())

    card.locator("a.start-proposal").click()
    page.wait_for_url("**/partners/consortium/start/**")
    page.fill("input[name=acronym]", "MEMSPRED")
    page.fill("input[name=title]", "Capteurs MEMS communicants pour la maintenance prédictive")
    shot(page, "partners-05-start")
    page.click("main form button[type=submit]")
    page.wait_for_url("**/partners/proposals/*/")
    assert "MEMSPRED" in page.locator("h1").inner_text()
    assert page.locator("#proposal-status").get_attribute("data-status") == "draft"
    assert page.locator("#proposal-consortium tbody tr").count() == 3
    assert new_lab in page.content() or page.locator("#proposal-consortium").inner_text()
    shot(page, "partners-06-proposal")
    assert page.js_errors == []


def test_member_writes_to_a_partner_without_seeing_its_address(page):
    login(page, "member")
    page.goto("/partners/?q=" + NEED.replace(" ", "+"))
    page.wait_for_selector("#partner-results li.poles-result")
    page.locator("#partner-results a:text('Contacter')").first.click()
    page.wait_for_url("**/partners/*/contact/")
    page.fill("input[name=subject]", "Projet de capteurs MEMS")
    page.fill(
        "textarea[name=message]", "Bonjour, votre expertise nous intéresse pour un projet collaboratif."
    )
    page.click("label[for=id_consent]")  # DSFR draws the box on the label
    shot(page, "partners-07-contact")
    page.click("main form button[type=submit]")
    page.wait_for_url("**/partners/contact-requests/")
    assert "Projet de capteurs MEMS" in page.locator("#sent-requests").inner_text()
    assert "@" not in page.locator("#sent-requests").inner_text()
    shot(page, "partners-08-contact-sent")


@pytest.mark.parametrize(
    "name, path",
    [
        ("search", "/partners/?q=capteurs"),
        ("builder", "/partners/consortium/"),
        ("requests", "/partners/contact-requests/"),
    ],
)
def test_no_serious_accessibility_violation(page, name, path):
    login(page, "member")
    page.goto(path)
    if name == "builder":
        page.fill("textarea[name=idea]", NEED)
        page.click("#propose-button")
        page.wait_for_selector("form.poles-consortium")
    page.wait_for_load_state("networkidle")
    violations = serious_violations(page)
    shot(page, f"a11y-partners-{name}")
    assert violations == [], violations
