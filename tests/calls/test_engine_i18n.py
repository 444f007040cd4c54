"""Every message of the engines has a French translation that keeps its placeholders."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import polib
import pytest
from django.utils.translation import gettext_lazy

from poles.calls.engine.messages import Euros, Message, Number, Percent
from tests.calls.conftest import ROOT

SOURCES = {
    "calls": sorted((ROOT / "poles" / "calls" / "engine").glob("*.py")),
    "reviews": [ROOT / "poles" / "reviews" / "engine.py"],
}
PLACEHOLDER = re.compile(r"%\((\w+)\)s|%%")


def _msgids(path: Path) -> set[str]:
    """The literal strings passed to `_()` in a module (what makemessages extracts)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "_":
            [arg] = node.args
            assert isinstance(arg, ast.Constant), f"{path.name}:{node.lineno}: _() needs a literal string"
            found.add(arg.value)
    return found


@pytest.mark.parametrize("app", sorted(SOURCES))
def test_every_engine_message_is_translated(app):
    catalogue = {
        e.msgid: e
        for e in polib.pofile(str(ROOT / "poles" / app / "locale" / "fr" / "LC_MESSAGES" / "django.po"))
    }
    msgids = set().union(*(_msgids(path) for path in SOURCES[app]))
    assert len(msgids) > 10
    missing = sorted(m for m in msgids if m not in catalogue or not catalogue[m].msgstr)
    assert missing == []
    for msgid in msgids:
        entry = catalogue[msgid]
        assert "fuzzy" not in entry.flags, msgid
        assert sorted(PLACEHOLDER.findall(msgid)) == sorted(PLACEHOLDER.findall(entry.msgstr)), msgid


def test_message_renders_each_language_with_its_number_format():
    message = Message(
        gettext_lazy(
            "Research bodies request %(share)s %% of the aid (EUR %(lab_aid)s of EUR %(total_aid)s), "
            "above the maximum of %(max)s %%."
        ),
        {
            "share": Percent("0.4567"),
            "lab_aid": Euros(1234567),
            "total_aid": Euros("2703175.5"),
            "max": Percent("0.4"),
        },
    )
    assert message.render("en") == (
        "Research bodies request 45.7 % of the aid (EUR 1,234,567 of EUR "
        "2,703,175.50), above the maximum of 40.0 %."
    )
    assert message.render("fr") == (
        "Les organismes de recherche demandent 45,7 % de l'aide (1\xa0234\xa0567 EUR "
        "sur 2\xa0703\xa0175,50 EUR), au-delà du maximum de 40,0 %."
    )
    stored = message.as_dict()
    assert stored["msgid"].startswith("Research bodies request")
    assert stored["params"] == {"share": "0.4567", "lab_aid": 1234567, "total_aid": "2703175.5", "max": "0.4"}
    assert stored["fr"] == message.render("fr")
    assert str(Number("2.5")) in ("2.50", "2,50")
