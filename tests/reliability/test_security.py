"""Security, through the real command: SSRF, secrets, serving, signature checks.

* Redirects to loopback (another port), private, link-local (169.254.169.254),
  multicast, unspecified and IPv4-mapped addresses are refused unless
  ``allow_private_networks``; an "internal" listener proves no request reached it.
  URLs found in content are never fetched. WebSub hubs on private addresses are refused.
* A full run with secrets in environment variables (a source header token, a
  webhook secret, a WordPress-style password), against servers that echo what
  they get into their error answers: every byte the run wrote (stdout and stderr
  with ``-vv`` and ``--log-format json``, the database and its WAL, ``feeds/``,
  ``status``, ``deliveries``, what the webhook received) is searched for them.
* ``serve``: traversal encodings and methods the serve suite does not try yet.
* Signatures and tokens are compared in constant time (checked in the source).
"""

from __future__ import annotations

import ast
import json
import socket
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest

from tests.reliability.harness import REPO, command, run, write_config
from tests.reliability.world import RawHandler, World, rss_document, send

TOKEN = "srcTok-7Hq2ZrX9vLw3"
HOOK_SECRET = "hookSec-Pm4Kd8Rt2Yq6"
WP_PASSWORD = "wpPass-abcd EFGH ijkl MNOP"  # an application password: spaces, and sent without them


@pytest.fixture
def internal() -> Iterator[World]:
    """An "internal service" on another port of 127.0.0.1: it must never be reached."""
    server = World(seed=0)
    server.route("/latest/meta-data/", lambda h: send(h, 200, b"INTERNAL", {"Content-Type": "text/plain"}))
    yield server
    server.close()


def redirect_to(location: str) -> RawHandler:
    return lambda handler: send(handler, 302, b"", {"Location": location})


@pytest.mark.slow
def test_redirects_to_non_public_addresses_are_refused(world: World, internal: World, tmp_path: Path) -> None:
    port = internal.port
    targets = {
        "loopback-port": f"http://127.0.0.1:{port}/latest/meta-data/",
        "localhost-name": f"http://localhost:{port}/latest/meta-data/",
        "decimal-ip": f"http://2130706433:{port}/latest/meta-data/",
        "mapped-v6": f"http://[::ffff:127.0.0.1]:{port}/latest/meta-data/",
        "v6-loopback": f"http://[::1]:{port}/latest/meta-data/",
        "unspecified": f"http://0.0.0.0:{port}/latest/meta-data/",
        "metadata": "http://169.254.169.254/latest/meta-data/",
        "private": "http://10.0.0.1/feed",
        "multicast": "http://224.0.0.1/feed",
        "file": "file:///etc/passwd",
    }
    sources = [(name, world.route(f"/r/{name}", redirect_to(url))) for name, url in targets.items()]
    config = write_config(tmp_path, sources, settings={"deadline": "5s", "connect_timeout": "1s"})
    result = run(command("sync", "--all", config=config))
    assert result.returncode == 3
    status = {s["name"]: s for s in json.loads(run(command("status", "--json", config=config)).stdout)["sources"]}
    for name in targets:
        error = status[name]["error"] or ""
        assert "refused" in error or "not allowed" in error or "scheme" in error, (name, error)
    assert internal.requests == [], internal.requests

    # the same redirect is followed when the operator allows private networks: the test can fail
    allowed = tmp_path / "allowed"
    allowed.mkdir()
    config = write_config(allowed, [("loopback-port", sources[0][1])], settings={"allow_private_networks": True})
    assert run(command("sync", "--all", config=config)).returncode == 3  # "INTERNAL" is not a feed
    assert [r[1] for r in internal.requests] == ["/latest/meta-data/"]


