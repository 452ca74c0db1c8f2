"""Safe XML parsing and list normalisation of OnlineAfspraken response envelopes."""

from __future__ import annotations

from datetime import datetime

import pytest

from agenda_mcp.tools.onlineafspraken.sandbox.data import TZ
from agenda_mcp.tools.onlineafspraken.xmlenvelope import (
    XmlEnvelopeError,
    as_list,
    parse_envelope,
    render_envelope,
)

STATUS_OK = (
    "<Status><APIVersion>1.0</APIVersion><Date>2021-07-15 20:38:16</Date>"
    "<Timestamp>1626374296</Timestamp><Message></Message><Status>success</Status></Status>"
)


def body(payload: str, status: str = STATUS_OK) -> bytes:
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<Response>{status}{payload}</Response>'.encode()


AGENDA = "<Agenda><Id>{}</Id><Name>Kapsalon</Name><AlignGrid>15</AlignGrid></Agenda>"


@pytest.mark.parametrize(
    ("payload", "ids"),
    [
        ("", []),
        ("<Objects></Objects>", []),
        (f"<Objects>{AGENDA.format(270)}</Objects>", ["270"]),
        (f"<Objects>{AGENDA.format(270)}{AGENDA.format(271)}{AGENDA.format(272)}</Objects>", ["270", "271", "272"]),
    ],
    ids=["objects-absent", "objects-empty", "single", "three"],
)
def test_list_methods_always_give_a_list(payload: str, ids: list[str]) -> None:
    envelope = parse_envelope(body(payload))
    assert envelope.ok
    items = envelope.items("Agenda")
    assert isinstance(items, list)
    assert [item["Id"] for item in items] == ids


def test_status_block_is_parsed() -> None:
    envelope = parse_envelope(body(""))
    assert (envelope.status, envelope.timestamp, envelope.date, envelope.api_version) == (
        "success",
        1626374296,
        "2021-07-15 20:38:16",
        "1.0",
    )
    assert envelope.message == ""


def test_failed_status_carries_the_vendor_message() -> None:
    status = (
        "<Status><APIVersion>1.0</APIVersion><Timestamp>1714550400</Timestamp>"
        "<Message>Geen vrij tijdslot voor afspraak.</Message><Status>failed</Status></Status>"
    )
    envelope = parse_envelope(body("", status))
    assert not envelope.ok
    assert envelope.message == "Geen vrij tijdslot voor afspraak."
    assert envelope.timestamp == 1714550400


def test_single_object_at_root_and_under_objects() -> None:
    root = parse_envelope(body(AGENDA.format(270)))
    assert root.one("Agenda") == {"Id": "270", "Name": "Kapsalon", "AlignGrid": "15"}
    nested = parse_envelope(body("<Objects><AppointmentType><Id>1812</Id></AppointmentType></Objects>"))
    assert nested.one("AppointmentType") == {"Id": "1812"}
    assert nested.one("Agenda") is None


def test_repeated_nested_elements_and_empty_leaves() -> None:
    appointment = (
        "<Appointment><Id>1</Id><Description></Description>"
        "<Resources><ResourceId>5</ResourceId></Resources>"
        "<Resources><ResourceId>6</ResourceId></Resources></Appointment>"
    )
    one = parse_envelope(body(appointment)).one("Appointment")
    assert one is not None
    assert one["Description"] == ""
    assert [r["ResourceId"] for r in as_list(one["Resources"])] == ["5", "6"]  # type: ignore[index]
    single = parse_envelope(body("<Appointment><Resources><ResourceId>5</ResourceId></Resources></Appointment>"))
    resources = single.one("Appointment")["Resources"]  # type: ignore[index]
    assert as_list(resources) == [{"ResourceId": "5"}]
    assert as_list("") == []
    assert as_list(None) == []


def test_stats_and_find_text() -> None:
    status = STATUS_OK.replace(
        "</Status></Status>",
        "</Status><Stats><Limit>500</Limit><Offset>0</Offset><Records>1</Records>"
        "<TotalRecords>1</TotalRecords></Stats></Status>",
    )
    envelope = parse_envelope(body("<Objects><Appointment><Confirmed>1</Confirmed></Appointment></Objects>", status))
    assert envelope.stats == {"Limit": 500, "Offset": 0, "Records": 1, "TotalRecords": 1}
    assert envelope.find_text("Confirmed") == "1"
    assert envelope.find_text("Required") is None


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<Response><Status><Status>success</Status><Message>&lol3;</Message></Status></Response>"""

EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<Response><Status><Status>success</Status><Message>&xxe;</Message></Status></Response>"""

BARE_DTD = b"""<?xml version="1.0"?>
<!DOCTYPE Response>
<Response><Status><Status>success</Status></Status></Response>"""


@pytest.mark.parametrize("attack", [BILLION_LAUGHS, EXTERNAL_ENTITY, BARE_DTD], ids=["expansion", "xxe", "dtd"])
def test_unsafe_xml_is_refused(attack: bytes) -> None:
    with pytest.raises(XmlEnvelopeError, match="unsafe XML"):
        parse_envelope(attack)


@pytest.mark.parametrize(
    "bad",
    [b"", b"<Response>", b"<html><body>502 Bad Gateway</body></html>", b"<Response><Objects/></Response>"],
    ids=["empty", "truncated", "html", "no-status"],
)
def test_malformed_or_foreign_bodies_are_refused(bad: bytes) -> None:
    with pytest.raises(XmlEnvelopeError):
        parse_envelope(bad)


def test_render_then_parse_round_trip() -> None:
    moment = datetime(2026, 7, 1, 14, 30, tzinfo=TZ)
    xml = render_envelope(
        server_time=moment,
        stats={"Limit": 500, "Offset": 0, "Records": 1, "TotalRecords": 1},
        objects=[("Appointment", {"Id": 7, "Name": "Jan", "Description": None, "Resources": [{"ResourceId": 5}]})],
        root_objects=[("Customer", {"Id": 9})],
    )
    assert xml.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
    assert b"<Description></Description>" in xml
    envelope = parse_envelope(xml)
    assert envelope.timestamp == int(moment.timestamp())
    assert envelope.date == "2026-07-01 14:30:00"  # Europe/Amsterdam wall clock (UTC+2 in summer)
    assert envelope.items("Appointment") == [
        {"Id": "7", "Name": "Jan", "Description": "", "Resources": {"ResourceId": "5"}}
    ]
    assert envelope.one("Customer") == {"Id": "9"}


def test_empty_object_list_omits_objects_element() -> None:
    xml = render_envelope(server_time=datetime(2026, 1, 1, tzinfo=TZ), objects=[])
    assert b"<Objects" not in xml
    assert parse_envelope(xml).items("Agenda") == []
