"""The floor for the result-size rows: a bare MCPServer tool that makes the same HTTP request as
agenda-mcp's tool and hands back the vendor's JSON as it came (no models, no cleaning, no cap).

`python bench/bare_fetch.py URL`: the one tool, `fetch`, GETs URL and returns its JSON body.
"""

import sys
from typing import Any

import anyio
import httpx2
from mcp.server.mcpserver import MCPServer

URL = sys.argv[1]
server = MCPServer("bare-fetch")
client = httpx2.AsyncClient(timeout=30)


@server.tool()
async def fetch() -> dict[str, Any]:
    """GET the vendor URL and return its JSON."""
    answer = await client.get(URL)
    body: dict[str, Any] = answer.json()
    return body


if __name__ == "__main__":
    anyio.run(server.run_stdio_async)
