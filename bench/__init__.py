"""agenda-mcp's benchmark suite: what the server adds to a session, next to a bare MCP server.

Run `python -m bench` (or `python -m bench --quick`); see docs/performance.md. Every row is a
ratio against a baseline measured in the same run, because absolute times on a shared machine
are noise. This is a benchmark, not a test: nothing here fails CI on a number.
"""
