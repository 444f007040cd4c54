"""Evidence in a real browser: dashboards, maps, the network, and an impact evaluation run by a worker.

The server runs on its own SQLite file with the tiny demo plus sample calls, proposals and decisions
(`poles sample_projects`), beside a django-tasks database worker (`poles db_worker`), exactly as a
deployment runs evaluations in the background. Screenshots of every page go to test-artifacts/.
"""

from __future__ import annotations

import re
import subprocess

import pytest

from .conftest import POLES, ROOT, login, running_server, serious_violations, shot

pytestmark = pytest.mark.e2e


def _sample_projects(env):
    subprocess.run([*POLES, "sample_projects", "--external", "30"], env=env, check=True, cwd=ROOT,
                   stdout=subprocess.DEVNULL)  # fmt: skip


@pytest.fixture(scope="module")
def evidence_server(tmp_path_factory):
    with running_server(tmp_path_factory.mktemp("evidence"), _sample_projects, worker=True) as running:
        yield running.url


@pytest.fixture
def page(browser, evidence_server):
    context = browser.new_context(
        base_url=evidence_server, viewport={"width": 1280, "height": 900}, locale="fr-FR"
    )
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.js_errors = errors
    yield page
    context.close()


def as_user(page, username: str) -> None:
    """Log in as `username`, leaving any previous session (the log-in page's first form is then log-out)."""
    page.context.clear_cookies()
    login(page, username)


def drawn(page, chart_id: str) -> None:
    page.wait_for_selector(f"[data-chart='{chart_id}-data'] .main-svg", timeout=15_000)


def test_public_and_officer_dashboards(page):
    page.goto("/dashboards/")
    page.click("text=Pôles de compétitivité")
    page.wait_for_url("**/dashboards/programme/**")
    drawn(page, "aid-by-year")
    drawn(page, "aid-map-regions")
    assert page.locator("#public-notice").is_visible()
    assert page.locator("[data-chart='selection-rates-data']").count() == 0
    public_aid = page.locator("#kpi-aid").inner_text()
    shot(page, "evidence-01-programme-public")

    page.fill("input[name=year_from]", "2009")
    page.click("form[role=search] button[type=submit]")
    page.wait_for_url(re.compile(r".*year_from=2009.*"))
    drawn(page, "aid-by-year")
    assert page.locator("#kpi-aid").inner_text() != public_aid
    csv_link = page.locator("#aid-by-year-table").locator("xpath=../..").locator("a", has_text="CSV")
    assert "year_from=2009" in csv_link.get_attribute("href") and "csv=aid-by-year" in csv_link.get_attribute(
        "href"
    )
    shot(page, "evidence-02-programme-filtered")

    login(page, "officer")
    page.goto("/dashboards/")
    page.click("text=Pôles de compétitivité")
    drawn(page, "selection-rates")
    assert page.locator("#kpi-selection").inner_text().strip() not in ("", "—")
    assert page.locator("#kpi-aid").inner_text() == public_aid  # aid is public: same figure for everyone
    shot(page, "evidence-03-programme-officer")
    for name, path in [("region", "/dashboards/regions/84/"), ("call", "/dashboards/calls/sample-2008-1/"),
                       ("funder", "/dashboards/funders/fui/")]:  # fmt: skip
        page.goto(path)
        drawn(page, "aid-by-funder")
        shot(page, f"evidence-04-{name}-dashboard")
    assert page.js_errors == []


def test_funder_and_cluster_dashboards_are_theirs(page):
    login(page, "funder")
    response = page.goto("/dashboards/funders/fui/")
    assert response.status == 200
    drawn(page, "aid-by-category")
    shot(page, "evidence-05-funder-own-dashboard")
    assert page.goto("/dashboards/clusters/minalogic/").status == 403
    as_user(page, "cluster")
    assert page.goto("/dashboards/clusters/minalogic/").status == 200
    drawn(page, "selection-rates")
    shot(page, "evidence-06-cluster-dashboard")
    assert page.goto("/dashboards/clusters/tenerrdis/").status == 403


