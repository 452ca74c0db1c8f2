"""agenda-mcp: an MCP server for OnlineAfspraken.nl, Planaday, Locaboo and ServicePlanner."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("agenda-mcp")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+source"

USER_AGENT = f"agenda-mcp/{__version__} (MCP server for scheduling systems)"
