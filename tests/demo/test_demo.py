"""The demo programme is calibrated on POLICY.md and deterministic."""

import datetime as dt
import os
import subprocess
import sys

import pytest
from stdnum.fr import siren, siret

from poles.clusters.models import Cluster, ClusterRating
from poles.demo import reference
from poles.demo.generator import FIRST_YEAR, LAST_YEAR, _simulate_members
from poles.instruments.models import Instrument
from poles.organisations.models import Organisation, YearlyFigures


def test_seventy_one_clusters_labelled_2005_2007_fifteen_in_rhone_alpes(db):
    first_wave = Cluster.objects.filter(labelled_on__year__lte=2007)
    assert first_wave.count() == 71
    assert first_wave.filter(regions__kind="former", regions__code="82").count() == 15
    assert Cluster.objects.filter(labelled_on__year=2010).count() == 6  # eco-technologies
    assert Cluster.objects.filter(status="active").count() == 55  # phase 5
    grenoble = Cluster.objects.filter(city="Grenoble", labelled_on__year__lte=2007)
    assert set(grenoble.values_list("name", flat=True)) >= {"Minalogic", "Tenerrdis"}
    fields = {c.slug: set(c.fields.values_list("slug", flat=True)) for c in grenoble}
    assert fields["minalogic"] == {"micro-nano", "embedded-software"}
    assert fields["tenerrdis"] == {"energy"}


def test_evaluations_of_2008_and_2012(db):
    counts_2012 = {
        r: ClusterRating.objects.filter(year=2012, rating=r).count() for r, _n in reference.EVALUATION_2012
    }
    assert counts_2012 == dict(reference.EVALUATION_2012)
    assert ClusterRating.objects.filter(year=2008).count() == 71
    for slug in ("minalogic", "tenerrdis"):
        assert ClusterRating.objects.get(cluster__slug=slug, year=2012).rating == "very_performant"


def test_member_firms_follow_the_published_counts():
    """About 4,000 member firms in 2006 and 9,000 in 2012 (France Stratégie), before churn reshuffles."""
    import random

    joins, leaves = _simulate_members(random.Random(1), reference.MEMBER_FIRMS)
    for year, target in ((2006, 4000), (2012, 9000)):
        members = sum(
            1 for j, leave in zip(joins, leaves, strict=True) if j <= year and (leave is None or leave > year)
        )
        assert members == target
    assert min(joins) == FIRST_YEAR and max(joins) <= LAST_YEAR


def test_identifiers_are_valid_and_figures_consistent_with_sizes(db):
    companies = Organisation.objects.filter(category__in=["company", "ntbf"])
    for org in companies[:300]:
        assert siren.is_valid(org.siren) and siret.is_valid(org.siret) and org.siret.startswith(org.siren)
    # With the two-consecutive-years rule, a micro-enterprise of 2010 had fewer than 10 people in
    # 2010 or in 2009 (one year above the ceiling does not change the class).
    micro = YearlyFigures.objects.filter(size_eu="micro", year=2010).select_related("organisation")[:200]
    assert micro
    for row in micro:
        previous = YearlyFigures.objects.get(organisation=row.organisation, year=2009)
        assert row.headcount < 10 or previous.headcount < 10
    large = YearlyFigures.objects.filter(size_class="large", year=2010)[:200]
    assert large and all(f.headcount >= 250 or f.turnover > 50_000_000 for f in large)


def test_seed_instrument_is_linked_to_the_programme_in_both_languages(db):
    seed = Instrument.objects.get(title_en=reference.INSTRUMENT_TITLE_EN)
    assert seed.status == "published" and seed.created_on == dt.date(2006, 5, 1)
    assert seed.contact_organisation == "Ville de Grenoble"
    assert seed.title_fr == "Soutien aux pôles de compétitivité"
    assert seed.programmes.filter(slug="poles-competitivite").exists()
    assert seed.target_groups.count() == 10


FINGERPRINT = (
    "import django, hashlib; django.setup();"
    "from poles.organisations.models import Organisation as O; from poles.clusters.models import Membership as M;"
    "rows = list(O.objects.order_by('siren').values_list('name', 'siren', 'size_class'))"
    " + list(M.objects.order_by('organisation__siren', 'cluster__slug', 'start').values_list('organisation__siren', 'cluster__slug', 'start'));"
    "print(hashlib.sha256(repr(rows).encode()).hexdigest())"
)


@pytest.mark.slow
def test_generation_is_deterministic(tmp_path):
    """Two loads with the same seed give the same organisations and memberships; another seed differs."""

    def load(name: str, seed: int) -> str:
        env = {
            **os.environ,
            "DATABASE_URL": f"sqlite:///{tmp_path / name}",
            "DJANGO_SETTINGS_MODULE": "poles.test_settings",
        }
        run = [sys.executable, "-m", "poles.cli"]
        subprocess.run([*run, "migrate", "-v", "0"], env=env, check=True)
        subprocess.run(
            [*run, "demo", "--scale", "tiny", "--seed", str(seed)], env=env, check=True, capture_output=True
        )
        return subprocess.run(
            [sys.executable, "-c", FINGERPRINT], env=env, check=True, capture_output=True, text=True
        ).stdout

    first, again, other = load("a.sqlite3", 3), load("b.sqlite3", 3), load("c.sqlite3", 4)
    assert first == again
    assert first != other
