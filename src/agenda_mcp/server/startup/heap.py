"""Settle the heap once the server process has built what it keeps for its lifetime.

Building the vendors leaves tens of thousands of objects that live as long as the process (tool
models, schemas, clients) beside the garbage of building them. Left alone, the next full
collection walks all of them during some early tool call: ~90 ms with the four vendors built,
where the bare SDK's heap costs little (docs/performance.md). So once the vendors are built, at a
moment nobody waits for (before serving, or in the background after the listing), the garbage is
collected and what is left is frozen (`gc.freeze`): later collections no longer walk it.

Frozen objects are never freed, so only the process that owns the server does this (the
`agenda-mcp` command calls `own_process`); a test or a program building many servers does not.
"""

from __future__ import annotations

import gc
import time

from agenda_mcp.server.guards.redaction import get_logger

log = get_logger(__name__)

_owned = False
_settled = False


def own_process() -> None:
    """This process serves one agenda for its lifetime: settle() may freeze what it built."""
    global _owned
    _owned = True


def settle() -> None:
    """Collect the building's garbage and keep what is left out of later collections (once: a
    collection of this heap takes tens of milliseconds, and later ones find little to free)."""
    global _settled
    if not _owned or _settled:
        return
    _settled = True
    started = time.perf_counter()
    gc.collect()
    gc.freeze()
    took = (time.perf_counter() - started) * 1000
    log.debug("heap settled in %.0f ms; %d objects frozen", took, gc.get_freeze_count())
