"""The MCP server around the vendors, grouped by concern:

- `kit`: what a vendor package imports (the toolkit that registers its tools, the time
  vocabulary, result models, the one HTTP layer, the slots interface, the vendor contract);
- `guards`: the rules every tool call passes (strict arguments, consent, the duplicate guard,
  the rate budget, the audit log, output hygiene, redaction);
- `slots`: find_slots and book_slot, across every vendor with availability, and the picker;
- `team`: what replicas share (Redis), OAuth access tokens, per-client session limits;
- `transport`: HTTP serving and the in-process transport to the simulators;
- `startup`: configuration, the vendor registry, assembling the server, the command line.
"""
