"""Email over STARTTLS and implicit TLS with SMTP AUTH, against a real aiosmtpd server on loopback."""

from __future__ import annotations

import socket
import ssl
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from crosspost_helpers import T0, later, make_article, make_config, row_for, store_article
from sqlalchemy import Engine
from target_harness import SmtpSink

from syndicate.crosspost import deliver, plan

DATA = Path(__file__).resolve().parents[1] / "data" / "crosspost"
CERT, KEY = DATA / "smtp-test-cert.pem", DATA / "smtp-test-key.pem"
USER, PASSWORD = "news@syndicate.example", "smtp-pass-5678"


def _port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _authenticate(server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any) -> AuthResult:
    ok = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (
        USER.encode(), PASSWORD.encode())
    return AuthResult(success=ok, handled=False)


@pytest.fixture(params=["starttls", "ssl"])
def smtp(request: pytest.FixtureRequest) -> Iterator[tuple[str, int, SmtpSink]]:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(CERT, KEY)
    sink = SmtpSink()
    port = _port()
    tls: dict[str, Any] = (
        {"tls_context": context, "require_starttls": True} if request.param == "starttls" else {"ssl_context": context}
    )
    # aiosmtpd 1.4 does not count implicit TLS as TLS for auth_require_tls: the whole session is TLS anyway
    controller = Controller(sink, hostname="127.0.0.1", port=port, authenticator=_authenticate,
                            auth_require_tls=request.param == "starttls", server_hostname="127.0.0.1", **tls)
    controller.start()
    try:
        yield request.param, port, sink
    finally:
        controller.stop()


def _config(tmp_path: Path, security: str, port: int, **extra: Any) -> Any:
    return make_config(tmp_path, [{
        "name": "list", "type": "email", "host": "127.0.0.1", "port": port, "security": security,
        "username": USER, "password": PASSWORD, "sender": f"News <{USER}>", "to": ["readers@lists.example"],
        "ca_certs": str(CERT), **extra}])


def test_tls_and_auth(smtp: tuple[str, int, SmtpSink], engine: Engine, tmp_path: Path) -> None:
    security, port, sink = smtp
    config = _config(tmp_path, security, port)
    plan(engine, config, now=T0)
    article = store_article(engine, make_article(), first_seen=later(1))
    plan(engine, config, now=later(1))
    result = deliver(engine, config, now=later(1))
    assert (result.delivered, result.errors) == (1, [])
    assert [m["Subject"] for m in sink.messages] == [article.title]


def test_wrong_password_is_permanent_and_not_shown(
    smtp: tuple[str, int, SmtpSink], engine: Engine, tmp_path: Path
) -> None:
    security, port, sink = smtp
    config = _config(tmp_path, security, port, password="not-the-password-9")
    plan(engine, config, now=T0)
    article = store_article(engine, make_article(), first_seen=later(1))
    plan(engine, config, now=later(1))
    result = deliver(engine, config, now=later(1))
    assert result.failed == 1 and "535" in result.errors[0] and "not-the-password-9" not in result.errors[0]
    assert row_for(engine, article.id, "list")["next_attempt_at"] is None
    assert sink.messages == []


def test_untrusted_certificate_is_refused(smtp: tuple[str, int, SmtpSink], engine: Engine, tmp_path: Path) -> None:
    security, port, sink = smtp
    config = _config(tmp_path, security, port, ca_certs=None)
    plan(engine, config, now=T0)
    store_article(engine, make_article(), first_seen=later(1))
    plan(engine, config, now=later(1))
    result = deliver(engine, config, now=later(1))
    assert result.failed == 1 and "certificate" in result.errors[0]
    assert sink.messages == []
