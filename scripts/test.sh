#!/usr/bin/env bash
# The whole suite: lint, unit tests on SQLite, again on PostgreSQL, then the browser journeys.
# Outside CI a missing PostgreSQL or Chromium is skipped with the reason printed; with CI=true
# either one missing is a failure.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
CI=${CI:-}
status=0
export POLES_SHARED_DIR=${POLES_SHARED_DIR:-$(cd .. && pwd)/shared}

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
missing() {
  if [ "$CI" = "true" ]; then echo "FAIL: $*" >&2; exit 1; fi
  echo "SKIPPED: $*"
}

step "ruff"
$BIN/ruff check .
$BIN/ruff format --check .

step "tests on SQLite"
$BIN/pytest -m "not e2e" -n 2 -p no:cacheprovider -q

step "tests on PostgreSQL"
if $BIN/python -c "import socket; socket.create_connection(('127.0.0.1', 5432), 2)" 2>/dev/null; then
  # Checks that never touch the database (static analysis, settings) ran once on SQLite.
  DATABASE_URL="postgres://postgres@127.0.0.1:5432/poles_ci_$$" $BIN/pytest -m "not e2e and not database_agnostic" -n 2 \
    -p no:cacheprovider -q
else
  missing "PostgreSQL does not answer on 127.0.0.1:5432 (the suite ran on SQLite only)"
fi

step "browser journeys (Chromium)"
if [ -x /usr/bin/chromium ]; then
  $BIN/pytest -m e2e -p no:cacheprovider -q
  echo "Screenshots: test-artifacts/"
else
  missing "/usr/bin/chromium is not installed (Debian package 'chromium'; .ci/run installs it)"
fi
exit $status
