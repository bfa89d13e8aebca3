#!/bin/sh
# Fault: the SMS provider fails while the worker sends: HTTP 503 before taking a
# message, HTTP 500 after taking it, a stall past the client's timeout after taking it,
# refusals (flow control); then it recovers. Refusals are retried with backoff; the
# unknown outcomes are settled by asking the provider by our reference. Every message
# is eventually taken exactly once.
# Knobs: CHILDREN (40), SMS_PORT (PORT + 1).
FAULT=sms_provider_failure
. deploy/faults/common.sh
CHILDREN=${CHILDREN:-40}

fresh_database
manage fault_drill seed-applications --children "$CHILDREN"
start_sms_provider
CONTROL=http://127.0.0.1:$SMS_PORT/_control
# Retries after 1 s, 2 s, 4 s … instead of 30 s, so the rehearsal takes a minute.
export SUNSHINE_SMS_RETRY_BASE_SECONDS=1

post_json "$CONTROL" '{"mode": "fail", "count": 6, "after": 3, "delay_seconds": 0.05}'
"$BIN/python" manage.py send_sms --every 0.5 >/dev/null &
started="$started $!"
sleep 2
post_json "$CONTROL" '{"mode": "fail_after_taking", "count": 4, "delay_seconds": 0.05}'
sleep 2
post_json "$CONTROL" '{"mode": "timeout", "count": 2, "stall_seconds": 12}'
sleep 4
post_json "$CONTROL" '{"mode": "refuse", "count": 6, "delay_seconds": 0.05}'
sleep 2
post_json "$CONTROL" '{"mode": "ok"}'
echo "the provider recovered"
manage fault_drill wait-outbox --timeout 180 || true
stop_started
manage fault_drill verdict-sms --fault "$FAULT" --provider-log "$OUT/provider.jsonl"
