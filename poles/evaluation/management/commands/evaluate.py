"""`poles evaluate ...`: the analysts' impact-evaluation CLI, reachable through the project's command.

All the work happens in `poles.evaluation.cli.run`, which is testable without Django; this command only
hands it the arguments and returns its exit code (2 for a bad file or panel, with the message on stderr).
"""

import argparse
import sys

from django.core.management.base import BaseCommand
from django.utils.translation import gettext_lazy as _

from poles.evaluation.cli import run


class Command(BaseCommand):
    """Impact evaluation on an analyst's panel file (difference-in-differences estimators)."""

    help = _(
        "Firm-level impact evaluation (difference-in-differences) on a panel file. See `poles evaluate --help`."
    )

    def add_arguments(self, parser):
        """Accept everything: the CLI parses its own arguments (for `call_command("evaluate", "did", ...)`)."""
        parser.add_argument("args", nargs=argparse.REMAINDER)

    def run_from_argv(self, argv):
        """Entry from `poles evaluate ...`: exit with the CLI's own code."""
        # Bypass Django's own option parsing so that `poles evaluate did --help` shows the CLI's help.
        sys.exit(run(argv[2:], stdout=sys.stdout, stderr=sys.stderr))

    def handle(self, *args, **options):
        """Entry from `call_command`: same CLI, writing to the command's streams."""
        code = run(list(args), stdout=self.stdout, stderr=self.stderr)
        if code:
            sys.exit(code)
