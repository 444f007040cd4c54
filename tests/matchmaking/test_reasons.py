import re
from pathlib import Path

import polib
import pytest

from poles.matchmaking import reasons
from poles.matchmaking.engine import Profile, Weights, build_index, search
from poles.matchmaking.reasons import explain

PO_FILE = Path(reasons.__file__).parent / "locale" / "fr" / "LC_MESSAGES" / "django.po"

EXAMPLES = [
    (
        {"code": "shares_keywords", "terms": ["hydrogene", "capteur"]},
        "Shares keywords with your need: hydrogene, capteur",
    ),
    (
        {"code": "past_partner_of", "org": "A", "projects": 1, "last_year": 2021},
        "Worked with Alpha on 1 past project (latest in 2021)",
    ),
    (
        {"code": "past_partner_of", "org": "A", "projects": 3, "last_year": None},
        "Worked with Alpha on 3 past projects",
    ),
    (
        {"code": "partner_of_partner", "org": "A", "via": ["B", "C"], "count": 4},
        "Has worked with 4 partners of Alpha (including Beta, C)",
    ),
    (
        {"code": "same_cluster", "org": "A", "clusters": ["Minalogic"]},
        "Member of the same cluster as Alpha: Minalogic",
    ),
    (
        {"code": "fills_missing_category", "category": "research"},
        "Brings a kind of organisation your consortium lacks: research organisation",
    ),
    (
        {"code": "covers_new_terms", "terms": ["batterie"]},
        "Covers parts of the need nobody in the consortium covers yet: batterie",
    ),
    ({"code": "experienced", "projects": 1}, "Experienced: 1 past collaborative project"),
    # The other plural forms.
    (
        {"code": "past_partner_of", "org": "B", "projects": 2, "last_year": 2019},
        "Worked with Beta on 2 past projects (latest in 2019)",
    ),
    ({"code": "past_partner_of", "org": "B", "projects": 1}, "Worked with Beta on 1 past project"),
    (
        {"code": "partner_of_partner", "org": "A", "via": ["B"], "count": 1},
        "Has worked with 1 partner of Alpha (Beta)",
    ),
    ({"code": "experienced", "projects": 12}, "Experienced: 12 past collaborative projects"),
]
NAMES = {"A": "Alpha", "B": "Beta"}
LABELS = {"research": "research organisation"}


@pytest.mark.parametrize(("reason", "english"), EXAMPLES)
def test_english_wording(reason, english):
    assert explain(reason, "en", names=NAMES, category_labels=LABELS) == english


@pytest.fixture
def french(settings, tmp_path):
    """Compile the app's .po into a temporary locale path (the lead compiles the real .mo)."""
    target = tmp_path / "fr" / "LC_MESSAGES"
    target.mkdir(parents=True)
    polib.pofile(str(PO_FILE)).save_as_mofile(str(target / "django.mo"))
    settings.LOCALE_PATHS = [tmp_path]
    return tmp_path


FRENCH = [
    "Mots-clés en commun avec votre besoin : hydrogene, capteur",
    "A travaillé avec Alpha sur 1 projet passé (le dernier en 2021)",
    "A travaillé avec Alpha sur 3 projets passés",
    "A travaillé avec 4 partenaires de Alpha (dont Beta, C)",
    "Membre du même pôle que Alpha : Minalogic",
    "Apporte un type d'organisation absent de votre consortium : research organisation",
    "Couvre des aspects du besoin que personne dans le consortium ne couvre encore : batterie",
    "Expérimenté : 1 projet collaboratif passé",
    "A travaillé avec Beta sur 2 projets passés (le dernier en 2019)",
    "A travaillé avec Beta sur 1 projet passé",
    "A travaillé avec 1 partenaire de Alpha (Beta)",
    "Expérimenté : 12 projets collaboratifs passés",
]


def test_french_wording(french):
    got = [explain(reason, "fr", names=NAMES, category_labels=LABELS) for reason, _ in EXAMPLES]
    assert got == FRENCH


def test_po_file_is_complete_and_keeps_the_placeholders():
    po = polib.pofile(str(PO_FILE))
    assert po.metadata["Content-Type"] == "text/plain; charset=UTF-8"
    assert po.percent_translated() == 100
    assert not po.fuzzy_entries()
    for entry in po:
        if entry.msgid_plural:
            expected = sorted(placeholders(entry.msgid_plural))
            assert sorted(placeholders(entry.msgid)) == expected
            assert all(sorted(placeholders(t)) == expected for t in entry.msgstr_plural.values())
        else:
            assert sorted(placeholders(entry.msgstr)) == sorted(placeholders(entry.msgid))


def placeholders(text):
    return re.findall(r"%\((\w+)\)[sd]", text)


def test_unknown_code_is_an_error():
    with pytest.raises(ValueError, match="no wording"):
        explain({"code": "astrology"}, "en")


def test_every_reason_the_engine_emits_has_wording():
    index = build_index(
        [
            Profile("a", "capteurs hydrogène", "company", project_count=3),
            Profile("b", "capteurs batteries", "research", project_count=1),
            Profile("c", "batteries", "research"),
        ],
        [("a", "b", 1.0, 2020), ("b", "c", 1.0, None)],
        {"a": {"X"}, "c": {"X"}},
    )
    weights = Weights(text=1, network=1, complementarity=1, experience=1, two_hop=1, shared_cluster=1)
    results = search(index, "capteurs batteries", consortium_so_far=["a"], weights=weights)
    codes = {r["code"] for s in results for r in s.reasons}
    assert codes == {
        "shares_keywords",
        "past_partner_of",
        "partner_of_partner",
        "same_cluster",
        "fills_missing_category",
        "covers_new_terms",
        "experienced",
    }
    for s in results:
        for r in s.reasons:
            assert explain(r, "en")
