"""agenda-mcp: an MCP server for OnlineAfspraken.nl, Planaday, Locaboo and ServicePlanner.

`agenda_mcp.server` is the server (the rules every tool shares, the assembly, the transports);
`agenda_mcp.tools` holds one package per vendor (its client, models, tools and simulator)."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("agenda-mcp")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+source"

USER_AGENT = f"agenda-mcp/{__version__} (MCP server for scheduling systems)"

__all__ = ["USER_AGENT", "__version__"]
