"""`python -m agenda_mcp`: the same as the `agenda-mcp` command."""

from agenda_mcp.server.startup.cli import main

main()
