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
start_submitting
# shellcheck disable=SC2086
pg_ctlcluster --skip-systemctl-redirect $PG_CLUSTER restart
echo "restarted PostgreSQL $PG_CLUSTER"
wait "$apps"
stop_started
manage fault_drill verdict-submissions --fault "$FAULT" --submissions "$OUT/submissions.jsonl"
