"""The ServicePlanner simulator's HTTP side: routes, dispatch and Laravel's error answers.

`create_app()` returns a Starlette app that answers at the vendor's paths (ROUTES, the one
table of paths below) with Laravel-shaped bodies: 401 `{"message": "Unauthenticated."}`,
404 route-model-binding messages, 422 `{"message", "errors": {field: [..]}}`, and
length-aware paginators whose page URLs point back at the app. Callers that do not ask for
JSON get what Laravel gives browsers: redirects and HTML.

Test hooks live on `app.state.sandbox` (a ServicePlannerSandbox, state.py): `serve_html(path, kind)`,
`clear_html()`, `limit_requests(per_minute)`, `cancel_appointment(id)`, `mark_visited(id)`,
and the data tables.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import Any
from zoneinfo import ZoneInfo

from starlette.applications import Starlette
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from agenda_mcp.tools.serviceplanner.sandbox.data import Record
from agenda_mcp.tools.serviceplanner.sandbox.laravel import (
    DEFAULT_PER_PAGE,
    ValidationFailed,
    Validator,
    paginate,
    query_pairs,
    resolve_page,
    validation_message,
)
from agenda_mcp.tools.serviceplanner.sandbox.state import (
    SANDBOX_TOKEN,
    NotFound,
    ServicePlannerSandbox,
    Upload,
)

# The real base is https://api.service-planner.nl: no path prefix on the api. host (reference 1.1).
SANDBOX_BASE_URL = "http://serviceplanner.sandbox"
SANDBOX_ENV: dict[str, str] = {"SERVICEPLANNER_API_TOKEN": SANDBOX_TOKEN}
AMSTERDAM = ZoneInfo("Europe/Amsterdam")
WEB_APP = "https://app.service-planner.nl"

ADDRESS_ORDER_COLUMNS = ("id", "client_id", "street", "zipcode", "city", "type", "created_at", "updated_at")
CLIENT_SORT_COLUMNS = (
    "id", "client_number", "first_name", "last_name", "company_name", "email", "created_at", "updated_at",
)  # fmt: skip
DIRECTIONS = ("asc", "desc")


# ============================================================================================
# Request context
# ============================================================================================


@dataclass
class Call:
    """One authenticated request: the caller's company, path parameters and merged input."""

    request: Request
    state: ServicePlannerSandbox
    company_id: int
    params: dict[str, str]
    body: dict[str, Any] = field(default_factory=dict)
    uploads: list[tuple[str, Any]] = field(default_factory=list)

    @cached_property
    def query(self) -> list[tuple[str, str]]:
        return query_pairs(self.request.url.query)

    @cached_property
    def input(self) -> dict[str, Any]:
        """Laravel's `$request->all()`: the query string, overlaid by the body."""
        return {**php_nest(self.query), **self.body}

    def page(self, records: Sequence[Record], render: Callable[[Record], dict[str, Any]]) -> JSONResponse:
        v = Validator(self.input)
        per_page = v.integer("per_page", minimum=1) or DEFAULT_PER_PAGE
        v.check()
        url = self.request.url
        result = paginate(
            records,
            page=resolve_page(self.input.get("page")),
            per_page=per_page,
            path=f"{url.scheme}://{url.netloc}{url.path}",
            query=self.query,
        )
        result["data"] = [render(row) for row in result["data"]]
        return JSONResponse(result)


def php_nest(pairs: Iterable[tuple[str, Any]]) -> dict[str, Any]:
    """PHP's parsing of `a[b][]=1` style keys into nested arrays (lists when keyed 0..n-1)."""
    root: dict[str, Any] = {}
    for key, value in pairs:
        match = re.fullmatch(r"([^\[\]]+)((?:\[[^\[\]]*\])*)", key)
        parts = [match.group(1), *re.findall(r"\[([^\[\]]*)\]", match.group(2))] if match else [key]
        node = root
        for index, part in enumerate(parts):
            name = part if part != "" else str(len(node))
            if index == len(parts) - 1:
                node[name] = value
            else:
                child = node.get(name)
                if not isinstance(child, dict):
                    child = node[name] = {}
                node = child
    # The top level is always named fields (PHP's $_GET / $_POST), below it numbered keys make lists.
    return {key: _listify(value) for key, value in root.items()}


def _listify(node: Any) -> Any:
    if not isinstance(node, dict):
        return node
    converted = {key: _listify(value) for key, value in node.items()}
    if converted and list(converted) == [str(index) for index in range(len(converted))]:
        return list(converted.values())
    return converted


