"""A real SMTP server on loopback (aiosmtpd), plain or with TLS, collecting what it receives."""

from __future__ import annotations

import datetime as dt
import ipaddress
import socket
import ssl
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

import pytest


@dataclass
class Inbox:
    """Messages the server accepted, parsed with the standard email parser."""

    messages: list[EmailMessage] = field(default_factory=list)
    recipients: list[list[str]] = field(default_factory=list)

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(message_from_bytes(envelope.content, policy=policy.SMTP))
        self.recipients.append(list(envelope.rcpt_tos))
        return "250 Message accepted for delivery"


@dataclass(frozen=True)
class SmtpServer:
    """Where the test server listens and what it received."""

    port: int
    inbox: Inbox
    ca_file: Path | None = None


def free_port() -> int:
    """A TCP port on loopback nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _certificate(folder: Path) -> tuple[Path, Path]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = folder / "server.crt", folder / "server.key"
    cert_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_file, key_file


def _authenticator(server, session, envelope, mechanism, auth_data):  # type: ignore[no-untyped-def]
    from aiosmtpd.smtp import AuthResult, LoginPassword

    ok = isinstance(auth_data, LoginPassword) and auth_data.password == b"s3cret-pass"
    return AuthResult(success=ok, handled=False)  # False: let aiosmtpd answer 535 on refusal


def _serve(tmp_path: Path, mode: str) -> Iterator[SmtpServer]:
    from aiosmtpd.controller import Controller

    inbox, port = Inbox(), free_port()
    options: dict = {}
    ca_file = None
    if mode != "plain":
        ca_file, key_file = _certificate(tmp_path)
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(ca_file, key_file)
        if mode == "starttls":
            options = {
                "tls_context": context,
                "require_starttls": True,
                "authenticator": _authenticator,
                "auth_require_tls": True,
            }
        else:
            options = {"ssl_context": context}
    controller = Controller(inbox, hostname="127.0.0.1", port=port, **options)
    controller.start()
    try:
        yield SmtpServer(port, inbox, ca_file)
    finally:
        controller.stop()


@pytest.fixture
def smtp_server(tmp_path: Path) -> Iterator[SmtpServer]:
    """A plain SMTP server."""
    yield from _serve(tmp_path, "plain")


@pytest.fixture
def starttls_server(tmp_path: Path) -> Iterator[SmtpServer]:
    """A server that requires STARTTLS and a login (user any, password s3cret-pass)."""
    yield from _serve(tmp_path, "starttls")


@pytest.fixture
def ssl_server(tmp_path: Path) -> Iterator[SmtpServer]:
    """A server speaking SMTP inside TLS from the first byte (SMTPS)."""
    yield from _serve(tmp_path, "ssl")
