#!/usr/bin/env bash
# Refresh every app's French catalogue from the code (needs GNU gettext's xgettext; compiling
# them does not: `poles compiletranslations` uses polib). Run after changing user-facing text.
set -euo pipefail
cd "$(dirname "$0")/../poles"
for app in */; do
  app=${app%/}
  [ -f "$app/apps.py" ] || continue
  mkdir -p "$app/locale"
  (cd "$app" && DEBUG=1 ../../.venv/bin/poles makemessages -l fr --no-obsolete --no-location --no-wrap -v 0)
done
echo "Untranslated entries:"
for po in */locale/fr/LC_MESSAGES/django.po; do
  n=$(../.venv/bin/python -c "import polib,sys; print(len(polib.pofile(sys.argv[1]).untranslated_entries()))" "$po")
  [ "$n" = 0 ] || echo "  $po: $n"
done