def _direction(v: Validator, name: str) -> str | None:
    """asc/desc in any case (the docs show both `asc` and `DESC`)."""
    raw = v.raw(name)
    if isinstance(raw, str) and raw.lower() in DIRECTIONS:
        return raw.lower()
    return v.one_of(name, DIRECTIONS)


def _sorted(records: list[Record], column: str, direction: str | None) -> list[Record]:
    """MySQL order: NULLs first ascending, last descending; id breaks ties."""
    records = sorted(records, key=lambda row: row["id"])

    def key(row: Record) -> tuple[bool, Any]:
        value = row[column]
        return (value is not None, value.lower() if isinstance(value, str) else value)

    return sorted(records, key=key, reverse=direction == "desc")


def _deleted(what: str) -> JSONResponse:
    # The vendor's delete response is undocumented; any 2xx is what a client may rely on.
    return JSONResponse({"message": f"{what} deleted."})


# ============================================================================================
# Handlers, one per vendor operation
# ============================================================================================


async def list_addresses(call: Call) -> Response:
    v = Validator(call.input)
    client_id = v.integer("client_id")
    order_by = v.one_of("order_by", ADDRESS_ORDER_COLUMNS) or "id"
    direction = _direction(v, "order_direction")
    v.check()
    rows = [
        row
        for row in call.state.live(call.state.addresses, call.company_id)
        if client_id is None or row["client_id"] == client_id
    ]
    return call.page(_sorted(rows, order_by, direction), call.state.render_address)


async def create_address(call: Call) -> Response:
    return JSONResponse(call.state.create_address(call.company_id, call.input))


async def show_address(call: Call) -> Response:
    address = call.state.find(call.state.addresses, call.company_id, call.params["address"], "Address")
    return JSONResponse(call.state.render_address(address, with_client=True))


async def update_address(call: Call) -> Response:
    return JSONResponse(call.state.update_address(call.company_id, call.params["address"], call.input))


async def delete_address(call: Call) -> Response:
    call.state.delete_address(call.company_id, call.params["address"])
    return _deleted("Address")


async def list_appointment_types(call: Call) -> Response:
    # A bare array, as in the docs' example (reference 2.3), not a paginator.
    rows = sorted(call.state.live(call.state.appointment_types, call.company_id), key=lambda row: row["id"])
    return JSONResponse([call.state.render_type(row) for row in rows])


async def list_appointments(call: Call) -> Response:
    v = Validator(call.input)
    users = v.int_list("users")
    types = v.int_list("appointment_type")
    direction = _direction(v, "ordertype")
    v.check()
    rows = [
        row
        for row in call.state.live(call.state.appointments, call.company_id)
        if (not users or set(users) & set(row["users"])) and (not types or row["appointment_type_id"] in types)
    ]
    # S11: sorted on the visit time (`time_from_order`); `ordertype` is the direction.
    return call.page(_sorted(rows, "time_from", direction or "asc"), call.state.render_appointment)


async def create_appointment(call: Call) -> Response:
    return JSONResponse(call.state.create_appointment(call.company_id, call.input))


async def show_appointment(call: Call) -> Response:
    row = call.state.find(call.state.appointments, call.company_id, call.params["appointment"], "Appointment")
    return JSONResponse(call.state.render_appointment(row, detail=True))


async def delete_appointment(call: Call) -> Response:
    call.state.delete_appointment(call.company_id, call.params["appointment"])
    return _deleted("Appointment")


def _client_matches(client: Record, addresses: Sequence[Record], words: list[str]) -> bool:
    if not words:
        return True
    haystack = " ".join(
        str(value or "")
        for value in (
            client["first_name"], client["last_name"], client["company_name"], client["email"],
            client["phone"], client["mobile_phone"], client["client_number"],
            *(f"{row['street']} {row['zipcode']} {row['zipcode'].replace(' ', '')} {row['city']}" for row in addresses),
        )
    ).lower()  # fmt: skip
    return all(word in haystack for word in words)


async def list_clients(call: Call) -> Response:
    v = Validator(call.input)
    search = v.string("search")
    number = v.integer("client_number")
    sort = v.one_of("sort", CLIENT_SORT_COLUMNS) or "id"
    direction = _direction(v, "ordertype")
    v.check()
    words = (search or "").lower().split()
    by_client: dict[int, list[Record]] = {}
    for address in call.state.live(call.state.addresses, call.company_id):
        by_client.setdefault(address["client_id"], []).append(address)
    rows = [
        row
        for row in call.state.live(call.state.clients, call.company_id)
        if (number is None or row["client_number"] == number)
        and _client_matches(row, by_client.get(row["id"], []), words)
    ]
    return call.page(_sorted(rows, sort, direction), call.state.render_client)


