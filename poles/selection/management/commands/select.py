"""`poles select`: the analyst's selection on files, a thin wrapper over `poles.selection.cli`."""

import io

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext_lazy as _

from poles.selection import cli


class Command(BaseCommand):
    """Run the budget-constrained selection on P.csv / E.csv / C.json; exit code 2 on malformed input."""

    # Reads files and touches no model: the project's system checks would only slow it and add noise.
    requires_system_checks = []

    @property
    def help(self):
        # argparse needs a real string; a property translates it when the parser is built.
        return str(_("Choose the proposals that maximise the total score under each funder's envelope."))

    def add_arguments(self, parser):
        cli.add_arguments(parser)

    def handle(self, *args, **options):
        errors = io.StringIO()
        code = cli.execute(options, self.stdout, errors)
        if code != cli.EXIT_OK:
            raise CommandError(errors.getvalue().rstrip("\n"), returncode=code)
