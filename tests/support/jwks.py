"""A hostile OAuth issuer for the JWKS attack tests: the loopback `Issuer` of tests/support/team.py
whose discovery document and JWKS can be made to fail in each way an attacker (or a broken
identity provider) would: an error status, garbage, a redirect, no answer at all, a byte every
second, an endless body; plus TLS on loopback (a throwaway CA the test trusts through
SSL_CERT_FILE) and an uvicorn server with settings of the test's choosing.

Run as `python -m tests.support.jwks ISSUER_URL AUDIENCE TOKEN` it is the fresh process in which
test_jwks.py measures agenda-mcp's peak memory while the verifier reads a huge JWKS (as
tests/security/bomb_child.py does for a gzip bomb)."""

from __future__ import annotations

import datetime
import ipaddress
import json
import sys
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import anyio
import jwt
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from starlette.responses import JSONResponse, Response
from starlette.types import Receive, Scope, Send

from tests.support.loopback import serve_loopback
from tests.support.memory import reset_peak, status_kb
from tests.support.team import Issuer

Mode = Literal["ok", "500", "garbage", "redirect", "timeout", "trickle", "huge"]
MB = 1024 * 1024
DISCOVERY = "/realms/team/.well-known/openid-configuration"
CERTS = "/realms/team/protocol/openid-connect/certs"
ELSEWHERE = "/elsewhere/certs"


class HostileIssuer(Issuer):
    """`Issuer` with switchable failure modes for its discovery document (`discovery_mode`) and its
    JWKS (`mode`); counts what it was asked for. `jwks_uri` overrides what discovery names."""

    def __init__(self) -> None:
        super().__init__()
        self.mode: Mode = "ok"
        self.discovery_mode: Mode = "ok"
        self.jwks_uri: str | None = None
        self.redirect_to: str | None = None
        self.discovery_fetches = 0
        self.elsewhere_fetches = 0
        self.huge_bytes = 400 * MB
        self.trickle_seconds = 1.0
        self.sent_bytes = 0
        """Body bytes sent by the streaming modes (huge, trickle) before the client hung up."""
        self._stalled: anyio.Event | None = None

    @property
    def stalled(self) -> anyio.Event:
        """Set when a JWKS request in a stalling mode (timeout, trickle) has arrived (made on first
        use, inside the event loop that serves the issuer)."""
        if self._stalled is None:
            self._stalled = anyio.Event()
        return self._stalled

    def jwks(self) -> dict[str, Any]:
        keys = []
        for kid, key in self.keys:
            jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key()))
            keys.append({**jwk, "kid": kid, "use": "sig", "alg": "RS256"})
        return {"keys": keys}

    def app(self) -> Any:  # an ASGI app
        async def app(scope: Scope, receive: Receive, send: Send) -> None:
            await self._asgi(scope, receive, send)

        return app  # a plain function: uvicorn takes a bound method for an ASGI 2 app

    async def _asgi(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        path = scope["path"]
        if path == DISCOVERY:
            self.discovery_fetches += 1
            document = {"issuer": self.url, "jwks_uri": self.jwks_uri or f"{self.url}/protocol/openid-connect/certs"}
            await self._answer(self.discovery_mode, document, scope, receive, send)
        elif path == CERTS:
            self.jwks_fetches += 1
            await self._answer(self.mode, self.jwks(), scope, receive, send)
        elif path == ELSEWHERE:
            self.elsewhere_fetches += 1
            await JSONResponse(self.jwks())(scope, receive, send)
        else:
            await Response(status_code=404)(scope, receive, send)

    async def _answer(self, mode: Mode, document: dict[str, Any], scope: Scope, receive: Receive, send: Send) -> None:
        if mode == "ok":
            await JSONResponse(document)(scope, receive, send)
        elif mode == "500":
            await JSONResponse({"error": "server_error"}, status_code=500)(scope, receive, send)
        elif mode == "garbage":
            await Response(b"<html>\x00\xff not a key set", media_type="application/json")(scope, receive, send)
        elif mode == "redirect":
            target = self.redirect_to or self.url.rsplit("/realms/", 1)[0] + ELSEWHERE
            await Response(status_code=302, headers={"location": target})(scope, receive, send)
        elif mode == "timeout":
            self.stalled.set()
            await _until_disconnect(receive)
        elif mode == "trickle":
            self.stalled.set()
            await self._stream(receive, send, _forever(b" "), self.trickle_seconds)
        elif mode == "huge":
            head = b'{"keys": [{"kty": "RSA", "kid": "'
            chunks = (head if n == 0 else b"A" * MB for n in range(self.huge_bytes // MB + 1))
            await self._stream(receive, send, chunks, 0.0)

    async def _stream(self, receive: Receive, send: Send, chunks: Iterable[bytes], every: float) -> None:
        """A chunked 200 (no Content-Length), chunk after chunk, until they run out or the client leaves."""
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"application/json")]})
        async with anyio.create_task_group() as tg:

            async def watch() -> None:
                await _until_disconnect(receive)
                tg.cancel_scope.cancel()

            tg.start_soon(watch)
            for chunk in chunks:
                await send({"type": "http.response.body", "body": chunk, "more_body": True})
                self.sent_bytes += len(chunk)
                await anyio.sleep(every)  # the trickle's pace (0: just let the watcher run)
            tg.cancel_scope.cancel()
        await send({"type": "http.response.body", "body": b""})


