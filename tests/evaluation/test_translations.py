"""Every message of the evaluation app exists in French, with the same placeholders."""

import ast
import re
from pathlib import Path

import polib

import poles.evaluation
from poles.evaluation.estimators.i18n import format_number, translate

APP = Path(poles.evaluation.__file__).resolve().parent
PLACEHOLDER = re.compile(r"%\(\w+\)s|%%")


def marked_messages() -> set[str]:
    found = set()
    for path in APP.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id == "_"
                and node.args
                and isinstance(node.args[0], ast.Constant)
            ):
                found.add(node.args[0].value)
    return found


def test_every_marked_message_is_translated_with_the_same_placeholders():
    catalogue = {entry.msgid: entry for entry in polib.pofile(str(APP / "locale/fr/LC_MESSAGES/django.po"))}
    messages = marked_messages()
    assert len(messages) > 100
    missing = sorted(m for m in messages if m not in catalogue or not catalogue[m].msgstr)
    assert missing == []
    for message in messages:
        entry = catalogue[message]
        assert sorted(PLACEHOLDER.findall(message)) == sorted(PLACEHOLDER.findall(entry.msgstr)), message
        assert "fuzzy" not in entry.flags


def test_translate_and_format_numbers():
    assert translate("The panel has no rows.", "fr-FR") == "Le panel ne contient aucune ligne."
    assert translate("The panel has no rows.", "en") == "The panel has no rows."
    assert (
        translate("No unit is first treated in %(years)s.", "de", {"years": "2020"})
        == "No unit is first treated in 2020."
    )
    assert format_number(-1234.5678, "fr") == "-1\u00a0234,568"
    assert format_number(-1234.5678, "en") == "-1,234.568"
    assert format_number(float("nan"), "fr") == "n.d."
