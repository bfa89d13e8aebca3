# Shared by the fault rehearsals: a database of their own, production settings, and
# helpers to start and stop the processes they kill. Sourced, not run.
# Knobs: FAULT_DB (database name), PG_URL (server), PORT (web), BIN (virtualenv bin).
set -eu
BIN=${BIN:-.venv/bin}
FAULT_DB=${FAULT_DB:-sunshine_fault}
PG=${PG_URL:-postgresql://postgres@127.0.0.1:5432}
PORT=${PORT:-8790}
OUT=${SUNSHINE_VAR_DIR:-var}/faults/$FAULT
mkdir -p "$OUT"

export DATABASE_URL=$PG/$FAULT_DB
export DEBUG=0 ALLOWED_HOSTS=127.0.0.1,localhost SECURE_SSL_REDIRECT=0 CONN_MAX_AGE=60
export SECRET_KEY=local-fault-rehearsal-secret-key-not-for-a-real-city-0123456789abcdef
export SUNSHINE_FIELD_KEYS=demo1:ZGVtby1vbmx5LWZpZWxkLWtleS0zMi1ieXRlcyEhISE=
export SUNSHINE_BLIND_INDEX_KEY=ZGVtby1vbmx5LWJsaW5kLWluZGV4LWtleS0zMmJ5dGU=
export SUNSHINE_DEPARTMENTS_KEY=demo:ZGVtby1vbmx5LWRlcGFydG1lbnQta2V5IQ==
export STATIC_ROOT=$OUT/static

started=""
stop_started() {
    for pid in $started; do kill "$pid" 2>/dev/null || true; done
    for pid in $started; do wait "$pid" 2>/dev/null || true; done
    started=""
}
trap stop_started EXIT INT TERM

# In the foreground only: "manage … &" would leave a shell, not Django, to kill.
manage() { "$BIN/python" manage.py "$@"; }

admin() {
    "$BIN/python" -c "import psycopg,sys; c=psycopg.connect(sys.argv[1], autocommit=True); c.execute(sys.argv[2])" "$PG/postgres" "$1"
}

fresh_database() {
    admin "DROP DATABASE IF EXISTS $FAULT_DB WITH (FORCE)"
    admin "CREATE DATABASE $FAULT_DB"
    manage migrate --no-input -v0
}

# wait_for URL: until it answers 200, at most a minute.
wait_for() {
    "$BIN/python" - "$1" <<'PY'
import sys, time, urllib.request
for _ in range(240):
    try:
        urllib.request.urlopen(sys.argv[1], timeout=2)
        sys.exit(0)
    except Exception:
        time.sleep(0.25)
sys.exit(f"{sys.argv[1]} did not answer within a minute")
PY
}

# start_web WORKERS: gunicorn in production mode on PORT; sets $web to the master's pid.
start_web() {
    manage collectstatic --no-input --verbosity 0
    PROMETHEUS_MULTIPROC_DIR=$OUT/prometheus BIND=127.0.0.1:$PORT WEB_CONCURRENCY=$1 \
        WEB_THREADS=${WEB_THREADS:-4} \
        "$BIN/gunicorn" -c deploy/gunicorn.conf.py &
    web=$!
    started="$started $web"
    wait_for "http://127.0.0.1:$PORT/readyz"
}

# start_submitting: a city of CHILDREN households, WORKERS (2) web processes and the parents'
# apps submitting in the background ($apps), returning once some applications are in.
start_submitting() {
    rm -f "$OUT/progress"
    manage seed_opening_day --children "$CHILDREN" --out "$OUT/households.jsonl" >/dev/null
    start_web "${WORKERS:-2}"
    manage fault_drill apps --households "$OUT/households.jsonl" \
        --base-url "http://127.0.0.1:$PORT" --out "$OUT/submissions.jsonl" \
        --progress "$OUT/progress" --concurrency 12 &
    apps=$!
    # Strike once the traffic flows: some applications are in, most are still to come.
    until [ "$(lines "$OUT/progress")" -ge 10 ] || ! kill -0 "$apps" 2>/dev/null; do sleep 0.05; done
}

# start_departments: the stand-in departments on DEPARTMENTS_PORT (PORT + 2), answering
# from the fault's database; exports SUNSHINE_DEPARTMENTS_URL for verify_round.
start_departments() {
    DEPARTMENTS_PORT=${DEPARTMENTS_PORT:-$((PORT + 2))}
    export SUNSHINE_DEPARTMENTS_URL=http://127.0.0.1:$DEPARTMENTS_PORT
    "$BIN/sunshine" fake-departments --database --port "$DEPARTMENTS_PORT" >/dev/null &
    started="$started $!"
    wait_for "$SUNSHINE_DEPARTMENTS_URL/health"
}

# start_sms_provider: the stand-in SMS provider on SMS_PORT (PORT + 1), logging what it takes
# to $OUT/provider.jsonl; exports the settings that make send_sms use it (Aliyun's protocol).
start_sms_provider() {
    SMS_PORT=${SMS_PORT:-$((PORT + 1))}
    rm -f "$OUT/provider.jsonl"
    "$BIN/sunshine" fake-sms --port "$SMS_PORT" --log "$OUT/provider.jsonl" >/dev/null &
    started="$started $!"
    wait_for "http://127.0.0.1:$SMS_PORT/health"
    export SUNSHINE_SMS_BACKEND=aliyun SUNSHINE_SMS_ENDPOINT=127.0.0.1:$SMS_PORT
    export SUNSHINE_SMS_PROTOCOL=http
    export SUNSHINE_SMS_ACCESS_KEY_ID=rehearsal SUNSHINE_SMS_ACCESS_KEY_SECRET=rehearsal
    export SUNSHINE_SMS_SIGN_NAME=阳光招生 SUNSHINE_SMS_TEMPLATES=SUBMITTED=SMS_0001
}

# post_json URL JSON: a plain POST (the stand-in SMS provider's control).
post_json() {
    "$BIN/python" -c "import sys, urllib.request; urllib.request.urlopen(urllib.request.Request(sys.argv[1], data=sys.argv[2].encode(), headers={'Content-Type': 'application/json'}), timeout=5).read()" "$1" "$2"
}

# lines FILE: how many lines it has (0 when missing).
lines() { if [ -f "$1" ]; then wc -l <"$1" | tr -d ' '; else echo 0; fi; }

# wait_for_count SQL N: until the query's count reaches N (it polls the fault's database).
wait_for_count() {
    "$BIN/python" - "$DATABASE_URL" "$1" "$2" <<'PY'
import sys, time, psycopg
url, sql, wanted = sys.argv[1], sys.argv[2], int(sys.argv[3])
with psycopg.connect(url, autocommit=True) as db:
    for _ in range(2400):
        if db.execute(sql).fetchone()[0] >= wanted:
            sys.exit(0)
        time.sleep(0.05)
sys.exit(f"never reached {wanted}: {sql}")
PY
}
