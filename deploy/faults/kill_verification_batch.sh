#!/bin/sh
# Fault: the verification batch (manage.py verify_round) killed (SIGKILL) mid-way, then
# run again. Departments answer online through the local stand-in, a little slowly.
# Each chunk is one transaction: the killed chunk leaves nothing, the rerun checks only
# what is still waiting. No application is skipped, no check stored twice, no department
# question answered twice.
# Knobs: CHILDREN (200), KILL_AFTER (40 applications checked), DEPARTMENTS_PORT (PORT + 2).
FAULT=kill_verification_batch
. deploy/faults/common.sh
CHILDREN=${CHILDREN:-200}

fresh_database
manage fault_drill seed-applications --children "$CHILDREN"
start_departments
# Every department answers, each answer after 20 ms (well inside the client's timeout).
manage fault_drill control-departments --url "$SUNSHINE_DEPARTMENTS_URL" \
    --json '{"mode": "timeout", "delay_seconds": 0.02}' >/dev/null
"$BIN/python" manage.py verify_round --chunk 20 >/dev/null &
batch=$!
# Kill it once some chunks are in: most applications are still waiting.
wait_for_count "SELECT count(*) FROM applications_application WHERE status <> 'submitted'" \
    "${KILL_AFTER:-40}"
kill -9 "$batch"
wait "$batch" 2>/dev/null || true
manage shell -c "from sunshine.applications.models import Application as A; print('killed the batch with', A.objects.exclude(status='submitted').count(), 'of', A.objects.count(), 'applications checked')"
manage verify_round --chunk 20 >/dev/null
stop_started
manage fault_drill verdict-verification --fault "$FAULT"
