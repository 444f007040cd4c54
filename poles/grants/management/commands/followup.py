"""`poles followup notify`: e-mail due and late reports and payable instalments (idempotent)."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from poles.grants.notifications import notify_due


class Command(BaseCommand):
    """Reminders of the follow-up, meant to run daily (cron or a scheduler); each e-mail goes once."""

    @property
    def help(self):
        return _(
            "Follow-up of funded projects: `notify` e-mails reports due soon or late and payable instalments."
        )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        notify = sub.add_parser("notify", help=_("Send the reminders (each e-mail at most once)."))
        notify.add_argument(
            "--days", type=int, default=30, help=_("Remind reports due within this many days.")
        )
        notify.add_argument(
            "--today", type=dt.date.fromisoformat, default=None, help=_("Date to act as today (YYYY-MM-DD).")
        )

    def handle(self, *args, **options):
        if options["action"] != "notify":
            raise CommandError(options["action"])
        if options["days"] < 0:
            raise CommandError(_("--days must be zero or more."))
        counts = notify_due(options["today"], days_ahead=options["days"])
        self.stdout.write(
            _(
                "E-mails sent: %(due)s about reports due soon, %(late)s about late reports, %(payable)s about payable "
                "instalments."
            )
            % counts
        )
