#!/bin/sh
# Production serving on one machine: migrate, collect static files, start the SMS
# workers and the web processes. Stops the workers when the web server stops.
set -eu
BIN=${BIN:-.venv/bin}
WORKERS=${WORKERS:-4}
TASK_WORKERS=${TASK_WORKERS:-1}

"$BIN/python" manage.py ensure_database
"$BIN/python" manage.py migrate --no-input
"$BIN/python" manage.py collectstatic --no-input --verbosity 0

export PROMETHEUS_MULTIPROC_DIR="${PROMETHEUS_MULTIPROC_DIR:-${SUNSHINE_VAR_DIR:-var}/prometheus}"
mkdir -p "$PROMETHEUS_MULTIPROC_DIR"
task_pids=""
i=0
while [ "$i" -lt "$TASK_WORKERS" ]; do
    "$BIN/python" manage.py send_sms --every 5 >/dev/null &
    task_pids="$task_pids $!"
    i=$((i + 1))
done
trap 'kill $task_pids 2>/dev/null || true' EXIT INT TERM

WEB_CONCURRENCY="$WORKERS" "$BIN/gunicorn" -c deploy/gunicorn.conf.py
