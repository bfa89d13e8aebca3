#!/bin/sh
# Opening-day load test on this machine: a seeded city (kept as a template database and
# re-seeded when its access tokens near their two-hour expiry), a fresh copy per run,
# gunicorn in production mode, locust headless against 127.0.0.1 only, then the figures
# and the exactly-once check as the last line (JSON). Figures count from the moment all
# users are running (--reset-stats); the exactly-once check covers the whole run.
set -eu
BIN=${BIN:-.venv/bin}
CHILDREN=${CHILDREN:-6000}
USERS=${USERS:-300}
SPAWN_RATE=${SPAWN_RATE:-10}
RUN_TIME=${RUN_TIME:-5m}
MAX_REQUESTS=${MAX_REQUESTS:-200000}
WORKERS=${WORKERS:-4}
PORT=${PORT:-8765}
OUT=${SUNSHINE_VAR_DIR:-var}/load
PG=${PG_URL:-postgresql://postgres@127.0.0.1:5432}
TEMPLATE_DB=sunshine_load_template
RUN_DB=sunshine_load_run
mkdir -p "$OUT"

admin() { "$BIN/python" -c "import psycopg,sys; c=psycopg.connect('$PG/postgres', autocommit=True); c.execute(sys.argv[1])" "$1"; }

# Seed again when the tokens near expiry or the city asked for is another size.
if [ ! -f "$OUT/households.jsonl" ] || [ -n "$(find "$OUT/households.jsonl" -mmin +90)" ] \
    || [ "$(cat "$OUT/households.children" 2>/dev/null)" != "$CHILDREN" ]; then
    admin "DROP DATABASE IF EXISTS $TEMPLATE_DB WITH (FORCE)"
    DATABASE_URL=$PG/$TEMPLATE_DB "$BIN/python" manage.py ensure_database
    DATABASE_URL=$PG/$TEMPLATE_DB "$BIN/python" manage.py migrate --no-input -v0
    DATABASE_URL=$PG/$TEMPLATE_DB "$BIN/python" manage.py seed_opening_day \
        --children "$CHILDREN" --out "$OUT/households.jsonl"
    echo "$CHILDREN" >"$OUT/households.children"
fi
admin "DROP DATABASE IF EXISTS $RUN_DB WITH (FORCE)"
admin "CREATE DATABASE $RUN_DB TEMPLATE $TEMPLATE_DB"

export DATABASE_URL=$PG/$RUN_DB
export PROMETHEUS_MULTIPROC_DIR=$OUT/prometheus
mkdir -p "$PROMETHEUS_MULTIPROC_DIR"
# The template may predate the newest migrations.
"$BIN/python" manage.py migrate --no-input -v0
"$BIN/python" manage.py collectstatic --no-input --verbosity 0
rm -f "$OUT/submitted.jsonl" "$OUT"/run_*.csv
BIND=127.0.0.1:$PORT WEB_CONCURRENCY=$WORKERS "$BIN/gunicorn" -c deploy/gunicorn.conf.py &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT INT TERM
waited=0
until "$BIN/python" -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$PORT/readyz', timeout=5)" 2>/dev/null; do
    waited=$((waited + 1))
    if [ "$waited" -gt 120 ]; then
        echo "the server did not become ready within a minute" >&2
        exit 1
    fi
    sleep 0.5
done

# Warm every process up (URL patterns, templates, API schema) before anything is measured.
"$BIN/python" - "$PORT" "$OUT/households.jsonl" <<'PY'
import json, sys, urllib.request
port, households = sys.argv[1], sys.argv[2]
first = json.loads(open(households, encoding="utf-8").readline())
api = {"X-Client-Key": first["client_key"], "Authorization": "Bearer " + first["access_token"]}
for _ in range(40):
    for path, headers in (("/public/schools/", {}), ("/public/timetable/", {}),
                          ("/api/v1/auth/me", api), ("/api/v1/children", api)):
        headers = {"X-Forwarded-Proto": "https", **headers}
        request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers=headers)
        urllib.request.urlopen(request, timeout=10).read()
PY
cpu() { "$BIN/python" -m sunshine.operations.cputime "$@"; }
metrics_to() {
    "$BIN/python" -c "import urllib.request; print(urllib.request.urlopen('http://127.0.0.1:$PORT/metrics').read().decode())" >"$1"
}
server_cpu_before=$(cpu --tree "$server")
database_cpu_before=$(cpu --database "$RUN_DB" --url "$PG/postgres")
metrics_to "$OUT/metrics_before.txt"
started=$(date +%s)
# The load generator runs under a parent that reports the CPU it used when it ends.
LOAD_HOUSEHOLDS=$OUT/households.jsonl LOAD_SUBMITTED=$OUT/submitted.jsonl \
LOAD_MAX_REQUESTS=$MAX_REQUESTS "$BIN/python" -c '
import resource, subprocess, sys
subprocess.run(sys.argv[2:], stdout=open(sys.argv[1], "w"), stderr=subprocess.STDOUT)
used = resource.getrusage(resource.RUSAGE_CHILDREN)
print(f"{used.ru_utime + used.ru_stime:.2f}")' "$OUT/locust.log" \
    "$BIN/locust" -f deploy/locustfile.py --headless \
    --host "http://127.0.0.1:$PORT" -u "$USERS" -r "$SPAWN_RATE" -t "$RUN_TIME" \
    --csv "$OUT/run" --only-summary --reset-stats --loglevel WARNING >"$OUT/client_cpu.txt" || true
seconds=$(($(date +%s) - started))
server_cpu=$(awk "BEGIN {print $(cpu --tree "$server") - $server_cpu_before}")
database_cpu=$(awk "BEGIN {print $(cpu --database "$RUN_DB" --url "$PG/postgres") - $database_cpu_before}")
metrics_to "$OUT/metrics.txt"
kill $server
wait $server 2>/dev/null || true
"$BIN/python" manage.py load_report --stats "$OUT/run_stats.csv" --metrics "$OUT/metrics.txt" \
    --metrics-before "$OUT/metrics_before.txt" \
    --submitted "$OUT/submitted.jsonl" --seconds "$seconds" --workers "$WORKERS" \
    --server-cpu "$server_cpu" --client-cpu "$(cat "$OUT/client_cpu.txt")" --database-cpu "$database_cpu"