@pytest.mark.slow
def test_urls_in_content_are_never_fetched(world: World, internal: World, tmp_path: Path) -> None:
    port = internal.port
    body = (
        f'<img src="http://127.0.0.1:{port}/pixel.gif"><a href="http://127.0.0.1:{port}/link">l</a>'
        f'<iframe src="http://127.0.0.1:{port}/frame"></iframe><video poster="http://127.0.0.1:{port}/p"></video>'
    )
    feed = (
        '<?xml version="1.0"?><rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom"><channel><title>t</title>'
        f'<link>http://127.0.0.1:{port}/site</link><description>d</description>'
        f'<atom:link rel="self" href="http://127.0.0.1:{port}/self.xml"/>'
        f'<image><url>http://127.0.0.1:{port}/logo.png</url><title>t</title><link>https://x.example/</link></image>'
        f"<item><title>One</title><link>https://news.example/1</link><guid>1</guid>"
        f'<enclosure url="http://127.0.0.1:{port}/enc.mp3" type="audio/mpeg" length="1"/>'
        f"<source url=\"http://127.0.0.1:{port}/orig.xml\">Orig</source>"
        f"<description>{body.replace('&', '&amp;').replace('<', '&lt;')}</description></item></channel></rss>"
    )
    url = world.route("/content.xml", lambda h: send(h, 200, feed.encode(), {"Content-Type": "application/rss+xml"}))
    config = write_config(tmp_path, [("content", url)])
    result = run(command("sync", "--all", config=config))
    assert result.returncode == 0, result.stderr
    assert internal.requests == []


def test_websub_hub_on_a_private_address_is_refused(world: World, internal: World, tmp_path: Path) -> None:
    hub = internal.url("/hub")
    feed = (
        '<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>t</title><id>urn:x</id>'
        f'<updated>2026-09-01T10:00:00Z</updated><link rel="hub" href="{hub}"/>'
        f'<link rel="self" href="{world.url("/hubbed.atom")}"/>'
        '<entry><title>e</title><id>urn:x:1</id><updated>2026-09-01T10:00:00Z</updated>'
        '<link href="https://news.example/e"/></entry></feed>'
    ).encode()
    url = world.route("/hubbed.atom", lambda h: send(h, 200, feed, {"Content-Type": "application/atom+xml"}))
    config = write_config(tmp_path, [("hubbed", url)], settings={"websub_callback": "https://me.example/websub/"})
    assert run(command("sync", "--all", config=config)).returncode == 0

    from syndicate.config import load_config
    from syndicate.pipeline.context import Context
    from syndicate.websub.subscriber import maintain_subscriptions

    ctx = Context.open(config=load_config(config))
    try:
        actions = maintain_subscriptions(ctx)
    finally:
        ctx.engine.dispose()
    assert actions, "the hub was not discovered: this test would prove nothing"
    assert internal.requests == [], internal.requests


# -- secrets ---------------------------------------------------------------------------------------


def echo_error(status: int) -> RawHandler:
    """An error answer that repeats every header and the body it got: a leaky server."""

    def handle(handler: BaseHTTPRequestHandler) -> None:
        length = int(handler.headers.get("Content-Length") or 0)
        got = handler.rfile.read(length).decode(errors="replace") if length else ""
        echoed = {k: v for k, v in handler.headers.items()}
        body = json.dumps({"message": f"denied: {echoed} {got[:300]}", "code": "echo"}).encode()
        send(handler, status, body, {"Content-Type": "application/json", "X-Echo": str(echoed.get("Authorization"))})

    return handle


