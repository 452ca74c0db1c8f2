"""The OnlineAfspraken XML response envelope: safe parsing (client) and rendering (sandbox).

Parsing goes through defusedxml only, with DTDs forbidden outright: the vendor never sends one,
so a DTD is either a mistake or an attack (entity expansion, external entities).

Parsed elements become plain Python values: a leaf is its text ("" when empty), an element with
children is a dict, and a tag that repeats among siblings becomes a list. A tag that *may* repeat
but occurs once therefore comes back as a single dict; ``as_list`` and ``Envelope.items`` turn it
into a one-item list (reference 1.6).
"""

from __future__ import annotations

import importlib
import xml.etree.ElementTree as ET  # building only; never used to parse
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol, cast


class _SafeParser(Protocol):
    """The part of `defusedxml.ElementTree` used here. defusedxml ships no type information (its
    stubs are a separate package, types-defusedxml, which is not a dependency), so it is named here
    and the module is loaded as this."""

    def fromstring(
        self, text: bytes | str, *, forbid_dtd: bool, forbid_entities: bool, forbid_external: bool
    ) -> ET.Element: ...


_defused = cast(_SafeParser, importlib.import_module("defusedxml.ElementTree"))
_DefusedXmlException = cast(type[ValueError], importlib.import_module("defusedxml").DefusedXmlException)

Value = str | dict[str, "Value"] | list["Value"]

XML_PROLOG = b'<?xml version="1.0" encoding="UTF-8"?>\n'

# Bodies larger than this are refused before parsing; real answers are far smaller.
MAX_BODY_BYTES = 5_000_000


class XmlEnvelopeError(ValueError):
    """The body is not a well-formed, safe OnlineAfspraken response."""


def element_to_value(element: ET.Element) -> Value:
    children = list(element)
    if not children:
        return (element.text or "").strip()
    out: dict[str, Value] = {}
    repeated: dict[str, list[Value]] = {}
    for child in children:
        value = element_to_value(child)
        if child.tag in repeated:
            repeated[child.tag].append(value)
        elif child.tag in out:
            repeated[child.tag] = [out[child.tag], value]
        else:
            out[child.tag] = value
    out.update(repeated)
    return out


def as_list(value: Value | None) -> list[Value]:
    """Force a possibly-repeated element into a list: None/"" -> [], one item -> [item]."""
    if value is None or value == "":
        return []
    if isinstance(value, list):
        return value
    return [value]


@dataclass(frozen=True)
class Envelope:
    """One parsed response: the Status block plus the raw payload."""

    status: str
    message: str
    timestamp: int | None
    date: str | None
    api_version: str | None
    code: str | None
    stats: dict[str, int] = field(default_factory=dict)
    payload: dict[str, Value] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.status == "success"

    @property
    def objects(self) -> dict[str, Value]:
        objects = self.payload.get("Objects")
        return objects if isinstance(objects, dict) else {}

    def items(self, tag: str) -> list[dict[str, Value]]:
        """Every ``Objects/<tag>`` element as a list of dicts (empty when ``Objects`` is absent)."""
        return [item for item in as_list(self.objects.get(tag)) if isinstance(item, dict)]

    def one(self, tag: str) -> dict[str, Value] | None:
        """A single object, found at the root (getAgenda, getCustomer, ...) or under ``Objects``."""
        for candidate in (self.payload.get(tag), self.objects.get(tag)):
            found = as_list(candidate)
            if found and isinstance(found[0], dict):
                return found[0]
        return None

    def find_text(self, tag: str) -> str | None:
        """The text of the first element named ``tag`` anywhere in the payload."""
        return _find_text(self.payload, tag)


def _find_text(value: Value, tag: str) -> str | None:
    if isinstance(value, list):
        for item in value:
            found = _find_text(item, tag)
            if found is not None:
                return found
        return None
    if isinstance(value, dict):
        for key, child in value.items():
            if key == tag and isinstance(child, str):
                return child
            found = _find_text(child, tag)
            if found is not None:
                return found
    return None


