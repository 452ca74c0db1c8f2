"""The floor: a bare MCPServer with one tool, served over stdio by the same interpreter.

Whatever agenda-mcp costs beyond this is ours; whatever this costs is the SDK's and Python's.
"""

import anyio
from mcp.server.mcpserver import MCPServer

server = MCPServer("bare")


@server.tool()
def echo(text: str) -> str:
    """Return the text unchanged."""
    return text


if __name__ == "__main__":
    anyio.run(server.run_stdio_async)
