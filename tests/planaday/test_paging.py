"""Planaday's paging facts read as its docs define them ("Pagination": `meta.records` is the number
of records, `meta.page.total` the number of pages, `meta.page.current` the page shown), with the
docs' own example blocks; nothing is made up when a field is missing."""

from __future__ import annotations

from typing import Any

import pytest

from agenda_mcp.tools.planaday.models import page_from

# The docs' "Meta" and "Using offset" examples: 393 records in 4 pages of 100.
FIRST_PAGE = {"page": {"current": 1, "offset": 1, "limit": 100, "total": 4}, "records": 393}
THIRD_PAGE = {"page": {"current": 3, "offset": 200, "limit": 100, "total": 4}, "records": 393}
# The docs' example answers of the daypart lists: no records, no current page.
COURSE_DAYPARTS = {"page": {"offset": 1, "limit": 2, "total": 1}}
COURSE_MATERIALS = {"page": {"offset": 1, "limit": 20, "total": 2}}
DAYPART_MATERIALS = {"page": {"offset": 0, "limit": 20, "total": 1}}
# The docs' links example (copied into every list answer of the docs, a next link included).
LINKS = {
    "self": "https://apitest.api.planaday.net/v1/daypart/1/materials?limit=20&offset=20",
    "next": "https://apitest.api.planaday.net/v1/daypart/1/materials?limit=20&offset=40",
}


@pytest.mark.parametrize(
    ("body", "offset", "count", "limit", "expected"),
    [
        ({"meta": FIRST_PAGE}, 0, 100, 100, {"total": 393, "has_more": True}),
        ({"meta": THIRD_PAGE}, 200, 100, 100, {"total": 393, "has_more": True}),
        (
            {"meta": THIRD_PAGE | {"page": THIRD_PAGE["page"] | {"current": 4}}},
            300,
            93,
            100,
            {"total": 393, "has_more": False},
        ),
        # records missing: the total is unknown, and the page count says whether more follow
        ({"meta": DAYPART_MATERIALS, "links": LINKS}, 0, 1, 25, {"has_more": False}),
        ({"meta": COURSE_DAYPARTS, "links": LINKS}, 0, 2, 25, {"has_more": False}),
        ({"meta": COURSE_MATERIALS, "links": LINKS}, 0, 2, 25, {"has_more": True}),
        ({"meta": {"page": {"limit": 20, "total": 2}}}, 20, 20, 20, {"has_more": False}),
        # no meta: the links say, the next link "" on the last page; without either, a short page is the last
        ({"links": LINKS}, 0, 20, 20, {"has_more": True}),
        ({"links": LINKS | {"next": ""}}, 0, 20, 20, {"has_more": False}),
        ({}, 0, 7, 25, {"has_more": False}),
        ({}, 0, 25, 25, {"has_more": True}),
    ],
)
def test_page_facts_follow_the_documented_meta(
    body: dict[str, Any], offset: int, count: int, limit: int, expected: dict[str, Any]
) -> None:
    assert page_from(body, offset, count, limit).model_dump() == expected
