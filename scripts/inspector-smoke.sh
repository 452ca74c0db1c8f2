#!/usr/bin/env bash
# Smoke test with the MCP Inspector CLI (@modelcontextprotocol/inspector --cli): list the tools and
# call one, over stdio and over streamable HTTP with a bearer token. Needs npm; Node 22 comes from
# the npm registry if need be.
set -euo pipefail
source "$(dirname "$0")/_npm_tools.sh"

install_npm_tools "$INSPECTOR_PACKAGE"
TOKEN="inspector-smoke-$(date +%s)-0123456789"

# check WHAT: the Inspector's JSON output on stdin is a tools/list with our tools, or a good call.
cat >"$WORK/check.py" <<'PY'
import json, sys

what, out = sys.argv[1], json.load(sys.stdin)
if what == "tools/list":
    names = {tool["name"] for tool in out["tools"]}
    assert {"list_planaday_courses", "create_planaday_booking"} <= names, sorted(names)
    print(f"  tools/list: {len(names)} tools")
else:
    assert not out.get("isError"), out
    course = out["structuredContent"]
    assert course["id"] == 102 and course["name"], course
    print(f"  tools/call get_planaday_course: {course['name']}, {course['users']['available']} seats free")
PY
check() { "$PYTHON" "$WORK/check.py" "$1"; }

inspect() {
    mcp-inspector --cli "$@" 2>"$WORK/inspector.err" || { cat "$WORK/inspector.err" >&2; return 1; }
}

echo "== inspector over stdio"
server=("$AGENDA_MCP" --sandbox --toolsets planaday)
inspect --method tools/list -- "${server[@]}" | check tools/list
inspect --method tools/call --tool-name get_planaday_course --tool-arg course_id=102 -- "${server[@]}" | check tools/call

echo "== inspector over HTTP, with a bearer token"
AGENDA_MCP_HTTP_TOKEN="$TOKEN" start_server "$WORK/server.log" --toolsets planaday
url="http://127.0.0.1:$PORT/mcp"
if mcp-inspector --cli "$url" --transport http --method tools/list >/dev/null 2>&1; then
    echo "the server answered tools/list without the token" >&2
    exit 1
fi
echo "  without the token: refused"
inspect "$url" --transport http --header "Authorization: Bearer $TOKEN" --method tools/list | check tools/list
inspect "$url" --transport http --header "Authorization: Bearer $TOKEN" \
    --method tools/call --tool-name get_planaday_course --tool-arg course_id=102 | check tools/call
stop_server
echo "inspector: passed"
