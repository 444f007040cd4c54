"""`poles restore FILE`: replace the database's content with a backup made by `poles backup`."""

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils.translation import gettext as _

from poles.core import backup, maintenance


class Command(BaseCommand):
    help = "Restore the database from FILE (made by `poles backup`). Stop the web and worker processes first."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--yes", action="store_true", help="confirm: the current content is replaced")

    def handle(self, *args, **options):
        if not options["yes"]:
            raise CommandError(_("Restoring replaces the whole database: add --yes to confirm."))
        config = dict(connection.settings_dict)
        connection.close()
        try:
            backup.restore(config, options["file"])
        except (backup.BackupError, OSError) as exc:
            raise CommandError(str(exc)) from exc
        maintenance.refresh_statistics()
        fingerprint = backup.fingerprint(config, connection)
        self.stdout.write(
            _("Database restored from %(file)s (content %(hash)s).")
            % {"file": options["file"], "hash": fingerprint}
        )
