"""Reusable browser steps of a call's journey up to eligibility (the review and selection journey
continues from `officer_declares_eligible`). Each step logs in as its role, acts through the pages
as a person would, checks what the page says, and saves a screenshot under test-artifacts/."""

from __future__ import annotations

import re

from .conftest import login, navigate, shot

COMPANY = re.compile(r" (SAS|SA|SARL|SASU) — ")


def logout(page) -> None:
    page.context.clear_cookies()


def open_call_reference(page) -> str:
    """The reference of the call open today, read from the public list of calls."""
    page.goto("/calls/?status=open")
    link = page.locator("#results table a").first
    href = link.get_attribute("href")
    return href.rstrip("/").rsplit("/", 1)[-1]


def member_creates_proposal(page, acronym: str, title: str, prefix: str = "calls") -> int:
    """The applicant opens the call from “My proposals”, prepares a draft led by its organisation."""
    login(page, "member")
    navigate(page, "Mes projets")
    page.wait_for_url("**/projects/mine/")
    page.locator(".fr-callout a", has_text="Préparer un projet").first.click()
    page.wait_for_url("**/projects/calls/*/new/")
    page.fill("input[name=acronym]", acronym)
    page.fill("input[name=title]", title)
    page.fill(
        "textarea[name=summary]",
        "Des capteurs autonomes en énergie pour surveiller les machines et prévoir les pannes.",
    )
    page.fill("input[name=keywords]", "capteurs, maintenance prédictive")
    page.select_option("select[name=lead_cluster]", label="Minalogic")
    shot(page, f"{prefix}-01-member-new-proposal")
    page.click("#content form button[type=submit]")
    page.wait_for_url(re.compile(r".*/projects/\d+/$"))
    assert acronym in page.locator("h1").inner_text()
    return int(page.url.rstrip("/").rsplit("/", 1)[-1])


def _add_partner(page, query: str, pattern=None) -> str:
    page.fill("#partner-search input[name=q]", query)
    page.click("#partner-search button[type=submit]")
    page.wait_for_selector("#partner-results")
    rows = page.locator("#partner-results li")
    if pattern is not None:
        rows = rows.filter(has_text=pattern)
    row = rows.first
    name = row.inner_text().split(" — ")[0]
    row.locator("button[type=submit]").click()
    page.wait_for_selector(f"#partners-table >> text={name}")
    return name


