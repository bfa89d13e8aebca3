#!/bin/sh
# Fault: the SMS worker killed (SIGKILL) mid-batch, a new one started.
# The provider (the local stand-in for Aliyun's service, through the official SDK)
# answers slowly, so the worker dies while a message is in flight. The new worker finds
# the dead one's claim, asks the provider about it by our reference (OutId) and marks it
# sent or sends it again; every message is taken by the provider exactly once.
# Knobs: CHILDREN (60), KILL_AFTER (10 messages taken), SMS_PORT (PORT + 1).
FAULT=kill_sms_worker
. deploy/faults/common.sh
CHILDREN=${CHILDREN:-60}
KILL_AFTER=${KILL_AFTER:-10}

fresh_database
manage fault_drill seed-applications --children "$CHILDREN"
start_sms_provider
post_json "http://127.0.0.1:$SMS_PORT/_control" '{"mode": "ok", "delay_seconds": 0.1}'
export SUNSHINE_SMS_CLAIM_TIMEOUT_SECONDS=3

"$BIN/python" manage.py send_sms --every 1 >/dev/null &
worker=$!
while [ "$(lines "$OUT/provider.jsonl")" -lt "$KILL_AFTER" ]; do sleep 0.02; done
kill -9 "$worker"
wait "$worker" 2>/dev/null || true
echo "killed SMS worker $worker after $(lines "$OUT/provider.jsonl") messages taken"
sleep 3.5 # the dead worker's claim times out
"$BIN/python" manage.py send_sms --every 1 >/dev/null &
started="$started $!"
manage fault_drill wait-outbox --timeout 180 || true
stop_started
manage fault_drill verdict-sms --fault "$FAULT" --provider-log "$OUT/provider.jsonl"