async def create_client(call: Call) -> Response:
    return JSONResponse(call.state.create_client(call.company_id, call.input))


async def show_client(call: Call) -> Response:
    client = call.state.find(call.state.clients, call.company_id, call.params["client"], "Client")
    return JSONResponse(call.state.render_client_detail(client))


async def update_client(call: Call) -> Response:
    return JSONResponse(call.state.update_client(call.company_id, call.params["client"], call.input))


async def delete_client(call: Call) -> Response:
    call.state.delete_client(call.company_id, call.params["client"])
    return _deleted("Client")


async def list_client_items(call: Call) -> Response:
    client = call.state.find(call.state.clients, call.company_id, call.params["client"], "Client")
    rows = [row for row in call.state.live(call.state.items, call.company_id) if row["client_id"] == client["id"]]
    return call.page(rows, call.state.render_item)


def _files(call: Call) -> tuple[list[Upload], list[str]]:
    """The `attachments[]` parts: uploaded files, and the names of parts that were not files."""
    uploads: list[Upload] = []
    not_files: list[str] = []
    for index, (_, value) in enumerate(call.uploads):
        if isinstance(value, Upload):
            uploads.append(value)
        else:
            not_files.append(f"attachments.{index}")
    return uploads, not_files


async def create_client_item(call: Call) -> Response:
    uploads, not_files = _files(call)
    if not_files:
        raise ValidationFailed({name: [f"The {name} field must be a file."] for name in not_files})
    return JSONResponse(call.state.create_item(call.company_id, call.params["client"], call.input, uploads))


async def show_client_item(call: Call) -> Response:
    item = call.state.client_item(call.company_id, call.params["client"], call.params["item"])
    return JSONResponse(call.state.render_item(item, detail=True))


async def update_client_item(call: Call) -> Response:
    body = call.state.update_item(call.company_id, call.params["client"], call.params["item"], call.input)
    return JSONResponse(body)


async def add_client_item_attachments(call: Call) -> Response:
    uploads, not_files = _files(call)
    result = call.state.add_attachments(
        call.company_id,
        call.params["client"],
        call.params["item"],
        uploads,
        call.input.get("delete_attachments"),
        not_files,
    )
    return JSONResponse(result)


async def list_invoices(call: Call) -> Response:
    v = Validator(call.input)
    created = v.date_format_ymd("created_at")
    updated = v.date_format_ymd("updated_at")
    v.check()

    # Filter semantics are undocumented; SAFE CHOICE (reference 2.7): "on or after" the date.
    def keep(row: Record) -> bool:
        local_created = row["created_at"].astimezone(AMSTERDAM).date()
        local_updated = row["updated_at"].astimezone(AMSTERDAM).date()
        return (created is None or local_created >= created) and (updated is None or local_updated >= updated)

    rows = [row for row in call.state.live_invoices(call.company_id) if keep(row)]
    return call.page(sorted(rows, key=lambda row: row["id"]), call.state.render_invoice)


async def show_invoice(call: Call) -> Response:
    invoice = call.state.find(call.state.invoices, call.company_id, call.params["invoice"], "Invoice")
    return JSONResponse(call.state.render_invoice(invoice, detail=True))


async def list_items(call: Call) -> Response:
    rows = call.state.live(call.state.items, call.company_id)
    return call.page(rows, call.state.render_item)


async def delete_item(call: Call) -> Response:
    call.state.delete_item(call.company_id, call.params["item"])
    return _deleted("Item")


async def list_users(call: Call) -> Response:
    rows = call.state.live(call.state.users, call.company_id)
    return call.page(sorted(rows, key=lambda row: row["id"]), call.state.render_user)


async def company_redirect(call: Call) -> Response:
    # Documented: an authenticated hop into the web app (302 + Symfony's HTML body).
    target = f"{WEB_APP}/company-redirect/{call.params.get('page', '')}"
    return _redirect(target)


# ============================================================================================
# The path table: every route of the simulator, in one place
# ============================================================================================


