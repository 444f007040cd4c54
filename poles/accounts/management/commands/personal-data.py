"""`poles personal-data export USER [-o FILE]` and `poles personal-data erase USER --yes`."""

from __future__ import annotations

import json

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from poles.accounts import personal_data


class Command(BaseCommand):
    help = "Export (JSON) or erase (pseudonymise) the personal data of one user."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        export = sub.add_parser("export", help="write everything held about the user as JSON")
        export.add_argument("username")
        export.add_argument("-o", "--output", help="file to write (default: standard output)")
        erase = sub.add_parser("erase", help="pseudonymise the user and their contact records")
        erase.add_argument("username")
        erase.add_argument("--reason", default="")
        erase.add_argument("--yes", action="store_true", help="confirm: this cannot be undone")

    def handle(self, *args, **options):
        try:
            user = get_user_model().objects.get(username=options["username"])
        except get_user_model().DoesNotExist as exc:
            raise CommandError(_("No user named %(name)s.") % {"name": options["username"]}) from exc
        if options["action"] == "export":
            text = json.dumps(personal_data.export(user), ensure_ascii=False, indent=1)
            if options["output"]:
                with open(options["output"], "w", encoding="utf-8") as handle:
                    handle.write(text)
            else:
                self.stdout.write(text)
            return
        if not options["yes"]:
            raise CommandError(_("Erasure cannot be undone: add --yes to confirm."))
        personal_data.erase(user, reason=options["reason"])
        self.stdout.write(
            _("Personal data of %(name)s erased (now %(pseudonym)s).")
            % {"name": options["username"], "pseudonym": user.username}
        )