def _forever(chunk: bytes) -> Iterable[bytes]:
    while True:
        yield chunk


async def _until_disconnect(receive: Receive) -> None:
    while (await receive())["type"] != "http.disconnect":
        pass


@asynccontextmanager
async def hostile_issuer(**config: Any) -> AsyncIterator[HostileIssuer]:
    issuer = HostileIssuer()
    async with serve_loopback(issuer.app(), force_exit=True, **config) as base:
        issuer.url = f"{base}/realms/team"
        yield issuer


@dataclass
class Tls:
    ca: Path
    """The CA certificate (PEM): give it to a client as SSL_CERT_FILE."""
    cert: Path
    key: Path

    def server(self) -> dict[str, str]:
        return {"ssl_certfile": str(self.cert), "ssl_keyfile": str(self.key)}


def loopback_tls(folder: Path) -> Tls:
    """A throwaway CA and a certificate it signed for 127.0.0.1 and localhost, valid from a day
    before to a day after now: OpenSSL checks them against the system clock, which a container (or a
    test that sets the clock) may see differently from Python."""
    now = datetime.datetime.now(datetime.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "agenda-mcp test CA")])
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    names = [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
    leaf = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName(names), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
        .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    tls = Tls(folder / "ca.pem", folder / "cert.pem", folder / "key.pem")
    tls.ca.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    tls.cert.write_bytes(leaf.public_bytes(serialization.Encoding.PEM))
    tls.key.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return tls


# -- the child process of the memory test ------------------------------------------------------


async def _child(issuer: str, audience: str, token: str) -> dict[str, object]:
    from agenda_mcp.server.team.oauth import JwtVerifier

    verifier = JwtVerifier(issuer, audience)
    reset = reset_peak()
    before = status_kb("VmRSS")
    accepted = await verifier.verify_token(token)
    report: dict[str, object] = {
        "accepted": accepted is not None,
        "growth_kb": status_kb("VmHWM") - before,
        "peak_reset": reset,
        "fetches": verifier.fetches,
    }
    # The meter itself: 96 MB held on purpose must show as about that much growth.
    reset_peak()
    before = status_kb("VmRSS")
    held = bytearray(96 * MB)
    held[::4096] = b"x" * len(held[::4096])
    report["control_kb"] = status_kb("VmHWM") - before
    del held
    return report


if __name__ == "__main__":
    print(json.dumps(anyio.run(_child, *sys.argv[1:4])))
