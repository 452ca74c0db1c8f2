"""OnlineAfspraken.nl request signing, shared by the client and the sandbox.

Both sides import these pure functions so they cannot drift apart; the tests pin them to the
worked example in the vendor reference (section 1.3), so both are tied to the reference too.

Algorithm (reference 1.3): take every sent parameter except the auth/format ones, sort by key in
byte order, concatenate ``key + value`` with spaces removed from each value, append the secret
and the salt, hash, hex digest (lowercase).
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from typing import Literal, get_args

SignatureHash = Literal["sha1", "sha256"]
SIGNATURE_HASHES: tuple[str, ...] = get_args(SignatureHash)

# SAFE CHOICE (reference §4 "Hash function"): SHA-1 is what three independent public clients use;
# one uses SHA-256 with the same string, so the hash stays a setting.
DEFAULT_SIGNATURE_HASH: SignatureHash = "sha1"

# A signed URL is valid for five minutes: salt must lie in [server time - 300, server time].
SALT_WINDOW_SECONDS = 300

# Never part of the signed string. The last three are format switches one client excludes; we
# never send them, but excluding them keeps the sandbox compatible with clients that do.
EXCLUDED_PARAMS = frozenset({"api_key", "api_salt", "api_signature", "api_format", "api_lang", "api_jsonp_callback"})

ParamValue = str | int | bool | None


def format_value(value: str | int | bool) -> str:
    """The wire (and signed) text of one parameter value: ints as decimals, booleans as 1/0."""
    if isinstance(value, bool):
        return "1" if value else "0"
    return str(value)


def wire_params(method: str, params: Mapping[str, ParamValue]) -> dict[str, str]:
    """Method plus the set parameters as strings. Unset (None) parameters are neither signed nor sent."""
    out = {"method": method}
    for key, value in params.items():
        if key in EXCLUDED_PARAMS or key == "method":
            raise ValueError(f"parameter name {key!r} is reserved")
        if value is not None:
            out[key] = format_value(value)
    return out


def signature_base(params: Mapping[str, str], secret: str, salt: int | str) -> str:
    """The exact string that is hashed (reference 1.3 steps 1-6)."""
    # Byte order, not locale order: sorted() on str compares code points, which for the ASCII
    # parameter names is byte order (upper case before lower case, so `method` usually sorts last).
    # SAFE CHOICE (reference §4 "Whitespace"): only the space character is removed, from values only.
    body = "".join(key + params[key].replace(" ", "") for key in sorted(params) if key not in EXCLUDED_PARAMS)
    return f"{body}{secret}{salt}"


def compute_signature(
    params: Mapping[str, str],
    secret: str,
    salt: int | str,
    hash_name: SignatureHash = DEFAULT_SIGNATURE_HASH,
) -> str:
    """Lowercase hex digest of the signature base. ``params`` must include ``method``."""
    if hash_name not in SIGNATURE_HASHES:
        raise ValueError(f"unsupported signature hash {hash_name!r}; use one of {SIGNATURE_HASHES}")
    digest = hashlib.new(hash_name, signature_base(params, secret, salt).encode("utf-8"))
    return digest.hexdigest()


def signed_query(
    method: str,
    params: Mapping[str, ParamValue],
    *,
    api_key: str,
    secret: str,
    salt: int,
    hash_name: SignatureHash = DEFAULT_SIGNATURE_HASH,
) -> dict[str, str]:
    """Every query parameter of a request, in wire order: method, params (sorted), key, salt, signature."""
    wire = wire_params(method, params)
    ordered = {"method": method} | {k: wire[k] for k in sorted(wire) if k != "method"}
    signature = compute_signature(wire, secret, salt, hash_name)
    return ordered | {"api_key": api_key, "api_salt": str(salt), "api_signature": signature}


def signature_matches(
    received: Mapping[str, str],
    secret: str,
    hash_name: SignatureHash = DEFAULT_SIGNATURE_HASH,
) -> bool:
    """Whether a received query (including api_salt and api_signature) carries a valid signature.

    Signs exactly what was received, unknown parameters included. Hex case is ignored because
    one public client sends upper case and is accepted by the real service (reference §4).
    """
    given = received.get("api_signature", "")
    salt = received.get("api_salt", "")
    expected = compute_signature(received, secret, salt, hash_name)
    return hmac.compare_digest(given.lower().encode(), expected.encode())


def salt_in_window(salt: int, server_time: int, window: int = SALT_WINDOW_SECONDS) -> bool:
    """Reference 1.2: salt <= server time and salt >= server time - window (seconds)."""
    return server_time - window <= salt <= server_time
