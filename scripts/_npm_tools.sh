# Shared by scripts/conformance.sh and scripts/inspector-smoke.sh (source it; not run on its own).
#
# The MCP conformance suite and the MCP Inspector are npm packages that need Node 22.19 or newer.
# They are installed into a throw-away prefix, never globally; when the machine's node is older,
# Node 22 itself comes from the npm registry into the same prefix (`npm install node@22`).
# Versions are pinned so that a new suite release cannot change the baseline under our feet.

CONFORMANCE_PACKAGE="@modelcontextprotocol/conformance@0.2.0-alpha.12"
INSPECTOR_PACKAGE="@modelcontextprotocol/inspector@2.12.0"

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
AGENDA_MCP="${AGENDA_MCP:-$ROOT/.venv/bin/agenda-mcp}"
PYTHON="${PYTHON:-$ROOT/.venv/bin/python}"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/agenda-mcp-npm.XXXXXX")"
SERVER_PID=""

cleanup() {
    if [[ -n "$SERVER_PID" ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill -TERM "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
    fi
    rm -rf "$WORK"
}
trap cleanup EXIT

node_is_recent() {
    command -v node >/dev/null 2>&1 &&
        node -e 'const [a, b] = process.versions.node.split(".").map(Number); process.exit(a > 22 || (a === 22 && b >= 19) ? 0 : 1)'
}

# install_npm_tools PACKAGE...: the packages (plus Node 22 if needed) into $WORK/npm, on PATH.
install_npm_tools() {
    local packages=("$@")
    if ! node_is_recent; then
        echo "node $(node --version 2>/dev/null || echo missing) is older than 22.19: installing node@22 from the npm registry into a temporary prefix"
        packages+=("node@22")
    fi
    # One install for everything: a second `npm install` into the same prefix would prune the first.
    if ! npm install --prefix "$WORK/npm" --no-audit --no-fund --loglevel=error "${packages[@]}" >"$WORK/npm-install.log" 2>&1; then
        cat "$WORK/npm-install.log" >&2
        echo "npm install failed" >&2
        exit 1
    fi
    export PATH="$WORK/npm/node_modules/.bin:$PATH"
    node_is_recent || { echo "still no Node 22.19+ after installing node@22" >&2; exit 1; }
    echo "using node $(node --version)"
}

free_port() {
    "$PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# start_server LOG ARG...: agenda-mcp --sandbox over HTTP on a free loopback port; sets PORT and
# SERVER_PID, and returns once /healthz answers.
start_server() {
    local log="$1"
    shift
    PORT="$(free_port)"
    "$AGENDA_MCP" --sandbox --transport http --host 127.0.0.1 --port "$PORT" "$@" >"$log" 2>&1 &
    SERVER_PID=$!
    if ! "$PYTHON" - "$PORT" "$SERVER_PID" <<'PY'; then
import os, sys, time, urllib.request
port, pid = sys.argv[1], int(sys.argv[2])
deadline = time.monotonic() + 60
while time.monotonic() < deadline:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
            if response.status == 200:
                sys.exit(0)
    except OSError:
        pass
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        sys.exit(f"agenda-mcp exited during start-up")
    time.sleep(0.2)
sys.exit("agenda-mcp did not answer /healthz within 60 s")
PY
        cat "$log" >&2
        exit 1
    fi
}

stop_server() {
    kill -TERM "$SERVER_PID"
    wait "$SERVER_PID" 2>/dev/null || true
    SERVER_PID=""
}
