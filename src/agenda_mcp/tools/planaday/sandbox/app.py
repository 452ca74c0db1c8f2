"""The Planaday simulator over HTTP: the ASGI routes, and the gate in front of them (the API key,
JSON media types and the hourly rate limit with its X-RateLimit-* headers, reference §1.2, §1.5).
What a request asks is answered by the sandbox's state (state.py), which holds the rules.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from datetime import date, datetime
from typing import TypeVar
from urllib.parse import parse_qsl, urlencode

from starlette.applications import Starlette
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from agenda_mcp.tools.planaday.models import ZONE as TIMEZONE
from agenda_mcp.tools.planaday.sandbox.data import JSON, build_catalogue
from agenda_mcp.tools.planaday.sandbox.state import (
    SANDBOX_API_KEY,
    ApiError,
    PlanadaySandbox,
    Received,
    as_id,
    not_found,
)

SANDBOX_BASE_URL = "http://planaday.sandbox/v1"
SANDBOX_ENV: dict[str, str] = {"PLANADAY_API_KEY": SANDBOX_API_KEY}

DEFAULT_HOURLY_QUOTA = 720_000  # the figure in the vendor's own header example
MAX_LIMIT = 100
# SAFE CHOICE: the default page size is undocumented (examples show 20, 30 and 100).
DEFAULT_LIMIT = 100


class RateLimiter:
    """Fixed hourly window per API key (there is one key), as the X-RateLimit-* headers describe."""

    def __init__(self, quota: int, now: Callable[[], datetime]) -> None:
        self.quota, self._now = quota, now
        self._reset = 0
        self._used = 0

    def _roll(self) -> None:
        moment = self._now()
        if moment.timestamp() >= self._reset:
            start = moment.replace(minute=0, second=0, microsecond=0)
            self._reset = int(start.timestamp()) + 3600
            self._used = 0

    def consume(self) -> bool:
        self._roll()
        if self._used >= self.quota:
            return False
        self._used += 1
        return True

    def headers(self) -> dict[str, str]:
        self._roll()
        return {
            "X-RateLimit-Limit": str(self.quota),
            "X-RateLimit-Remaining": str(max(self.quota - self._used, 0)),
            "X-RateLimit-Reset": str(self._reset),
        }


def _media_type(value: str) -> str:
    return value.split(";", 1)[0].strip().lower()


def _media_ok(headers: Headers, *, strict: bool) -> bool:
    """Planaday answers 415 when the JSON headers are wrong (reference §1.2)."""
    content_type = headers.get("content-type")
    accept = headers.get("accept")
    has_body = headers.get("content-length", "0").strip() not in ("", "0") or "transfer-encoding" in headers
    if content_type is not None and _media_type(content_type) != "application/json":
        return False
    if has_body and content_type is None:
        return False
    if accept is None:
        return not strict
    ranges = {_media_type(part) for part in accept.split(",")}
    if strict:
        return "application/json" in ranges
    return bool(ranges & {"application/json", "application/*", "*/*"})


class _Gate:
    """Key check, rate limit and media types in front of every route; adds the rate-limit headers."""

    def __init__(self, app: ASGIApp, sandbox: PlanadaySandbox, limiter: RateLimiter, strict_accept: bool) -> None:
        self.app, self.sandbox, self.limiter = app, sandbox, limiter
        # SAFE CHOICE (reference §1.2): by default only explicit non-JSON Accept values are
        # refused; strict mode also refuses an Accept header that does not name application/json.
        self.strict_accept = strict_accept

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        query = dict(parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True))
        self.sandbox.requests.append(Received(scope["method"], scope["path"], query))
        limiter = self.limiter
        refusal: Response | None = None
        # A wrong key does not spend the key's quota; it only sees the current counters.
        if not self.sandbox.api_key_ok(headers.get("x-api-key")):
            refusal = JSONResponse({"message": "No Access Right"}, 401)
        elif not limiter.consume():
            refusal = JSONResponse({"message": "Rate Limit Reached"}, 503)
        elif not _media_ok(headers, strict=self.strict_accept):
            refusal = JSONResponse({"message": "Unsupported Media Type"}, 415)
        extra = [(k.lower().encode(), v.encode()) for k, v in limiter.headers().items()]
        if refusal is not None:
            refusal.raw_headers.extend(extra)
            await refusal(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        await self.app(scope, receive, send_with_headers)


_UNPARSEABLE = object()


async def _json_body(request: Request) -> object:
    raw = await request.body()
    if not raw.strip():
        return None
    try:
        return json.loads(raw)
    except ValueError:  # includes UnicodeDecodeError
        return _UNPARSEABLE


def _base(request: Request) -> str:
    return str(request.base_url).rstrip("/") + "/v1"


def _int_param(request: Request, name: str, *, default: int | None, minimum: int) -> int | None:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    value = as_id(raw)
    if value is None or value < minimum:
        raise ApiError(400, f"{name} must be an integer >= {minimum}", 400)
    return value


def _date_param(request: Request, name: str) -> date:
    raw = request.query_params.get(name, "")
    try:
        if len(raw) != 8:
            raise ValueError(raw)
        return datetime.strptime(raw, "%Y%m%d").date()
    except ValueError:
        raise ApiError(400, f"parameters missing or invalid: {name} (YYYYMMDD)", 400) from None


def _paginate(request: Request, items: list[JSON]) -> JSON:
    """`{"meta", "data", "links"}` as in reference §1.4, with 0-based offsets."""
    offset = _int_param(request, "offset", default=0, minimum=0) or 0
    limit = min(_int_param(request, "limit", default=DEFAULT_LIMIT, minimum=1) or DEFAULT_LIMIT, MAX_LIMIT)
    records = len(items)
    pages = math.ceil(records / limit)

    def link(at: int) -> str:
        params = dict(request.query_params) | {"offset": str(at), "limit": str(limit)}
        return str(request.url.replace(query=urlencode(params)))

    return {
        "meta": {
            "page": {"current": offset // limit + 1, "offset": offset, "limit": limit, "total": pages},
            "records": records,
        },
        "data": items[offset : offset + limit],
        "links": {
            "self": link(offset),
            "first": link(0),
            "last": link(max(pages - 1, 0) * limit),
            "previous": link(max(offset - limit, 0)) if offset > 0 else "",
            "next": link(offset + limit) if offset + limit < records else "",
        },
    }


T = TypeVar("T")


def _lookup(table: dict[int, T], raw: str, entity: str) -> T:
    key = as_id(raw)
    if key is None:
        raise ApiError(400, "Parameters missing: id", 400)
    found = table.get(key)
    if found is None:
        raise not_found(f"{entity} not found")
    return found


def _routes(sandbox: PlanadaySandbox) -> list[Route]:
    cat = sandbox.catalogue

    async def ping(request: Request) -> Response:
        return JSONResponse({"result": "OK"})

    async def booking(request: Request) -> Response:
        ident = request.path_params.get("ident", "")
        if request.method == "DELETE":
            body = await _json_body(request)  # optional; only `reason` is used
            return JSONResponse(sandbox.delete_booking(ident, body))
        body = await _json_body(request)
        if ident == "payed":  # POST /booking/payed without an id
            return JSONResponse(sandbox.mark_paid("", body))
        return JSONResponse(sandbox.create_booking(ident, body))

    async def payed(request: Request) -> Response:
        body = await _json_body(request)
        return JSONResponse(sandbox.mark_paid(request.path_params.get("booking_id", ""), body))

    async def course_list(request: Request) -> Response:
        start, end = _date_param(request, "start"), _date_param(request, "end")
        if end < start:
            raise ApiError(400, "end is before start", 400)
        template_id = _int_param(request, "templateid", default=None, minimum=1)
        wanted = {x.strip().casefold() for x in request.query_params.get("label", "").split(",") if x.strip()}
        found = [
            c
            for c in cat.courses.values()
            if c.first_date is not None
            and c.last_date is not None
            and c.first_date <= end
            and c.last_date >= start
            and (template_id is None or c.template.id == template_id)
            and wanted <= {label.casefold() for label in c.labels}
        ]
        found.sort(key=lambda c: (c.first_date, c.dayparts[0].start_time, c.id))
        base = _base(request)
        # SAFE CHOICE: no match is an empty page, not the "404 Course not found" the table lists.
        return JSONResponse(_paginate(request, [c.to_json(base, detail=False) for c in found]))

    async def course_detail(request: Request) -> Response:
        course = _lookup(cat.courses, request.path_params["course_id"], "Course")
        return JSONResponse(course.to_json(_base(request), detail=True))

    async def course_dayparts(request: Request) -> Response:
        course = _lookup(cat.courses, request.path_params["course_id"], "Course")
        base = _base(request)
        return JSONResponse(_paginate(request, [d.to_json(base, detail=False) for d in course.dayparts]))

    async def course_materials(request: Request) -> Response:
        course = _lookup(cat.courses, request.path_params["course_id"], "Course")
        # The `label` parameter is accepted and ignored: demo materials carry no labels.
        items = [cat.materials[i].to_json() for i in course.bookable_material_ids]
        return JSONResponse(_paginate(request, items))

    async def template_list(request: Request) -> Response:
        base = _base(request)
        items = [t.to_json(base, detail=False) for t in cat.templates.values() if t.daypart_amount > 0]
        return JSONResponse({"coursetemplates": items})

    async def template_detail(request: Request) -> Response:
        template = _lookup(cat.templates, request.path_params["template_id"], "Coursetemplate")
        return JSONResponse(template.to_json(_base(request), detail=True))

    async def daypart_detail(request: Request) -> Response:
        daypart = _lookup(cat.dayparts, request.path_params["daypart_id"], "Daypart")
        return JSONResponse(daypart.to_json(_base(request), detail=True))

    async def daypart_materials(request: Request) -> Response:
        daypart = _lookup(cat.dayparts, request.path_params["daypart_id"], "Daypart")
        return JSONResponse(_paginate(request, [cat.materials[i].to_json() for i in daypart.material_ids]))

    async def label_list(request: Request) -> Response:
        return JSONResponse({"labels": [label.to_json() for label in cat.labels]})

    async def location_detail(request: Request) -> Response:
        location = _lookup(cat.locations, request.path_params["location_id"], "Location")
        return JSONResponse(location.to_json(_base(request)))

    async def extrafield_list(request: Request) -> Response:
        # The shape the vendor's own plugin reads (reference §2.14): fields per category.
        return JSONResponse({"extrafields": {"student": [f.to_json() for f in cat.extrafields]}})

    get = ["GET"]
    return [
        Route("/v1/ping", ping, methods=get),
        Route("/v1/booking/payed/{booking_id}", payed, methods=["POST"]),
        Route("/v1/booking/payed/", payed, methods=["POST"]),
        Route("/v1/booking/{ident}", booking, methods=["POST", "DELETE"]),
        Route("/v1/booking/", booking, methods=["POST", "DELETE"]),
        Route("/v1/booking", booking, methods=["POST", "DELETE"]),
        Route("/v1/course/list", course_list, methods=get),
        Route("/v1/course/{course_id}", course_detail, methods=get),
        Route("/v1/course/{course_id}/dayparts", course_dayparts, methods=get),
        Route("/v1/course/{course_id}/materials", course_materials, methods=get),
        Route("/v1/coursetemplate/list", template_list, methods=get),
        Route("/v1/coursetemplate/{template_id}", template_detail, methods=get),
        Route("/v1/daypart/{daypart_id}", daypart_detail, methods=get),
        Route("/v1/daypart/{daypart_id}/materials", daypart_materials, methods=get),
        Route("/v1/label/list", label_list, methods=get),
        Route("/v1/location/{location_id}", location_detail, methods=get),
        Route("/v1/extrafields/list", extrafield_list, methods=get),
    ]


async def _api_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiError)
    return JSONResponse(exc.body(), exc.status)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    return JSONResponse({"message": exc.detail}, exc.status_code, headers=exc.headers)


def _default_now() -> datetime:
    return datetime.now(TIMEZONE)


def create_app(
    *,
    now: Callable[[], datetime] | None = None,
    hourly_quota: int = DEFAULT_HOURLY_QUOTA,
    strict_accept: bool = False,
    cancel_converted: bool = False,
) -> Starlette:
    """A fresh Planaday simulator; demo data is anchored on `now()` (Europe/Amsterdam)."""
    clock = now or _default_now
    catalogue = build_catalogue(clock().astimezone(TIMEZONE).date())
    sandbox = PlanadaySandbox(catalogue, clock, cancel_converted=cancel_converted)
    limiter = RateLimiter(hourly_quota, clock)
    app = Starlette(
        routes=_routes(sandbox),
        middleware=[Middleware(_Gate, sandbox=sandbox, limiter=limiter, strict_accept=strict_accept)],
        exception_handlers={ApiError: _api_error, HTTPException: _http_error},
    )
    app.state.sandbox = sandbox
    return app
