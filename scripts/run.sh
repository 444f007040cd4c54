#!/usr/bin/env bash
# `make run`: migrate the SQLite database, load the demo programme if it is empty, start the
# background-task worker (evaluation runs, imports) and serve the site on 127.0.0.1:$PORT.
set -euo pipefail
cd "$(dirname "$0")/.."
PORT=${PORT:-8000}
export DEBUG=1
POLES=.venv/bin/poles
$POLES migrate --verbosity 0
$POLES demo --if-empty
$POLES db_worker >var/worker.log 2>&1 &
worker=$!
trap 'kill $worker 2>/dev/null || true' EXIT INT TERM
cat <<MESSAGE

poles is served at http://127.0.0.1:$PORT/  (English: http://127.0.0.1:$PORT/en/, API: /api/docs/)
Demo log-ins, password 'demo':
  officer   programme officer           funder    funder officer (FUI)
  cluster   cluster staff (Minalogic)   member    an SME member of Minalogic (applicant)
  reviewer  expert reviewer             analyst   analyst (read-only)
  admin     Django administration
Background tasks run in a worker (log: var/worker.log). Stop with Ctrl+C.

MESSAGE
$POLES runserver "127.0.0.1:$PORT"
