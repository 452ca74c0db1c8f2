#!/usr/bin/env bash
# The Claude Desktop bundle (MCPB): `mcpb validate` on manifest.json, then `mcpb pack` of the
# repository (minus .mcpbignore) into one .mcpb file a person installs with a double click.
#
#   scripts/mcpb.sh [OUTPUT]     default: dist/agenda-mcp-<version>.mcpb
#
# Needs npm. The mcpb CLI is installed into a throw-away prefix, never globally, and pinned, so a new
# release cannot change what CI accepts; tests/test_bundle.py reads the pin from this line.
set -euo pipefail

MCPB_PACKAGE="@anthropic-ai/mcpb@2.1.2"

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/agenda-mcp-mcpb.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT

if ! npm install --prefix "$WORK/npm" --no-audit --no-fund --loglevel=error "$MCPB_PACKAGE" >"$WORK/npm-install.log" 2>&1; then
    cat "$WORK/npm-install.log" >&2
    echo "npm install $MCPB_PACKAGE failed" >&2
    exit 1
fi
mcpb="$WORK/npm/node_modules/.bin/mcpb"

version="$(sed -n 's/^ *"version": *"\([^"]*\)".*/\1/p' "$ROOT/manifest.json" | head -n 1)"
output="${1:-$ROOT/dist/agenda-mcp-$version.mcpb}"
mkdir -p "$(dirname "$output")"

echo "== mcpb validate manifest.json ($MCPB_PACKAGE)"
"$mcpb" validate "$ROOT/manifest.json"
echo "== mcpb pack -> $output"
# The file list is long; keep the summary (name, sizes, file counts).
"$mcpb" pack "$ROOT" "$output" >"$WORK/pack.log" 2>&1 || { cat "$WORK/pack.log" >&2; exit 1; }
sed -n '/Archive Details/,$p' "$WORK/pack.log"
test -s "$output"
