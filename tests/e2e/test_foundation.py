"""A visitor's first journey, in a real browser, with accessibility checks."""

import pytest

from .conftest import serious_violations, shot


def test_home_english_cluster_and_organisation(page):
    page.goto("/")
    assert page.locator("html").get_attribute("lang") == "fr"
    assert page.locator("#kpi-clusters").inner_text().strip() != "0"
    page.wait_for_selector("[data-chart='members-by-year-data'] .main-svg")
    shot(page, "foundation-01-home-fr")

    page.click("#language-switch")
    page.click("a[data-lang='en']")
    page.wait_for_url("**/en/")
    assert page.locator("html").get_attribute("lang") == "en"
    assert "labelled clusters" in page.content()
    shot(page, "foundation-02-home-en")

    page.click("#fr-navigation button[aria-controls=menu-programme]")
    page.click("#menu-programme >> text=Clusters")
    page.wait_for_url("**/en/clusters/**")
    page.fill("input[name=q]", "Minalogic")
    page.keyboard.press("Enter")
    page.wait_for_selector("text=1 cluster")
    page.click("#results >> text=Minalogic")
    page.wait_for_url("**/en/clusters/minalogic/")
    assert "Micro- and nanotechnologies" in page.content()
    shot(page, "foundation-03-cluster")

    page.click("#panel-members table a >> nth=0")
    page.wait_for_url("**/en/organisations/*/")
    assert page.locator("h1").inner_text()
    shot(page, "foundation-04-organisation")
    assert page.js_errors == []


@pytest.mark.parametrize(
    "name, path",
    [
        ("home", "/"),
        ("cluster", "/clusters/minalogic/"),
        ("organisations", "/organisations/?category=company"),
        ("catalogue", "/catalogue/"),
        ("instrument", "/catalogue/1/"),
    ],
)
def test_no_serious_accessibility_violation(page, name, path):
    page.goto(path)
    page.wait_for_load_state("networkidle")
    if path == "/organisations/?category=company":
        page.click("#results table a >> nth=0")
        page.wait_for_load_state("networkidle")
    violations = serious_violations(page)
    shot(page, f"a11y-{name}")
    assert violations == [], violations
