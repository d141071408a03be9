#!/usr/bin/env bash
# schemathesis against the dashboard's OpenAPI document: a real `pairbook serve` (token on loopback, so API calls
# carry a bearer header and reach every handler) over the real sample klines. Fails when any answer is a 5xx or
# does not match the document's status codes. The event stream never ends, so it is left out.
set -euo pipefail
bin=${1:-.build/debug/pairbook}
data=${PAIRBOOK_SHARED_DATA:-../shared/data}
klines=("$data"/binance-usdm-klines-1m-2023-01-01_03/*.csv)
if [ ! -f "${klines[0]}" ]; then
    echo "api-fuzz: sample klines not found under $data; skipping" >&2
    exit 0
fi
work=$(mktemp -d)
server=""
cleanup() { [ -n "$server" ] && kill "$server" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

"$bin" import --db "$work/db.sqlite" "${klines[@]}" >/dev/null
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$bin" serve --db "$work/db.sqlite" --listen "127.0.0.1:$port" --reports Reports --out "$work/output" --token fuzz \
    >"$work/serve.log" 2>&1 &
server=$!
for _ in $(seq 1 100); do
    curl -sf -H "Authorization: Bearer fuzz" "http://127.0.0.1:$port/api/symbols" >/dev/null && break
    sleep 0.1
done

echo "== schemathesis against http://127.0.0.1:$port/api/openapi.json"
SCHEMATHESIS_HOOKS= schemathesis run "http://127.0.0.1:$port/api/openapi.json" \
    -H "Authorization: Bearer fuzz" --checks not_a_server_error,status_code_conformance \
    --exclude-path /api/events --exclude-path-regex '^/api/reports/.*/run$' \
    --phases examples,coverage,fuzzing -n 30 --request-timeout 20 --no-color
if ! kill -0 "$server" 2>/dev/null; then
    echo "api-fuzz: pairbook serve died:" >&2
    tail -20 "$work/serve.log" >&2
    exit 1
fi
