"""`poles sample_projects`: plant sample calls, proposals and aid decisions for dashboards and the network.

The demo's own calls, proposals and decisions come from the calls and selection apps' demo steps; this
command fills the gap on a database that has none (benchmarks, browser tests, a look at the dashboards
before those steps exist). It refuses to run twice on the same database.
"""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext_lazy as _

from poles.analytics import sample
from poles.calls.models import Call


class Command(BaseCommand):
    """Plant two calls a year with proposals, consortia and aid decisions (see poles.analytics.sample)."""

    help = _(
        "Plant sample calls, proposals and aid decisions on the demo registry (benchmarks, browser tests)."
    )

    def add_arguments(self, parser):
        """Seed, years and sizes of the sample."""
        parser.add_argument("--seed", type=int, default=5)
        parser.add_argument("--first-year", type=int, default=2006)
        parser.add_argument("--last-year", type=int, default=2012)
        parser.add_argument("--proposals-per-call", type=int, default=40)
        parser.add_argument("--external", type=int, default=0, help=_("external (EU) projects to add"))

    def handle(self, *args, **options):
        """Refuse on a database that already holds sample calls; otherwise plant and report the counts."""
        if Call.objects.filter(reference__startswith="sample-").exists():
            raise CommandError(_("This database already holds sample calls."))
        planted = sample.plant(
            seed=options["seed"], years=(options["first_year"], options["last_year"]),
            proposals_per_call=options["proposals_per_call"], external=options["external"],
        )  # fmt: skip
        self.stdout.write(
            _(
                "%(calls)s calls, %(projects)s proposals (%(funded)s funded), %(decisions)s decisions, %(external)s external projects."
            )
            % {
                "calls": planted.calls,
                "projects": planted.projects,
                "funded": planted.funded,
                "decisions": planted.decisions,
                "external": planted.external,
            }  # fmt: skip
        )
