#!/bin/sh
# Fault: a web worker killed (SIGKILL) while parents' apps are submitting.
# The apps retry every request the server did not answer, with the same idempotency
# key; afterwards every application is in the database exactly once, with one SMS.
# Knobs: CHILDREN (200), KILLS (3), WORKERS (2), and those of common.sh.
FAULT=kill_web_worker
. deploy/faults/common.sh
CHILDREN=${CHILDREN:-200}
KILLS=${KILLS:-3}

fresh_database
start_submitting
i=0
while [ "$i" -lt "$KILLS" ] && kill -0 "$apps" 2>/dev/null; do
    worker=$(pgrep -P "$web" | head -n 1 || true)
    if [ -n "$worker" ]; then
        kill -9 "$worker"
        echo "killed web worker $worker"
    fi
    i=$((i + 1))
    sleep 1
done
wait "$apps"
stop_started
manage fault_drill verdict-submissions --fault "$FAULT" --submissions "$OUT/submissions.jsonl"
