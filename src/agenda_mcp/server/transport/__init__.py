"""How agenda-mcp is reached: HTTP serving, and the in-process transport to the simulators."""
