"""Every message of the selection app exists in French, with the same placeholders, and is used."""

from __future__ import annotations

import pathlib
import re

import polib
from django.test import override_settings
from django.utils import translation

from poles.selection import cli, files
from poles.selection.engine import Proposal, select
from poles.selection.files import InputError

PO = pathlib.Path(__file__).resolve().parents[2] / "poles/selection/locale/fr/LC_MESSAGES/django.po"
PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def test_every_entry_is_translated_with_the_same_placeholders():
    po = polib.pofile(str(PO))
    assert po.metadata["Content-Type"] == "text/plain; charset=UTF-8"
    assert len(po) > 40
    for entry in po:
        assert entry.msgstr, entry.msgid
        assert not entry.fuzzy, entry.msgid
        assert sorted(PLACEHOLDER.findall(entry.msgid)) == sorted(PLACEHOLDER.findall(entry.msgstr)), (
            entry.msgid
        )


def test_messages_render_in_french(tmp_path):
    target = tmp_path / "fr" / "LC_MESSAGES"
    target.mkdir(parents=True)
    polib.pofile(str(PO)).save_as_mofile(str(target / "django.mo"))
    error = InputError("P.csv", 3, "aid", files._("“%(value)s” is not a number.") % {"value": "beaucoup"})
    result = select([Proposal("A", 10, {"state": 8e5}), Proposal("B", 9, {"state": 5e5})], {"state": 1e6})
    with override_settings(LOCALE_PATHS=[str(tmp_path)]), translation.override("fr"):
        assert str(error) == "P.csv, ligne 3, colonne aid : « beaucoup » n’est pas un nombre."
        assert cli.describe(result.explanations[1]).startswith("Dépasserait l’enveloppe du financeur state")
    # Built once, shown in whichever language is active when displayed.
    with translation.override("en"):
        assert str(error) == "P.csv, line 3, column aid: “beaucoup” is not a number."
