import json

import pytest

from poles.territories import reference
from poles.territories.models import Departement, Region


def test_reference_territories_are_loaded(db):
    assert Region.objects.filter(kind="current").count() == 18
    assert Region.objects.filter(kind="former").count() == 27
    assert Departement.objects.count() == 101
    rhone_alpes = Region.objects.get(kind="former", code="82")
    assert rhone_alpes.name == "Rhône-Alpes"
    assert rhone_alpes.successor.name == "Auvergne-Rhône-Alpes"
    isere = Departement.objects.get(code="38")
    assert isere.region.code == "84" and isere.former_region == rhone_alpes


@pytest.mark.parametrize(
    "layer, expected",
    [
        ("data/geo/regions-version-simplifiee.geojson", {c: n for c, n in reference.CURRENT_REGIONS.items() if len(c) == 2 and c > "10"}),
        ("data/geo/regions-avant-redecoupage-2015.geojson",
         {c: n for c, (n, _s) in reference.FORMER_REGIONS.items() if c > "10"}),
        ("data/geo/departements-version-simplifiee.geojson",
         {c: n for c, (n, _r) in reference.DEPARTEMENTS.items() if len(c) == 2}),
    ],
)  # fmt: skip
def test_built_in_codes_and_names_match_the_ign_files(shared_dir, layer, expected):
    features = json.loads((shared_dir / layer).read_text())["features"]
    found = {f["properties"]["code"]: f["properties"]["nom"] for f in features}
    assert found == expected
