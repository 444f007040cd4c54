"""`poles backup FILE`: a consistent copy of the database (SQLite online backup, or pg_dump)."""

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils.translation import gettext as _

from poles.core import backup


class Command(BaseCommand):
    help = "Back the database up to FILE (SQLite: online backup API; PostgreSQL: pg_dump -Fc)."

    def add_arguments(self, parser):
        parser.add_argument("file")

    def handle(self, *args, **options):
        connection.ensure_connection()
        raw = connection.connection if connection.vendor == "sqlite" else None
        try:
            backup.backup(connection.settings_dict, options["file"], connection=raw)
        except (backup.BackupError, OSError) as exc:
            raise CommandError(str(exc)) from exc
        fingerprint = backup.fingerprint(connection.settings_dict, connection)
        self.stdout.write(
            _("Backup written to %(file)s (content %(hash)s).")
            % {"file": options["file"], "hash": fingerprint}
        )
