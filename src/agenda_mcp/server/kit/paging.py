"""Fetching the remaining pages of a list at once, bounded, in order, with progress.

Vendors that say how many pages there are (Laravel's `last_page`) let us fetch pages 2..N
concurrently instead of one after another; the bound keeps us polite to the vendor.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import TypeVar

import anyio

T = TypeVar("T")
Progress = Callable[[int, int], Awaitable[None]]
"""`await progress(done, total)`; tools pass `ctx.report_progress`."""

# The first page must come back before the rest can be asked for; with 10 in flight, 20 pages
# take 3 round trips instead of 6 (bench: paging row). Ten requests at once is a modest burst for
# a vendor; the total stays bounded by the caller's page limit.
DEFAULT_CONCURRENCY = 10


async def fetch_pages(
    fetch: Callable[[int], Awaitable[T]],
    pages: Sequence[int],
    *,
    concurrency: int = DEFAULT_CONCURRENCY,
    progress: Progress | None = None,
    already_done: int = 0,
) -> list[T]:
    """Fetch `pages` with at most `concurrency` requests in flight; results in `pages` order.

    A failing page fails the whole call (the first error wins): a silently incomplete list
    would be worse than none."""
    results: dict[int, T] = {}
    limiter = anyio.CapacityLimiter(concurrency)
    total = already_done + len(pages)

    async def one(page: int) -> None:
        async with limiter:
            results[page] = await fetch(page)
        if progress is not None:
            await progress(already_done + len(results), total)

    try:
        async with anyio.create_task_group() as tg:
            for page in pages:
                tg.start_soon(one, page)
    except BaseExceptionGroup as group:
        # Surface the page's own error (a ToolError the model can read), not the group.
        first: BaseException = group
        while isinstance(first, BaseExceptionGroup):
            first = first.exceptions[0]
        raise first from None
    return [results[page] for page in pages]


ENVELOPE_BYTES = 256
"""A list result's own fields around its rows (page facts, notes)."""


def pages_within(budget_bytes: int | None, first_page_bytes: int) -> int | None:
    """How many pages (the first included) it takes to reach a result of `budget_bytes`, judged by
    the first page: the fetching stops there, as any further page would only be cut (None: no cap).
    The page that reaches the cap is fetched, so the result is as full as the cap allows."""
    if budget_bytes is None:
        return None
    # Pages differ: keep a tenth (and the result's envelope) in hand.
    usable = budget_bytes * 9 // 10 - ENVELOPE_BYTES
    return max(1, -(-usable // max(1, first_page_bytes)))