@pytest.fixture(scope="module")
def secret_run(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """One full scenario with secrets in the environment; ``{where: everything written there}``."""
    tmp_path = tmp_path_factory.mktemp("secrets")
    world = World(seed=4)
    try:
        return _secret_scenario(world, tmp_path)
    finally:
        world.close()


def _secret_scenario(world: World, tmp_path: Path) -> dict[str, str]:
    world.visible = 2
    (good,) = world.add_feeds(1, 2)
    leaky_source = world.route("/leaky.xml", echo_error(500))
    denied_source = world.route("/denied.xml", echo_error(401))
    world.route("/wp/wp-json/wp/v2/posts", echo_error(500))
    world.route("/hook-denied", echo_error(403))
    headers = 'headers = { Authorization = "Bearer ${SRC_TOKEN}", "X-Api-Key" = "${SRC_TOKEN}" }'
    extra_sources = (
        f'[[source]]\nname = "authed"\nurl = "{good}?token=${{SRC_TOKEN}}"\n{headers}\n'
        f'[[source]]\nname = "leaky"\nurl = "{leaky_source}"\n{headers}\n'
        f'[[source]]\nname = "denied"\nurl = "{denied_source.replace("http://", "http://feeduser:${SRC_TOKEN}@")}"\n'
    )
    targets = (
        f'[[target]]\nname = "hook"\ntype = "webhook"\nurl = "{world.url("/hook")}"\nsecret = "${{HOOK_SECRET}}"\n'
        "backfill = 100\n"
        f'[[target]]\nname = "hook-denied"\ntype = "webhook"\nurl = "{world.url("/hook-denied")}"\n'
        'secret = "${HOOK_SECRET}"\nheaders = { Authorization = "Token ${HOOK_SECRET}" }\nbackfill = 100\n'
        f'[[target]]\nname = "blog"\ntype = "wordpress"\nurl = "{world.url("/wp")}"\nusername = "editor"\n'
        'password = "${WP_PASSWORD}"\nbackfill = 100\n'
    )
    config = write_config(tmp_path, [], extra_sources=extra_sources, targets=targets, settings={"deadline": "4s"})
    env = {"SRC_TOKEN": TOKEN, "HOOK_SECRET": HOOK_SECRET, "WP_PASSWORD": WP_PASSWORD}
    haystacks: dict[str, str] = {}
    for verbose in (("-vv",), ("-vv", "--log-format", "json"), ()):
        result = run(command("sync", "--all", config=config, verbose=verbose), env=env)
        haystacks[f"sync {' '.join(verbose)} stdout"] = result.stdout
        haystacks[f"sync {' '.join(verbose)} stderr"] = result.stderr
    for args in (("status",), ("status", "--json"), ("deliveries", "--json"), ("articles", "--json"),
                 ("check",), ("plan",)):
        result = run(command(*args, config=config, verbose=("-vv",)), env=env)
        haystacks[f"{' '.join(args)} stdout"] = result.stdout
        haystacks[f"{' '.join(args)} stderr"] = result.stderr
    # an internal error (the database refuses a write mid-pass) prints one line and logs a traceback
    import sqlite3

    db = sqlite3.connect(tmp_path / "syndicate.db")
    db.execute("CREATE TRIGGER refuse BEFORE UPDATE ON sources BEGIN SELECT RAISE(ABORT, 'disk full'); END")
    db.commit()
    crashed = run(command("sync", "--all", config=config, verbose=("-vv",)), env=env)
    db.execute("DROP TRIGGER refuse")
    db.commit()
    db.close()
    assert crashed.returncode == 2 and "internal error" in crashed.stderr, crashed.stderr[-2000:]
    haystacks["internal error stdout"], haystacks["internal error stderr"] = crashed.stdout, crashed.stderr
    # a configuration error names the key, never the value
    broken = tmp_path / "broken.toml"
    broken.write_text(config.read_text() + '\n[[target]]\nname = "x"\ntype = "webhook"\nurl = "${SRC_TOKEN}"\n'
                      'bogus = "${HOOK_SECRET}"\n')
    result = run(command("check", config=broken), env=env)
    assert result.returncode == 1
    haystacks["check (config error)"] = result.stdout + result.stderr

    received = [r for r in world.hook_records if r.event]
    assert received, "the webhook got nothing: the scenario did not run"
    assert all(r.signature and r.signature.startswith("sha256=") for r in received)
    assert any(r[1].startswith("/wp/") for r in world.requests), "the WordPress-style target was never called"
    sent = json.dumps([r[2] for r in world.requests])
    assert TOKEN in sent and "Basic " in sent  # the secrets were really used

    for path in tmp_path.rglob("*"):
        if path.is_file() and path.name not in ("syndicate.toml", "broken.toml"):
            haystacks[f"file {path.relative_to(tmp_path)}"] = path.read_bytes().decode("latin-1")
    haystacks["webhook bodies"] = b"".join(world.hook_bodies).decode("latin-1")
    return haystacks


SECRETS = [TOKEN, HOOK_SECRET, WP_PASSWORD, WP_PASSWORD.replace(" ", "")]


def _leaks(haystacks: dict[str, str]) -> list[tuple[str, str]]:
    return [(where, secret) for where, text in haystacks.items() for secret in SECRETS if secret in text]


@pytest.mark.slow
def test_secrets_never_reach_logs_errors_outputs_or_status(secret_run: dict[str, str]) -> None:
    written = {k: v for k, v in secret_run.items() if not k.startswith("file syndicate.db")}
    assert any(k.startswith("file feeds/") for k in written)
    assert not _leaks(written), _leaks(written)


@pytest.mark.slow
def test_secrets_never_reach_the_database(secret_run: dict[str, str]) -> None:
    database = {k: v for k, v in secret_run.items() if k.startswith("file syndicate.db")}
    assert database
    assert not _leaks(database), _leaks(database)


# -- serve -------------------------------------------------------------------------------------------

EXTRA_TRAVERSALS = [
    "/%e0%80%ae%e0%80%ae/secret.atom",  # overlong UTF-8, 3 bytes
    "/%c0%2e%c0%2e/secret.atom",
    "/%ef%bc%8e%ef%bc%8e/secret.atom",  # fullwidth full stops
    "/%u002e%u002e/secret.atom",  # IIS-style
    "/.%2e/secret.atom",
    "/%2e./secret.atom",
    "/%25%32%65%25%32%65/secret.atom",  # double encoded, every character
    "/all.atom/..%2f..%2fsecret.atom",
    "/..%c1%9csecret.atom",
    "/..%c0%afsecret.atom",
    "/..;/secret.atom",
    "/%2e%2e%5c%2e%2e%5csecret.atom",
    "/..%255c..%255csecret.atom",
    "/.%00./secret.atom",
    "/feeds/../secret.atom",
    "/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
]
METHODS = ["TRACE", "CONNECT", "PROPFIND", "MKCOL", "COPY", "MOVE", "LOCK", "FOO", "get"]


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, int]]:
    feeds = tmp_path / "feeds"
    feeds.mkdir()
    (tmp_path / "secret.atom").write_text("<feed>SECRET</feed>")
    (feeds / "all.atom").write_bytes(rss_document(1, [0]).encode())
    config = write_config(tmp_path, [])
    from syndicate.config import load_config
    from syndicate.pipeline.context import Context
    from syndicate.serve import start_in_thread
    from syndicate.serve_app import build_app

    ctx = Context.open(config=load_config(config))
    server = start_in_thread(build_app(ctx), "127.0.0.1", 0)
    yield "127.0.0.1", server.port
    server.stop()
    ctx.engine.dispose()


