#!/bin/sh
# Fault: a department (the police's hukou and residence-permit interface) stalls past
# the client's timeout. Its questions are retried with backoff, the circuit breaker
# opens, and the checks end as retryable reviews (queued for a person and the next run);
# none is lost or stored twice. When the department answers again, the next run asks
# only those checks and settles them.
# Knobs: CHILDREN (60), DEPARTMENTS_PORT (PORT + 2).
FAULT=department_timeout
. deploy/faults/common.sh
CHILDREN=${CHILDREN:-60}

fresh_database
manage fault_drill seed-applications --children "$CHILDREN"
start_departments
manage fault_drill control-departments --url "$SUNSHINE_DEPARTMENTS_URL" \
    --json '{"mode": "timeout", "departments": ["police"], "delay_seconds": 4}' >/dev/null
manage verify_round >/dev/null
manage fault_drill verdict-verification --fault "${FAULT}_while_down" --expect-waiting some
manage fault_drill control-departments --url "$SUNSHINE_DEPARTMENTS_URL" --json '{"mode": "ok"}' >/dev/null
manage verify_round >/dev/null
stop_started
manage fault_drill verdict-verification --fault "$FAULT" --expect-waiting none
