"""CSV and XLSX downloads of list pages: the page's filters and permissions, formula-injection safe."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from poles.core.downloads import safe_cell
from poles.organisations.models import Organisation
from poles.projects import selectors as project_selectors

pytestmark = pytest.mark.django_db


def _csv(response) -> list[list[str]]:
    text = response.content.decode("utf-8").removeprefix("\ufeff")
    return list(csv.reader(io.StringIO(text)))


@pytest.mark.parametrize("value", ["=1+1", "+33 1 23", "-2+3", "@SUM(A1)", "\tx", "\rx"])
def test_formula_like_text_is_quoted(value):
    assert safe_cell(value) == "'" + value


def test_plain_values_are_kept():
    assert safe_cell("Acme") == "Acme" and safe_cell(-5) == -5 and safe_cell(None) == ""


def test_organisation_list_csv_honours_filters_and_quotes_formulas(client):
    Organisation.objects.create(name='=HYPERLINK("http://evil";"x")', category="company", siren="732829320")
    url = reverse("organisations:list") + "?category=company&format=csv"
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = _csv(response)
    assert rows[0][0] in ("name", "nom")
    assert len(rows) - 1 == Organisation.objects.filter(category="company").count()
    evil = [r for r in rows if "HYPERLINK" in r[0]]
    assert evil and evil[0][0].startswith("'=")


def test_organisation_list_xlsx(client):
    Organisation.objects.create(name="@cmd", category="hei", siren="552100554")
    response = client.get(reverse("organisations:list") + "?category=hei&format=xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert len(values) == Organisation.objects.filter(category="hei").count()
    assert "'@cmd" in values


@pytest.mark.parametrize("role", ["anonymous", "member", "officer"])
def test_project_list_download_holds_only_what_the_user_may_see(role, users, client_for):
    response = client_for(users[role]).get(reverse("projects:list") + "?format=csv")
    if response.status_code != 200:  # the page itself is not open to this role
        assert client_for(users[role]).get(reverse("projects:list")).status_code == response.status_code
        return
    rows = _csv(response)
    assert len(rows) - 1 == project_selectors.list_proposals(users[role]).count()


@pytest.mark.parametrize("name", ["clusters:list", "calls:list"])
def test_other_lists_download(name, client):
    for fmt in ("csv", "xlsx"):
        response = client.get(reverse(name) + f"?format={fmt}")
        assert response.status_code == 200
        assert response["Content-Disposition"].endswith(f'.{fmt}"')
