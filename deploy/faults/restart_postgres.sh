#!/bin/sh
# Fault: PostgreSQL restarted while parents' apps are submitting.
# While the database is away the server answers 503 with Retry-After (never a 500);
# the apps retry with the same idempotency key; afterwards every application is in
# the database exactly once, with one SMS.
# Restarting the cluster interrupts everything else on it: run this on a machine of
# your own. Knobs: CHILDREN (200), PG_CLUSTER (the newest cluster's main).
FAULT=restart_postgres
. deploy/faults/common.sh
CHILDREN=${CHILDREN:-200}
PG_CLUSTER=${PG_CLUSTER:-"$(ls /etc/postgresql | sort -V | tail -n 1) main"}

fresh_database
rm -f "$OUT/progress"
manage seed_opening_day --children "$CHILDREN" --out "$OUT/households.jsonl" >/dev/null
start_web "${WORKERS:-2}"
manage fault_drill apps --households "$OUT/households.jsonl" --base-url "http://127.0.0.1:$PORT" \
    --out "$OUT/submissions.jsonl" --progress "$OUT/progress" --concurrency 12 &
apps=$!
# Strike once the traffic flows: some applications are in, most are still to come.
until [ "$(lines "$OUT/progress")" -ge 10 ] || ! kill -0 "$apps" 2>/dev/null; do sleep 0.05; done
# shellcheck disable=SC2086
pg_ctlcluster --skip-systemctl-redirect $PG_CLUSTER restart
echo "restarted PostgreSQL $PG_CLUSTER"
wait "$apps"
stop_started
manage fault_drill verdict-submissions --fault "$FAULT" --submissions "$OUT/submissions.jsonl"
