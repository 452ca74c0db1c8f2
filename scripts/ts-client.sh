#!/usr/bin/env bash
# find_slots and book_slot through the official TypeScript MCP clients, which validate every
# structured result against the tool's outputSchema with format checking (Ajv + ajv-formats):
# @modelcontextprotocol/sdk 1.x (2025-11-25) and @modelcontextprotocol/client 2.x (2025-11-25 and
# 2026-07-28), over stdio and over streamable HTTP. Any schema error, or any failed call, fails.
#
# The clients come from the npm registry at the versions pinned in scripts/ts-client/package-lock.json,
# installed into a throw-away folder. Needs node 20+ and npm.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
AGENDA_MCP="${AGENDA_MCP:-$ROOT/.venv/bin/agenda-mcp}"
PYTHON="${PYTHON:-$ROOT/.venv/bin/python}"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/agenda-mcp-ts.XXXXXX")"
SERVER_PID=""
cleanup() {
    if [[ -n "$SERVER_PID" ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill -TERM "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
    fi
    rm -rf "$WORK"
}
trap cleanup EXIT

cp "$ROOT/scripts/ts-client/package.json" "$ROOT/scripts/ts-client/package-lock.json" "$ROOT/scripts/ts-client/harness.mjs" "$WORK/"
(cd "$WORK" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)

run() {  # run LABEL HARNESS-ARGS...
    local label="$1"; shift
    echo "-- $label"
    if ! node "$WORK/harness.mjs" --quiet-server "$@"; then
        echo "FAILED: $label" >&2
        exit 1
    fi
}

run "sdk 1.x, stdio" --stdio "$AGENDA_MCP --sandbox"
run "client 2.x, stdio, 2025-11-25" --sdk 2 --protocol legacy --stdio "$AGENDA_MCP --sandbox"
run "client 2.x, stdio, 2026-07-28" --sdk 2 --protocol 2026-07-28 --stdio "$AGENDA_MCP --sandbox"

# Streamable HTTP on a free loopback port, with sessions (the default).
PORT="$("$PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
"$AGENDA_MCP" --sandbox --transport http --port "$PORT" --log-level WARNING &
SERVER_PID=$!
"$PYTHON" - "$PORT" <<'PY'
import socket, sys, time
deadline = time.monotonic() + 30
while True:
    try:
        socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=1).close()
        break
    except OSError:
        if time.monotonic() > deadline:
            sys.exit("agenda-mcp did not start listening")
        time.sleep(0.05)
PY
run "sdk 1.x, http" --http "http://127.0.0.1:$PORT/mcp"
run "client 2.x, http, 2026-07-28" --sdk 2 --protocol 2026-07-28 --http "http://127.0.0.1:$PORT/mcp"
echo "TypeScript clients: find_slots and book_slot validated against their output schemas, 0 errors"
