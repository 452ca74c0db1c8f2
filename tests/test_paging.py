"""The shared page fetcher: bounded concurrency, order kept, progress reported, errors surface."""

from __future__ import annotations

import anyio
import pytest

from agenda_mcp.server.kit.paging import fetch_pages

pytestmark = pytest.mark.anyio


async def test_pages_come_back_in_order_with_bounded_concurrency() -> None:
    in_flight = peak = 0
    reported: list[tuple[int, int]] = []
    gate = anyio.Event()

    async def fetch(page: int) -> str:
        nonlocal in_flight, peak
        in_flight += 1
        peak = max(peak, in_flight)
        if peak >= 3:
            gate.set()
        await gate.wait()  # hold every request until three overlap: proves they run together
        in_flight -= 1
        return f"p{page}"

    async def progress(done: int, total: int) -> None:
        reported.append((done, total))

    pages = list(range(2, 12))
    result = await fetch_pages(fetch, pages, concurrency=3, progress=progress, already_done=1)
    assert result == [f"p{n}" for n in pages]
    assert peak == 3
    assert reported[-1] == (11, 11) and [d for d, _ in reported] == sorted(d for d, _ in reported)


async def test_a_failing_page_fails_the_call() -> None:
    async def fetch(page: int) -> int:
        if page == 4:
            raise ValueError("page 4 broke")
        return page

    with pytest.raises(ValueError, match="page 4 broke"):
        await fetch_pages(fetch, [2, 3, 4, 5])
