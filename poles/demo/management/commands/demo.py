"""`poles demo`: load the deterministic demo programme."""

import time

from django.core.management.base import BaseCommand, CommandError

from poles.demo.generator import SCALES, generate
from poles.demo.models import DemoDataset
from poles.demo.users import ACCOUNTS_HELP, PASSWORD
from poles.organisations.models import Organisation


class Command(BaseCommand):
    help = "Load the demo programme (71 clusters, members 2005–2026, figures, contracts; accounts in DEBUG)."

    def add_arguments(self, parser):
        parser.add_argument("--scale", choices=sorted(SCALES), default="default")
        parser.add_argument("--seed", type=int, default=2006)
        parser.add_argument(
            "--if-empty", action="store_true", help="Do nothing if organisations already exist."
        )

    def handle(self, *args, scale, seed, if_empty, **options):
        if Organisation.objects.exists():
            if if_empty:
                self.stdout.write("Demo data already loaded: nothing to do.")
                return
            raise CommandError(
                "The database already holds organisations: the demo loads into an empty database."
            )
        started = time.perf_counter()
        dataset: DemoDataset = generate(scale, seed, log=lambda m: self.stdout.write(f"  {m}"))
        self.stdout.write(
            self.style.SUCCESS(f"Demo programme '{scale}' loaded in {time.perf_counter() - started:.1f} s.")
        )
        for key, value in dataset.counts.items():
            self.stdout.write(f"  {key}: {value:,}")
        if dataset.counts.get("demo_accounts"):
            self.stdout.write(f"Demo log-ins (password '{PASSWORD}'):")
            for username, role in ACCOUNTS_HELP:
                self.stdout.write(f"  {username:<9} {role}")
