"""CSV and XLSX downloads of list pages: the page's filters and permissions, formula-injection safe."""

from __future__ import annotations

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import get_resolver, reverse
from openpyxl import load_workbook

from poles.core.downloads import safe_cell
from poles.core.views import FilteredListView
from poles.organisations.models import Organisation
from poles.projects import selectors as project_selectors
from poles.reviews.models import Reviewer

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


# --- Every list page downloads -----------------------------------------------------------------


def _list_views(base=FilteredListView):
    for view in base.__subclasses__():
        yield view
        yield from _list_views(view)


get_resolver().resolve("/")  # imports every app's urls and views, so every list view is known
LIST_VIEWS = sorted(set(_list_views()), key=lambda view: f"{view.__module__}.{view.__name__}")


def _first_reviewer():
    return f"q={Reviewer.objects.order_by('pk').values_list('user__username', flat=True).first()}"


# view -> (url name, a role that may open the page, a filter that keeps some of its rows but not all)
LIST_PAGES = {
    "OrganisationList": ("organisations:list", "anonymous", "category=company"),
    "ClusterList": ("clusters:list", "anonymous", "status=active"),
    "CallList": ("calls:list", "anonymous", "status=open"),
    "ProposalList": ("projects:list", "officer", "status=funded"),
    "MyProposals": ("projects:mine", "member", "status=draft"),
    "LabellingQueue": ("projects:labelling", "cluster", "status=labelled"),
    "FollowUpHome": ("grants:home", "officer", "year=2010"),
    "AgreementList": ("grants:agreements", "officer", "status=closed"),
    "ReportList": ("grants:reports", "officer", "kind=final"),
    "OutputList": ("grants:outputs", "officer", "kind=jobs"),
    "ReviewerList": ("reviews:pool", "officer", _first_reviewer),
    "InstrumentList": ("instruments:list", "anonymous", "kind=practice"),
    "ActionList": ("ecosystem:actions", "anonymous", "format=mission"),  # a filter named "format" too
    "SkillList": ("ecosystem:skills", "member", "direction=sought"),
    "EventList": ("ecosystem:events", "anonymous", "b2b=true"),
    "FundRaisingList": ("ecosystem:fundraisings", "officer", "status=declared"),
}
# A download reads its rows and their relations in a few queries, however many rows it has.
MAX_DOWNLOAD_QUERIES = 15


def _own_count(view, request) -> int:
    """The page's own filtered queryset for that request's user and query string."""
    page = view()
    page.setup(request)
    filterset = page.get_filterset()
    assert not filterset.is_bound or filterset.is_valid(), filterset.errors
    return filterset.qs.count()


@pytest.mark.parametrize("view", LIST_VIEWS, ids=lambda view: view.__name__)
def test_every_list_page_downloads_its_filtered_rows(view, users, client_for):
    assert view.download_columns, f"{view.__name__} has no download_columns"
    assert view.__name__ in LIST_PAGES, f"add {view.__name__} to LIST_PAGES"
    name, role, query = LIST_PAGES[view.__name__]
    query = query() if callable(query) else query
    client, url = client_for(users[role]), reverse(name)

    page = client.get(f"{url}?{query}")
    assert page.status_code == 200
    assert b"format=csv" in page.content and b"format=xlsx" in page.content  # the links are on the page
    shown = page.context["page_obj"].paginator.count

    total = client.get(url).context["page_obj"].paginator.count
    with CaptureQueriesContext(connection) as queries:
        filtered = client.get(f"{url}?{query}&format=csv")
    assert filtered.status_code == 200 and filtered["Content-Type"].startswith("text/csv")
    assert filtered["Content-Disposition"].endswith(f'{view.download_name}.csv"')
    rows = _csv(filtered)
    assert rows[0] == [str(label) for label, _accessor in view.download_columns]
    assert {len(row) for row in rows} == {len(view.download_columns)}
    assert len(rows) - 1 == _own_count(view, filtered.wsgi_request) == shown
    assert 0 < shown < total, "the filter should keep some rows, not all"
    assert len(queries) <= MAX_DOWNLOAD_QUERIES, [q["sql"] for q in queries.captured_queries]

    xlsx = client.get(f"{url}?{query}&format=xlsx")
    assert xlsx.status_code == 200
    assert xlsx["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet.max_row - 1 == shown