def _budget(page, org_cell_text: str, staff: str, aid: str) -> None:
    page.locator("#partners-table tr", has_text=org_cell_text).locator("a.fr-btn").click()
    page.wait_for_url("**/consortium/*/")
    page.fill("input[name=budget_staff]", staff)
    page.fill("input[name=budget_overheads]", str(int(staff) // 5))
    page.fill("input[name=aid_fui]", aid)
    page.fill("input[name=territory_share]", "100")
    page.fill("input[name=lead_cluster_share]", "100")
    page.click("#content form button[type=submit]")
    page.wait_for_url("**/consortium/")


def member_builds_consortium(page, project_id: int, prefix: str = "calls") -> list[str]:
    """Two partners join (a company, a lab); every partner gets a budget and asks the State fund."""
    page.goto(f"/projects/{project_id}/")
    page.click("#consortium-link")
    page.wait_for_url("**/consortium/")
    names = [_add_partner(page, "SA", COMPANY), _add_partner(page, "Laboratoire")]
    rows = page.locator("#partners-table tbody tr")
    for index in range(rows.count()):
        name = rows.nth(index).locator("td").first.inner_text()
        _budget(page, name, "400000", "150000")
    assert page.locator("#partners-table tbody tr").count() == 3
    shot(page, f"{prefix}-02-member-consortium")
    return names


def member_submits(page, project_id: int, prefix: str = "calls") -> None:
    """The applicant reads the checklist and submits; the proposal is now awaiting its labels."""
    page.goto(f"/projects/{project_id}/")
    page.click("#submit-link")
    page.wait_for_url("**/submit/")
    assert page.locator("#checklist .poles-rule--fail").count() == 0
    shot(page, f"{prefix}-03-member-submit")
    page.click("#content form button[type=submit]")
    page.wait_for_url(f"**/projects/{project_id}/")
    assert "Déposé" in page.locator("h1 + p").text_content()
    logout(page)


def cluster_labels(page, project_id: int, acronym: str, prefix: str = "calls") -> None:
    """Minalogic's staff find the proposal in their queue and label it with their opinion."""
    login(page, "cluster")
    navigate(page, "Labellisation")
    page.wait_for_url("**/projects/labelling/")
    shot(page, f"{prefix}-04-cluster-queue")
    page.locator("#labelling-table tr", has_text=acronym).locator("a.fr-btn").click()
    page.wait_for_url("**/projects/labelling/*/")
    page.check("input[name=decision][value=labelled]", force=True)
    page.fill(
        "textarea[name=opinion]", "Projet structurant pour la filière, consortium bien ancré à Grenoble."
    )
    shot(page, f"{prefix}-05-cluster-labels")
    page.click("#content form button[type=submit]")
    page.wait_for_url("**/projects/labelling/")
    page.goto(f"/projects/{project_id}/")
    assert "Labellisé" in page.locator("h1 + p").text_content()
    logout(page)


def officer_declares_eligible(page, project_id: int, prefix: str = "calls") -> None:
    """The officer runs the call's rules on the proposal, reads each result and declares it eligible."""
    login(page, "officer")
    page.goto(f"/projects/{project_id}/")
    page.click("#eligibility-link")
    page.wait_for_url("**/eligibility/")
    page.click("#run-check")
    page.wait_for_selector("#rules-table")
    assert page.locator("#rules-table .poles-rule--fail").count() == 0
    shot(page, f"{prefix}-06-officer-eligibility")
    page.click("#declare-eligible")
    page.wait_for_url(f"**/projects/{project_id}/")
    assert "Éligible" in page.locator("h1 + p").text_content()
    shot(page, f"{prefix}-07-officer-eligible")
    logout(page)


def officer_prepares_and_publishes_call(page, reference: str, prefix: str = "calls-officer") -> None:
    """The officer starts a call from the FUI 25 preset, adjusts a rate, publishes it, then changes
    a rate of the published call with a reason: the call page lists version 2 and its difference."""
    import datetime as dt

    now = dt.datetime.now()
    login(page, "officer")
    navigate(page, "Gestion des appels")
    page.wait_for_url("**/calls/manage/")
    page.click("#new-call")
    page.wait_for_url("**/calls/new/")
    page.select_option("select[name=preset]", "fui_25")
    page.fill("input[name=reference]", reference)
    page.fill("input[name=number]", "26")
    page.fill("input[name=title_fr]", "FUI 26 — projets R&D collaboratifs")
    page.fill("input[name=title_en]", "FUI 26 — collaborative R&D projects")
    for name, days in (("opens_at", 0), ("labelling_deadline", 30), ("submission_deadline", 45)):
        page.fill(f"input[name={name}]", (now + dt.timedelta(days=days)).strftime("%Y-%m-%dT%H:%M"))
    page.select_option("select[name=state_funder]", label="Fonds unique interministériel")
    page.fill("input[name=envelope]", "25000000")
    shot(page, f"{prefix}-01-new-call")
    page.click("#content form button[type=submit]")
    page.wait_for_url(f"**/calls/{reference}/")
    page.click("text=Table des taux d'aide")
    page.wait_for_url("**/rates/")
    page.fill("input[name=rates-0-rate]", "55")
    shot(page, f"{prefix}-02-rates")
    page.click("#content form button[type=submit]")
    page.wait_for_url(f"**/calls/{reference}/")
    assert "55,0 %" in page.locator("#rates-table").inner_text()
    page.click("text=Règles et critères")
    page.wait_for_url("**/configuration/")
    shot(page, f"{prefix}-03-configuration")
    page.goto(f"/calls/{reference}/")
    page.click("#call-publish")
    page.wait_for_url(f"**/calls/{reference}/")
    assert "Ouvert" in page.locator("h1 + p").text_content()
    page.click("text=Table des taux d'aide")
    page.fill("input[name=rates-0-rate]", "50")
    page.fill("textarea[name=reason]", "Retour au taux du FUI 25 après arbitrage budgétaire")
    page.click("#content form button[type=submit]")
    page.wait_for_url(f"**/calls/{reference}/")
    page.click("#versions >> text=Version 2")
    page.wait_for_url("**/versions/2/")
    shot(page, f"{prefix}-04-version-2")
    assert "rates[1].rate: 0.5" in page.locator("#diff .poles-diff--added").first.inner_text()
    assert "rates[1].rate: 0.55" in page.locator("#diff .poles-diff--removed").first.inner_text()
    logout(page)
