"""The rules every tool call passes, whichever vendor it reaches."""
