"""The signing module against the worked example in the vendor reference (section 1.3).

Client and sandbox both use these functions, so pinning them here pins both to the reference.
"""

from __future__ import annotations

import hashlib
from urllib.parse import urlencode

import pytest

from agenda_mcp.tools.onlineafspraken.signing import (
    compute_signature,
    salt_in_window,
    signature_base,
    signature_matches,
    signed_query,
    wire_params,
)

SECRET = "demo-secret"
SALT = 1700000000

# (method, params, string that is hashed, SHA-1) — the three test vectors of reference 1.3.
VECTORS = [
    ("getAgendas", {}, "methodgetAgendasdemo-secret1700000000", "9e7866f0b70d6d9f6de3a652181f546c89fd42e2"),
    (
        "getBookableTimes",
        {"AgendaId": 12, "AppointmentTypeId": 34, "Date": "2024-05-01", "ResourceId": 56},
        "AgendaId12AppointmentTypeId34Date2024-05-01ResourceId56methodgetBookableTimesdemo-secret1700000000",
        "8e98ffec926a2ba7e9a05b330c94709909d929d8",
    ),
    (
        "setCustomer",
        {"Email": "jan@example.nl", "FirstName": "Jan", "LastName": "de Vries", "Insertions": None},
        "Emailjan@example.nlFirstNameJanLastNamedeVriesmethodsetCustomerdemo-secret1700000000",
        "b7ec90e51fc6499d1c1e746b51bbe6c903cf5ca3",
    ),
]


@pytest.mark.parametrize(("method", "params", "base", "sha1"), VECTORS, ids=[v[0] for v in VECTORS])
def test_reference_vectors(method: str, params: dict, base: str, sha1: str) -> None:
    wire = wire_params(method, params)
    assert signature_base(wire, SECRET, SALT) == base
    assert compute_signature(wire, SECRET, SALT) == sha1
    assert compute_signature(wire, SECRET, SALT, "sha1") == hashlib.sha1(base.encode()).hexdigest()


def test_sha256_variant_matches_reference() -> None:
    wire = wire_params("getBookableTimes", VECTORS[1][1])
    assert (
        compute_signature(wire, SECRET, SALT, "sha256")
        == "1b605cd4980868f4b3eb71b6dce922641e9c1068752c1fb54e028c1647cdf78c"
    )


def test_signed_query_reproduces_reference_request_url() -> None:
    query = signed_query("getBookableTimes", VECTORS[1][1], api_key="demo-key", secret=SECRET, salt=SALT)
    expected = (
        "method=getBookableTimes&AgendaId=12&AppointmentTypeId=34&Date=2024-05-01&ResourceId=56"
        "&api_key=demo-key&api_salt=1700000000&api_signature=8e98ffec926a2ba7e9a05b330c94709909d929d8"
    )
    assert urlencode(query) == expected


def test_unset_parameters_are_neither_signed_nor_sent() -> None:
    query = signed_query("setCustomer", VECTORS[2][1], api_key="k", secret=SECRET, salt=SALT)
    assert "Insertions" not in query
    assert query["api_signature"] == VECTORS[2][3]
    assert query["LastName"] == "de Vries"  # spaces are removed for signing only, not on the wire


def test_sort_is_byte_order_not_case_insensitive() -> None:
    # Upper case sorts before lower case: "Zeta" < "alpha" < "method".
    wire = {"alpha": "1", "Zeta": "2", "method": "m"}
    assert signature_base(wire, "s", 1) == "Zeta2alpha1methodms1"


def test_booleans_and_ints_are_signed_as_sent() -> None:
    wire = wire_params("cancelAppointment", {"Id": 7, "DryRun": True, "Confirmations": 0})
    assert wire == {"method": "cancelAppointment", "Id": "7", "DryRun": "1", "Confirmations": "0"}


@pytest.mark.parametrize("reserved", ["api_key", "api_salt", "api_signature", "method"])
def test_reserved_parameter_names_are_refused(reserved: str) -> None:
    with pytest.raises(ValueError):
        wire_params("getAgendas", {reserved: "x"})


def test_unknown_hash_is_refused() -> None:
    with pytest.raises(ValueError):
        compute_signature({"method": "getAgendas"}, SECRET, SALT, "md5")  # type: ignore[arg-type]


def test_signature_matches_accepts_upper_case_and_rejects_tampering() -> None:
    query = signed_query("getBookableTimes", VECTORS[1][1], api_key="demo-key", secret=SECRET, salt=SALT)
    assert signature_matches(query, SECRET)
    assert signature_matches(query | {"api_signature": query["api_signature"].upper()}, SECRET)
    assert not signature_matches(query | {"ResourceId": "57"}, SECRET)
    assert not signature_matches(query | {"Extra": "1"}, SECRET)  # unknown params count too
    assert not signature_matches(query, "other-secret")
    assert not signature_matches(query, SECRET, "sha256")


@pytest.mark.parametrize(
    ("salt", "ok"),
    [(1000, True), (700, True), (699, False), (1001, False), (1000 * 1000, False)],
    ids=["now", "oldest", "too-old", "future", "milliseconds"],
)
def test_salt_window(salt: int, ok: bool) -> None:
    assert salt_in_window(salt, server_time=1000) is ok