@dataclass(frozen=True)
class RouteSpec:
    method: str
    template: str
    handler: Callable[[Call], Awaitable[Response]]

    @cached_property
    def pattern(self) -> re.Pattern[str]:
        return re.compile("^" + re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", self.template) + "$")


# Paths marked "guess" are not printed in the vendor's docs (reference 2.1 "unknown"); the
# simulator serves the most plausible Laravel route, and the client keeps its own table.
ROUTES: tuple[RouteSpec, ...] = (
    RouteSpec("GET", "/address", list_addresses),
    RouteSpec("POST", "/address", create_address),
    RouteSpec("GET", "/address/{address}", show_address),
    RouteSpec("PUT", "/address/{address}", update_address),
    RouteSpec("DELETE", "/address/{address}", delete_address),
    RouteSpec("GET", "/appointment/types", list_appointment_types),  # guess
    RouteSpec("GET", "/appointment", list_appointments),
    RouteSpec("POST", "/appointment", create_appointment),
    RouteSpec("GET", "/appointment/{appointment}", show_appointment),
    RouteSpec("DELETE", "/appointment/{appointment}", delete_appointment),
    RouteSpec("GET", "/client", list_clients),
    RouteSpec("POST", "/client", create_client),
    RouteSpec("GET", "/client/{client}", show_client),
    RouteSpec("PUT", "/client/{client}", update_client),
    RouteSpec("DELETE", "/client/{client}", delete_client),
    RouteSpec("GET", "/client/{client}/item", list_client_items),  # guess
    RouteSpec("POST", "/client/{client}/item", create_client_item),  # guess
    RouteSpec("GET", "/client/{client}/item/{item}", show_client_item),  # guess
    RouteSpec("PUT", "/client/{client}/item/{item}", update_client_item),  # guess
    RouteSpec("POST", "/client/{client}/item/{item}/attachments", add_client_item_attachments),  # guess
    RouteSpec("GET", "/company-redirect", company_redirect),
    RouteSpec("GET", "/company-redirect/{page}", company_redirect),
    RouteSpec("GET", "/invoice", list_invoices),
    RouteSpec("GET", "/invoice/{invoice}", show_invoice),
    RouteSpec("GET", "/item", list_items),
    RouteSpec("DELETE", "/item/{item}", delete_item),
    RouteSpec("GET", "/user", list_users),
)


# ============================================================================================
# Laravel's responses for things that go wrong
# ============================================================================================


def wants_json(request: Request) -> bool:
    """Laravel's `expectsJson()`: the preferred Accept type is JSON, or an XHR accepting anything."""
    accept = request.headers.get("accept", "")
    ranked = sorted(
        (part.split(";")[0].strip().lower() for part in accept.split(",") if part.strip()),
        key=lambda media: 0 if "/json" in media or "+json" in media else 1,
    )
    first = ranked[0] if ranked else ""
    if "/json" in first or "+json" in first:
        return True
    xhr = request.headers.get("x-requested-with", "").lower() == "xmlhttprequest"
    return xhr and first in ("", "*/*")


def _redirect(target: str) -> Response:
    escaped = html.escape(target)
    page = (
        '<!DOCTYPE html>\n<html>\n<head>\n<meta charset="UTF-8" />\n'
        f'<meta http-equiv="refresh" content="0;url=\'{escaped}\'" />\n'
        f"<title>Redirecting to {escaped}</title>\n</head>\n"
        f'<body>\nRedirecting to <a href="{escaped}">{escaped}</a>.\n</body>\n</html>'
    )
    response = RedirectResponse(target, status_code=302)
    response.body = page.encode()
    response.headers["content-type"] = "text/html; charset=utf-8"
    response.headers["content-length"] = str(len(response.body))
    response.headers["cache-control"] = "no-cache, private"
    return response


LOGIN_PAGE = """<!DOCTYPE html>
<html lang="nl">
<head><meta charset="utf-8"><title>Inloggen - ServicePlanner</title></head>
<body>
<h1>ServicePlanner</h1>
<form method="POST" action="/login">
<label>E-mailadres <input type="email" name="email"></label>
<label>Wachtwoord <input type="password" name="password"></label>
<button type="submit">Inloggen</button>
</form>
</body>
</html>"""


def _origin(request: Request) -> str:
    return f"{request.url.scheme}://{request.url.netloc}"


def _html_error(status: int, title: str) -> HTMLResponse:
    page = f'<!DOCTYPE html>\n<html lang="en"><head><title>{title}</title></head><body>{status} | {title}</body></html>'
    return HTMLResponse(page, status_code=status)


def _unauthenticated(request: Request) -> Response:
    if wants_json(request):
        return JSONResponse(
            {"message": "Unauthenticated."}, status_code=401, headers={"cache-control": "no-cache, private"}
        )
    return _redirect(f"{_origin(request)}/login")


def _invalid(request: Request, errors: Mapping[str, list[str]]) -> Response:
    if wants_json(request):
        return JSONResponse({"message": validation_message(errors), "errors": dict(errors)}, status_code=422)
    # Laravel sends browsers back where they came from, with the errors in the session.
    return _redirect(request.headers.get("referer") or f"{_origin(request)}/")


def _too_many(request: Request, limit: int, wait: int, state: ServicePlannerSandbox) -> Response:
    reset = int(state.now_utc().timestamp()) + wait
    headers = {
        "retry-after": str(wait),
        "x-ratelimit-limit": str(limit),
        "x-ratelimit-remaining": "0",
        "x-ratelimit-reset": str(reset),
    }
    if wants_json(request):
        return JSONResponse({"message": "Too Many Attempts."}, status_code=429, headers=headers)
    response = _html_error(429, "Too Many Requests")
    response.headers.update(headers)
    return response


def _not_found(request: Request, message: str) -> Response:
    if wants_json(request):
        return JSONResponse({"message": message}, status_code=404)
    return _html_error(404, "Not Found")


# ============================================================================================
# Dispatch
# ============================================================================================


async def _read_body(request: Request) -> tuple[dict[str, Any], list[tuple[str, Any]]]:
    """The body as Laravel sees it: JSON only when declared as JSON, forms when posted as forms."""
    content_type = request.headers.get("content-type", "").lower()
    if "/json" in content_type or "+json" in content_type:
        raw = await request.body()
        try:
            parsed = json.loads(raw) if raw.strip() else {}
        except ValueError:
            parsed = {}
        return (parsed if isinstance(parsed, dict) else {}), []
    if content_type.startswith(("multipart/form-data", "application/x-www-form-urlencoded")):
        form = await request.form()
        fields: list[tuple[str, Any]] = []
        uploads: list[tuple[str, Any]] = []
        for key, value in form.multi_items():
            if re.fullmatch(r"attachments(\[\d*\])?", key):
                if isinstance(value, UploadFile):
                    content = await value.read()
                    uploads.append((key, Upload(value.filename or "bestand", value.content_type or "", content)))
                else:
                    uploads.append((key, value))
            elif not isinstance(value, UploadFile):
                fields.append((key, value))
        return php_nest(fields), uploads
    return {}, []


def _bearer(request: Request) -> str | None:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


async def dispatch(request: Request) -> Response:
    state: ServicePlannerSandbox = request.app.state.sandbox
    path = request.url.path.rstrip("/") or "/"

    override = state.html_override(path)
    if override == "redirect":
        return _redirect(f"{_origin(request)}/login")
    if override == "page" or path == "/login":
        return HTMLResponse(LOGIN_PAGE)

    matches = [(route, route.pattern.match(path)) for route in ROUTES]
    on_path = [(route, match) for route, match in matches if match]
    chosen = next(((route, match) for route, match in on_path if route.method == request.method), None)
    if chosen is None:
        if not on_path:
            return _not_found(request, f"The route {path.lstrip('/')} could not be found.")
        allowed = ", ".join(dict.fromkeys(route.method for route, _ in on_path))
        message = (
            f"The {request.method} method is not supported for route {path.lstrip('/')}. Supported methods: {allowed}."
        )
        if wants_json(request):
            return JSONResponse({"message": message}, status_code=405)
        return _html_error(405, "Method Not Allowed")

    route, match = chosen
    token = _bearer(request)
    limited = state.throttle(token or (request.client.host if request.client else ""))
    if limited is not None:
        limit, remaining, wait = limited
        if remaining < 0:
            return _too_many(request, limit, wait, state)
    company_id = state.company_for(token)  # S1: every route needs a known token
    if company_id is None:
        return _unauthenticated(request)
    body, uploads = await _read_body(request)
    call = Call(request, state, company_id, match.groupdict(), body, uploads)
    try:
        return await route.handler(call)
    except ValidationFailed as error:
        return _invalid(request, error.errors)
    except NotFound as error:
        return _not_found(request, str(error))


_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"]


def create_app(*, now: Callable[[], datetime] | None = None) -> Starlette:
    """A fresh simulator: new demo data anchored on `now()` (default: the real clock)."""
    clock = now or (lambda: datetime.now(AMSTERDAM))
    app = Starlette(routes=[Route("/{path:path}", dispatch, methods=_METHODS)])
    app.state.sandbox = ServicePlannerSandbox(clock)
    return app


__all__ = ["ROUTES", "SANDBOX_BASE_URL", "SANDBOX_ENV", "create_app"]
