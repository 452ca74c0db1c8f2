"""The vendors' documented answers as test fixtures, and a loopback vendor that serves them.

Every example response in `../shared/vendors/*-docs.txt` is one JSON file under
`tests/documented/<vendor>/`:

```json
{
  "doc": "planaday-docs.txt, Get Course: response 200",
  "repaired": "only when the docs' JSON was broken: what was changed, minimally",
  "tool": "get_planaday_course",
  "arguments": {"course_id": 8},
  "answers": [
    {"when": {"method": "GET", "path": "/v1/course/8"}, "status": 200, "json": {"id": 8}}
  ],
  "expect": {"id": 8, "dayparts.0.id": 1},
  "error": ["substring the tool error must contain"]
}
```

`answers` are served in order to the requests that match their `when` (method, path, and for
OnlineAfspraken.nl the `query` parameters such as `method`); a body is `json` or `text` (with
`content_type`, e.g. `text/xml`). `expect` maps dotted paths in the structured result to the
values they must have (`dayparts.0.id`); `error` makes the case a documented failure, which must
come back as a tool error containing each string. `calls` (optional) lists further tool calls
made first, for answers a tool reads only after another call (rarely needed).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

from starlette.types import Receive, Scope, Send

from tests.support.loopback import serve_in_thread

HERE = Path(__file__).parents[1] / "documented"
"""The answers as the vendors document them: one folder per vendor, one JSON file per case."""

# Credentials the loopback vendor never checks; long enough to be masked like real ones.
VENDOR_ENV: dict[str, dict[str, str]] = {
    "planaday": {"PLANADAY_API_KEY": "documented-planaday-key", "PLANADAY_BASE_URL": "{url}/v1"},
    "onlineafspraken": {
        "ONLINEAFSPRAKEN_API_KEY": "documented-oa-key",
        "ONLINEAFSPRAKEN_API_SECRET": "documented-oa-secret",
        "ONLINEAFSPRAKEN_BASE_URL": "{url}/APIREST",
    },
    "locaboo": {"LOCABOO_API_KEY": "documented-locaboo-key", "LOCABOO_BASE_URL": "{url}/api/v2"},
    "serviceplanner": {
        "SERVICEPLANNER_API_TOKEN": "documented-sp-token",
        "SERVICEPLANNER_BASE_URL": "{url}",
        # The paths the docs do not print are refused until an operator confirms them; here the
        # documented answers are served at the client's defaults, so they are confirmed as those.
        "SERVICEPLANNER_PATHS": "appointment_types=appointment/types,client_items=client/{{client_id}}/item,"
        "client_item=client/{{client_id}}/item/{{item_id}},"
        "client_item_attachments=client/{{client_id}}/item/{{item_id}}/attachments",
    },
}


@dataclass(frozen=True)
class Case:
    vendor: str
    name: str
    spec: dict[str, Any]

    @property
    def id(self) -> str:
        return f"{self.vendor}/{self.name}"


def cases(vendor: str | None = None) -> list[Case]:
    found = []
    for path in sorted(HERE.glob("*/*.json")):
        if vendor is None or path.parent.name == vendor:
            found.append(Case(path.parent.name, path.stem, json.loads(path.read_text(encoding="utf-8"))))
    return found


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, str]
    body: bytes


@dataclass
class ScriptedVendor:
    """An ASGI app answering each request with the first scripted answer that matches it."""

    answers: list[dict[str, Any]] = field(default_factory=list)
    requests: list[Request] = field(default_factory=list)
    unmatched: list[Request] = field(default_factory=list)

    def script(self, answers: list[dict[str, Any]]) -> None:
        self.answers = [dict(answer) for answer in answers]
        self.requests.clear()
        self.unmatched.clear()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        query = dict(parse_qsl(scope["query_string"].decode("latin-1"), keep_blank_values=True))
        if scope["method"] == "POST" and b"=" in body and b"{" not in body[:1]:
            query = {**query, **dict(parse_qsl(body.decode("latin-1"), keep_blank_values=True))}
        request = Request(scope["method"], scope["path"], query, body)
        self.requests.append(request)
        answer = next((a for a in self.answers if _matches(a.get("when", {}), request)), None)
        if answer is None:
            self.unmatched.append(request)
            status, content_type, payload = 599, "text/plain", b"no documented answer scripted for this request"
        else:
            if not answer.get("repeat"):
                self.answers.remove(answer)
            status = int(answer.get("status", 200))
            if "json" in answer:
                content_type, payload = "application/json", json.dumps(answer["json"]).encode()
            else:
                content_type, payload = answer.get("content_type", "text/plain"), str(answer.get("text", "")).encode()
        await send(
            {"type": "http.response.start", "status": status, "headers": [(b"content-type", content_type.encode())]}
        )
        await send({"type": "http.response.body", "body": payload})


def _matches(when: dict[str, Any], request: Request) -> bool:
    if "method" in when and when["method"].upper() != request.method:
        return False
    if "path" in when and when["path"] != request.path:
        return False
    return all(request.query.get(key) == str(value) for key, value in when.get("query", {}).items())


@contextmanager
def loopback_vendor() -> Iterator[tuple[str, ScriptedVendor]]:
    """A ScriptedVendor served by uvicorn on 127.0.0.1 in a thread, for a whole test session."""
    vendor = ScriptedVendor()
    with serve_in_thread(vendor) as url:
        yield url, vendor


def at(value: Any, path: str) -> Any:
    """`at(result, "dayparts.0.id")`; KeyError naming the path when it is not there."""
    current = value
    for part in path.split("."):
        if isinstance(current, list) and part.lstrip("-").isdigit():
            current = current[int(part)]
        elif isinstance(current, dict) and part in current:
            current = current[part]
        else:
            raise KeyError(path)
    return current
