"""agenda-mcp, installed as one package: `agenda_mcp.server` is the repository's `server/`,
`agenda_mcp.tools` its `tools/`, and this folder is the package itself (see pyproject.toml,
`[tool.setuptools.package-dir]`). Nothing is installed under a generic top-level name."""

from agenda_mcp.server import USER_AGENT, __version__

__all__ = ["USER_AGENT", "__version__"]
