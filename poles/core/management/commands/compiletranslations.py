"""`poles compiletranslations`: build .mo files from every .po with polib (no system gettext needed)."""

from pathlib import Path

import polib
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Compile the project's .po translation files into .mo files (pure Python, via polib)."
    requires_system_checks = []

    def handle(self, *args, **options):
        root = Path(settings.BASE_DIR) / "poles"
        files = sorted(root.glob("**/locale/*/LC_MESSAGES/*.po"))
        if not files:
            raise CommandError(f"No .po file found under {root}.")
        for po_path in files:
            catalogue = polib.pofile(str(po_path))
            broken = [e.msgid for e in catalogue if e.msgstr and not _same_placeholders(e.msgid, e.msgstr)]
            if broken:
                raise CommandError(f"{po_path}: placeholders differ from the source text in: {broken[:3]}")
            catalogue.save_as_mofile(str(po_path.with_suffix(".mo")))
            self.stdout.write(
                f"{po_path.relative_to(root.parent)}: {len(catalogue.translated_entries())} messages"
            )


def _same_placeholders(source: str, translation: str) -> bool:
    import re

    pattern = re.compile(r"%\((\w+)\)[sdfi]|\{(\w*)\}")
    return sorted(pattern.findall(source)) == sorted(pattern.findall(translation))