def test_network_overview_cluster_and_ego(page):
    page.goto("/dashboards/network/")
    drawn(page, "network-by-period")
    assert (
        int(
            page.locator("#kpi-edges").inner_text().replace("\u202f", "").replace("\xa0", "").replace(" ", "")
        )
        > 0
    )
    shot(page, "evidence-07-network")
    page.click("#cluster-pairs-table a >> nth=0")
    page.wait_for_url("**/dashboards/network/clusters/**")
    drawn(page, "network-graph")
    shot(page, "evidence-08-network-cluster")
    page.click("#members-table a >> nth=0")
    page.wait_for_url("**/dashboards/network/organisations/**")
    drawn(page, "network-graph")
    assert page.locator("#partners-table tbody tr").count() >= 1
    shot(page, "evidence-09-network-organisation")
    # A click on a partner's marker opens that partner's own network.
    first = page.url
    graph = page.locator("[data-chart='network-graph-data'] .main-svg").first
    graph.scroll_into_view_if_needed()
    box = graph.bounding_box()
    point = page.evaluate(
        """() => {
            const gd = document.querySelector("[data-chart='network-graph-data']");
            for (const t of gd._fullData) {
                if (t.mode !== "markers" || !t.customdata) continue;
                for (let i = 0; i < t.customdata.length; i++) {
                    if (t.customdata[i] && !window.location.pathname.endsWith(t.customdata[i])) {
                        return {x: gd._fullLayout.xaxis.l2p(t.x[i]) + gd._fullLayout._size.l,
                                y: gd._fullLayout.yaxis.l2p(t.y[i]) + gd._fullLayout._size.t, url: t.customdata[i]};
                    }
                }
            }
        }"""
    )
    page.mouse.move(box["x"] + point["x"], box["y"] + point["y"])
    page.mouse.click(box["x"] + point["x"], box["y"] + point["y"])
    page.wait_for_url(lambda url: url != first and url.endswith(point["url"]), timeout=10_000)
    assert page.js_errors == []


def test_impact_evaluation_run_by_the_worker(page):
    login(page, "analyst")
    page.goto("/evaluation/new/")
    page.fill("input[name=title]", "R&D des adhérents 2003–2012")
    page.check("input[name=control][value=notyet]", force=True)
    page.check("input[name=covariates][value=headcount]", force=True)
    page.fill("input[name=first_year]", "2003")
    page.fill("input[name=last_year]", "2012")
    shot(page, "evidence-10-evaluation-form")
    page.click("main form[method=post] button[type=submit]")
    page.wait_for_url(re.compile(r".*/evaluation/\d+/$"))
    page.wait_for_selector("#run-summary", timeout=120_000)  # the page reloads itself once the worker is done
    drawn(page, "estimates")
    drawn(page, "event-study")
    summary = page.locator("#run-summary").inner_text()
    assert "Données de démonstration" in summary and "tendances parallèles" in summary
    assert "Vérité plantée" in page.locator("#estimates-table").text_content()
    fingerprint = page.locator("#fingerprint").inner_text()
    shot(page, "evidence-11-evaluation-results")
    page.click("#rerun")
    page.wait_for_url(re.compile(r".*/evaluation/\d+/$"))
    page.wait_for_selector("#run-summary", timeout=120_000)
    assert page.locator("#fingerprint").inner_text() == fingerprint
    assert page.locator("#run-summary").inner_text() == summary
    page.goto("/en/evaluation/")
    assert page.locator("#runs-table tbody tr").count() == 2
    shot(page, "evidence-12-evaluation-list-en")
    assert page.js_errors == []


@pytest.mark.parametrize(
    "name, path, who",
    [
        ("programme-dashboard", "/dashboards/programme/poles-competitivite/", None),
        ("network", "/dashboards/network/", None),
        ("network-cluster", "/dashboards/network/clusters/minalogic/", None),
        ("evaluation-form", "/evaluation/new/", "officer"),
    ],
)
def test_no_serious_accessibility_violation(page, name, path, who):
    if who:
        login(page, who)
    page.goto(path)
    page.wait_for_load_state("load")
    violations = serious_violations(page)
    shot(page, f"a11y-evidence-{name}")
    assert violations == [], violations
