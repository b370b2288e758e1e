"""Fixtures for the target tests: one harness per target type, each backed by a real server.

WordPress and Ghost are the real programs (started by ../shared/tools/*-up.sh; when they
cannot be had the tests skip with the reason outside CI and fail in CI, tests/helpers/services.py);
email is a real aiosmtpd SMTP server; files are real files; discourse, mastodon, micropub and webhook are local HTTP
servers that speak the documented protocols (tests/targets/target_servers).
"""

from __future__ import annotations

import fcntl
import os
import socket
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "crosspost"))

from crosspost_helpers import new_engine  # noqa: E402
from target_harness import (  # noqa: E402
    DiscourseHarness,
    EmailHarness,
    FilesHarness,
    GhostHarness,
    Harness,
    MastodonHarness,
    MicropubHarness,
    SmtpSink,
    WebhookHarness,
    WordPressHarness,
)
from target_servers.discourse import DiscourseServer  # noqa: E402
from target_servers.mastodon import MastodonServer  # noqa: E402
from target_servers.micropub import MicropubServer  # noqa: E402
from target_servers.proxy import FaultProxy  # noqa: E402
from target_servers.webhook import WebhookReceiver  # noqa: E402

from tests.helpers.services import require_service  # noqa: E402

TOOLS = HERE.parents[1].parent / "shared" / "tools"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    engine = new_engine(tmp_path)
    yield engine
    engine.dispose()


def _run_tool(service: str, script: str, env: dict[str, str] | None = None) -> dict[str, str]:
    path = TOOLS / script
    if not path.is_file():
        require_service(service, f"{path} is absent: the real-server tests need ../shared/tools (CI has it)")
    lock_path = Path(tempfile.gettempdir()) / f"syndicate-tests-{path.stem}.lock"
    try:
        with lock_path.open("w") as lock:  # one start at a time across pytest-xdist workers
            fcntl.flock(lock, fcntl.LOCK_EX)
            out = subprocess.run(["bash", str(path)], capture_output=True, text=True, timeout=900,
                                 env={**os.environ, **(env or {})})
    except subprocess.TimeoutExpired:
        require_service(service, f"{script} timed out")
    if out.returncode != 0:
        tail = " | ".join(out.stderr.strip().splitlines()[-3:])
        require_service(service, f"{script} failed (rc={out.returncode}): {tail}")
    values: dict[str, str] = {}
    for line in out.stdout.splitlines():
        key, sep, value = line.partition("=")
        if sep and key.isidentifier():
            values[key] = value.strip().strip("'\"")
    return values


@pytest.fixture(scope="session")
def wordpress() -> dict[str, str]:
    """A real WordPress on 127.0.0.1 (Debian's package) with an application password."""
    values = _run_tool("WordPress", "wordpress-up.sh")
    if not all(k in values for k in ("WP_URL", "WP_USER", "WP_APP_PASSWORD")):
        require_service("WordPress", "wordpress-up.sh printed no WP_URL/WP_USER/WP_APP_PASSWORD")
    return values


@pytest.fixture(scope="session")
def ghost() -> dict[str, str]:
    """A real Ghost on 127.0.0.1 with an Admin API key."""
    values = _run_tool("Ghost", "ghost-up.sh", {"GHOST_VERIFY": "0"})
    if not all(k in values for k in ("GHOST_URL", "GHOST_ADMIN_KEY")):
        require_service("Ghost", "ghost-up.sh printed no GHOST_URL/GHOST_ADMIN_KEY")
    return values


HARNESSES = [
    pytest.param("wordpress", marks=pytest.mark.services),
    pytest.param("ghost", marks=pytest.mark.services),
    "email", "discourse", "micropub", "mastodon", "webhook", "files",
]


@pytest.fixture(params=HARNESSES)
def harness(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Harness]:
    kind = request.param
    if kind == "wordpress":
        wp = request.getfixturevalue("wordpress")
        with FaultProxy(wp["WP_URL"], host_header=wp["WP_URL"].split("://", 1)[1]) as proxy:
            common = {"type": "wordpress", "username": wp["WP_USER"], "categories": ["Syndicated"]}
            yield WordPressHarness(
                "wordpress",
                {**common, "url": proxy.url, "password": wp["WP_APP_PASSWORD"]},
                {**common, "url": wp["WP_URL"], "password": "abcd efgh ijkl mnop qrst uvwx"},
                server=proxy,
                extra={"wp": wp},
            )
    elif kind == "ghost":
        gh = request.getfixturevalue("ghost")
        with FaultProxy(gh["GHOST_URL"]) as proxy:
            key_id = gh["GHOST_ADMIN_KEY"].split(":")[0]
            yield GhostHarness(
                "ghost",
                {"type": "ghost", "url": proxy.url, "admin_key": gh["GHOST_ADMIN_KEY"]},
                {"type": "ghost", "url": gh["GHOST_URL"], "admin_key": f"{key_id}:{'ab' * 32}"},
                server=proxy,
                extra={"url": gh["GHOST_URL"], "key": gh["GHOST_ADMIN_KEY"]},
            )
    elif kind == "email":
        from aiosmtpd.controller import Controller

        sink = SmtpSink()
        port = free_port()
        controller = Controller(sink, hostname="127.0.0.1", port=port)
        controller.start()
        try:
            common = {"type": "email", "host": "127.0.0.1", "port": port, "security": "none",
                      "sender": "Syndicate <news@syndicate.example>"}
            yield EmailHarness(
                "email",
                {**common, "to": ["readers@lists.example"]},
                {**common, "to": ["nobody@lists.example"]},
                server=sink,
                supports_delete=False,
                reconcile="resend",
                throttle_state="failed",
            )
        finally:
            controller.stop()
    elif kind == "discourse":
        with DiscourseServer() as server:
            common = {"type": "discourse", "url": server.url, "api_username": "system", "category": 4}
            yield DiscourseHarness("discourse", {**common, "api_key": server.api_key},
                                   {**common, "api_key": "wrong-key-0000"}, server=server)
    elif kind == "micropub":
        with MicropubServer() as server:
            yield MicropubHarness(
                "micropub",
                {"type": "micropub", "endpoint": server.endpoint, "access_token": server.token},
                {"type": "micropub", "endpoint": server.endpoint, "access_token": "expired-token-0000"},
                server=server,
            )
    elif kind == "mastodon":
        with MastodonServer() as server:
            yield MastodonHarness(
                "mastodon",
                {"type": "mastodon", "url": server.url, "access_token": server.token},
                {"type": "mastodon", "url": server.url, "access_token": "revoked-token-0000"},
                server=server,
            )
    elif kind == "webhook":
        with WebhookReceiver(secret="hook-secret-42") as server:
            yield WebhookHarness(
                "webhook",
                {"type": "webhook", "url": server.hook, "secret": "hook-secret-42"},
                {"type": "webhook", "url": server.hook, "secret": "not-the-shared-secret"},
                server=server,
                reconcile="idempotent",
            )
    else:
        (tmp_path / "not-a-folder").write_text("a file where the folder should be")
        yield FilesHarness(
            "files",
            {"type": "files", "path": str(tmp_path / "site" / "content" / "posts")},
            {"type": "files", "path": str(tmp_path / "not-a-folder" / "posts")},
            throttle_state=None,
        )