def raw_request(address: tuple[str, int], line: bytes) -> tuple[bytes, bytes]:
    with socket.create_connection(address, timeout=5) as sock:
        sock.sendall(line + b"\r\nHost: x\r\nConnection: close\r\n\r\n")
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    status = head.split(b" ", 2)[1] if head else b""
    return status, body


@pytest.mark.parametrize("path", EXTRA_TRAVERSALS)
def test_serve_refuses_more_traversal_encodings(served: tuple[str, int], path: str) -> None:
    status, body = raw_request(served, f"GET {path} HTTP/1.1".encode())
    assert status in (b"400", b"404"), status
    assert b"SECRET" not in body and b"root:" not in body


@pytest.mark.parametrize("method", METHODS)
def test_serve_answers_only_get_and_head(served: tuple[str, int], method: str) -> None:
    status, body = raw_request(served, f"{method} /all.atom HTTP/1.1".encode())
    assert status in (b"400", b"405", b"501"), (method, status)
    assert b"<rss" not in body


def test_serve_still_serves_the_feed(served: tuple[str, int]) -> None:
    status, body = raw_request(served, b"GET /all.atom HTTP/1.1")  # the refusals above are not a broken server
    assert status == b"200" and b"<rss" in body


# -- constant-time comparisons -------------------------------------------------------------------------

SENSITIVE = ("signature", "digest", "token", "secret", "hmac", "mac")


def _names(node: ast.AST) -> list[str]:
    return [n.id.lower() for n in ast.walk(node) if isinstance(n, ast.Name)] + [
        n.attr.lower() for n in ast.walk(node) if isinstance(n, ast.Attribute)
    ]


def test_secrets_are_compared_in_constant_time() -> None:
    """No ``==``/``!=`` on a signature, digest, token or secret anywhere in syndicate/; compare_digest is used."""
    offenders = []
    uses_compare_digest = []
    for path in sorted((REPO / "syndicate").rglob("*.py")):
        source = path.read_text(encoding="utf-8")
        if "compare_digest" in source:
            uses_compare_digest.append(path.name)
        for node in ast.walk(ast.parse(source)):
            if not isinstance(node, ast.Compare) or not any(isinstance(op, (ast.Eq, ast.NotEq)) for op in node.ops):
                continue
            if any(isinstance(side, ast.Constant) and side.value is None for side in [node.left, *node.comparators]):
                continue
            names = _names(node)
            if any(word in name for name in names for word in SENSITIVE if name not in ("method", "token_type")):
                if any(isinstance(side, ast.Constant) for side in [node.left, *node.comparators]):
                    continue  # comparing a mode or a kind with a literal is no secret comparison
                offenders.append(f"{path.relative_to(REPO)}:{node.lineno}: {ast.unparse(node)}")
    assert not offenders, offenders
    assert "signature.py" in uses_compare_digest  # WebSub pushes: X-Hub-Signature