def parse_envelope(body: bytes | str) -> Envelope:
    """Parse a response body safely; raise XmlEnvelopeError on anything unexpected or unsafe."""
    if len(body) > MAX_BODY_BYTES:
        raise XmlEnvelopeError("response body is too large")
    try:
        root = _defused.fromstring(body, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except _DefusedXmlException as exc:
        raise XmlEnvelopeError(f"unsafe XML refused ({type(exc).__name__})") from exc
    except ET.ParseError as exc:
        raise XmlEnvelopeError(f"malformed XML: {exc}") from exc
    if root.tag != "Response":
        raise XmlEnvelopeError(f"unexpected root element <{root.tag}>")
    status_el = root.find("Status")
    if status_el is None:
        raise XmlEnvelopeError("response has no <Status> block")
    status_block = element_to_value(status_el)
    if not isinstance(status_block, dict):
        raise XmlEnvelopeError("<Status> block has no children")
    whole = element_to_value(root)
    payload = {k: v for k, v in whole.items() if k != "Status"} if isinstance(whole, dict) else {}
    return Envelope(
        status=_text(status_block, "Status").lower(),
        message=_text(status_block, "Message"),
        timestamp=_int_or_none(_text(status_block, "Timestamp")),
        date=_text(status_block, "Date") or None,
        api_version=_text(status_block, "APIVersion") or None,
        code=_text(status_block, "Code") or None,
        stats=_stats(status_block.get("Stats")),
        payload=payload,
    )


def _text(block: Mapping[str, Value], key: str) -> str:
    value = block.get(key)
    return value if isinstance(value, str) else ""


def _int_or_none(text: str) -> int | None:
    try:
        return int(text)
    except ValueError:
        return None


def _stats(value: Value | None) -> dict[str, int]:
    if not isinstance(value, dict):
        return {}
    return {k: n for k, v in value.items() if isinstance(v, str) and (n := _int_or_none(v)) is not None}


# ---------------------------------------------------------------------------------------------
# Rendering (sandbox side). Values: str/int are text, None is an empty element, a dict nests,
# a list repeats the tag once per item.

Renderable = str | int | None | Mapping[str, "Renderable"] | list["Renderable"]


def _append(parent: ET.Element, tag: str, value: Renderable) -> None:
    if isinstance(value, list):
        for item in value:
            _append(parent, tag, item)
        return
    child = ET.SubElement(parent, tag)
    if isinstance(value, Mapping):
        for key, sub in value.items():
            _append(child, key, sub)
    elif value is not None:
        child.text = str(value)


def render_envelope(
    *,
    server_time: datetime,
    status: str = "success",
    message: str = "",
    stats: Mapping[str, int] | None = None,
    objects: Iterable[tuple[str, Renderable]] | None = None,
    root_objects: Iterable[tuple[str, Renderable]] = (),
) -> bytes:
    """Serialise a response. ``objects`` go under <Objects> (omitted when None or empty, as the
    live service does for empty lists); ``root_objects`` go directly under <Response>."""
    root = ET.Element("Response")
    status_el = ET.SubElement(root, "Status")
    _append(status_el, "APIVersion", "1.0")
    _append(status_el, "Date", server_time.strftime("%Y-%m-%d %H:%M:%S"))
    _append(status_el, "Timestamp", int(server_time.timestamp()))
    _append(status_el, "Message", message)
    _append(status_el, "Status", status)
    if stats is not None:
        _append(status_el, "Stats", dict(stats))
    object_list = list(objects or [])
    if object_list:
        objects_el = ET.SubElement(root, "Objects")
        for tag, value in object_list:
            _append(objects_el, tag, value)
    for tag, value in root_objects:
        _append(root, tag, value)
    # The live prolog, byte for byte; empty elements as <Name></Name> like the live service.
    return XML_PROLOG + ET.tostring(root, encoding="unicode", short_empty_elements=False).encode("utf-8")
