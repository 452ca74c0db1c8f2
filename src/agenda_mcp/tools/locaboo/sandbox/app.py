"""The Locaboo simulator's HTTP side: the ASGI routes and `create_app`.

It serves the vendor's full paths under ``/api/v2`` with the vendor's envelope, its mixed date
formats and its PHP habits (``[]`` for empty objects, escaped slashes, ids as strings in some
places). Error bodies follow the reference's local convention (§1.5): 401 for a missing or wrong
``api_secret_key``, 400 for validation, 404 for unknown ids, 409 for a double booking, each as
``{"success": false, "message": ...}``.

Rules live in ``state.py`` (``LocabooSandbox``), reads in ``reads.py`` and ``availability.py``, demo
data in ``data.py``; this module is HTTP glue.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from datetime import datetime
from functools import partial
from typing import Any

from starlette.applications import Starlette
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from agenda_mcp.tools.locaboo import phpform
from agenda_mcp.tools.locaboo.sandbox import data as sandbox_data
from agenda_mcp.tools.locaboo.sandbox import reads as reads
from agenda_mcp.tools.locaboo.sandbox.availability import availability
from agenda_mcp.tools.locaboo.sandbox.model import BERLIN, Params, SandboxError
from agenda_mcp.tools.locaboo.sandbox.state import LocabooSandbox

SANDBOX_BASE_URL = "http://locaboo.sandbox/api/v2"
SANDBOX_ENV: dict[str, str] = {"LOCABOO_API_KEY": "sandbox-locaboo-key"}
PREFIX = "/api/v2"
KEY_PARAM = "api_secret_key"

Handler = Callable[..., dict[str, Any]]


class PhpJSONResponse(Response):
    """JSON as PHP's json_encode writes it: non-ASCII as \\u escapes and ``/`` as ``\\/``."""

    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return json.dumps(content, ensure_ascii=True, separators=(",", ":")).replace("/", "\\/").encode("ascii")


def _failure(status: int, message: str) -> Response:
    return PhpJSONResponse({"success": False, "message": message}, status_code=status)


async def _body_params(request: Request) -> dict[str, Any]:
    """POST fields: form-encoded PHP bracket notation, multipart, or a JSON object.

    The vendor does not say which content type it takes (reference §1.2); SAFE CHOICE for the
    simulator: accept all of them. Anything else reads as no fields, as PHP's ``$_POST`` would.
    """
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type == "application/json":
        try:
            body = json.loads(await request.body() or b"{}")
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise SandboxError(400, "Request body is not valid JSON") from exc
        if not isinstance(body, dict):
            raise SandboxError(400, "Request body must be a JSON object")
        return body
    if content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        form = await request.form()
        return phpform.parse((k, v) for k, v in form.multi_items() if not isinstance(v, UploadFile))
    return {}


def _endpoint(
    handler: Handler, *, body: bool = False, path_id: str | None = None
) -> Callable[[Request], Awaitable[Response]]:
    async def endpoint(request: Request) -> Response:
        try:
            query = phpform.parse(request.query_params.multi_items())
            fields = await _body_params(request) if body else query
            # L1: the key may travel as a query or a POST parameter.
            key = fields.get(KEY_PARAM) if body and fields.get(KEY_PARAM) else query.get(KEY_PARAM)
            if not key:
                raise SandboxError(401, "Missing api_secret_key")
            if key != SANDBOX_ENV["LOCABOO_API_KEY"]:
                raise SandboxError(401, "Invalid api_secret_key")
            params = Params({k: v for k, v in fields.items() if k != KEY_PARAM})
            if path_id is None:
                payload = handler(params)
            else:
                raw_id = request.path_params[path_id]
                if not raw_id.isdigit():
                    raise SandboxError(404, "Not found")
                payload = handler(params, int(raw_id))
        except SandboxError as error:
            return _failure(error.status, error.message)
        return PhpJSONResponse(payload)

    return endpoint


def _routes(state: LocabooSandbox) -> list[Route]:
    get = ["GET"]
    post = ["POST"]
    table: list[tuple[str, Handler, list[str], str | None]] = [
        ("/resource_list", partial(reads.resource_list, state), get, None),
        ("/resource/{resource_id}", partial(reads.resource_details, state), get, "resource_id"),
        ("/booking_list", partial(reads.booking_list, state), get, None),
        ("/booking/{booking_id}", partial(reads.booking_details, state), get, "booking_id"),
        ("/availability", partial(availability, state), get, None),
        ("/profile", partial(reads.profile_details, state), get, None),
        ("/customer_list", partial(reads.customer_list, state), get, None),
        ("/inventory_list", partial(reads.inventory_list, state), get, None),
        ("/service_list", partial(reads.service_list, state), get, None),
        ("/invoice_list", partial(reads.invoice_list, state), get, None),
        # A GET that changes data, as documented (reference §2.11).
        ("/booking_save", state.booking_save, get, None),
        ("/event_list", partial(reads.event_list, state), get, None),
        ("/event_details/{event_id}", partial(reads.event_details, state), get, "event_id"),
        ("/booking_add", state.booking_add, post, None),
        ("/customer_add", state.customer_add, post, None),
        ("/customer_edit", state.customer_edit, post, None),
        ("/customer_address_add", state.customer_address_add, post, None),
    ]
    return [
        Route(
            PREFIX + path,
            _endpoint(handler, body=methods == post, path_id=path_id),
            methods=methods,
        )
        for path, handler, methods, path_id in table
    ]


async def _http_error(_request: Request, exc: Exception) -> Response:
    status = exc.status_code if isinstance(exc, HTTPException) else 500
    return _failure(status, {404: "Not found", 405: "Method not allowed"}.get(status, "Server error"))


def create_app(*, now: Callable[[], datetime] | None = None) -> Starlette:
    """A fresh simulator (its own state) whose demo data is anchored on ``now()``."""

    def clock() -> datetime:
        current = now() if now is not None else datetime.now(BERLIN)
        return current.astimezone(BERLIN) if current.tzinfo else current.replace(tzinfo=BERLIN)

    state = LocabooSandbox(sandbox_data.build(clock()), clock)
    app = Starlette(routes=_routes(state), exception_handlers={HTTPException: _http_error})
    app.state.sandbox = state
    return app
