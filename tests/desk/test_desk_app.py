"""The desk's WSGI app with werkzeug's test client, on a real project (real SQLite, a real sync)."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from werkzeug.test import Client

from syndicate.config import load_config
from syndicate.crosspost import ledger
from syndicate.desk import make_desk
from syndicate.desk.session import SESSION_COOKIE, Signer
from syndicate.pipeline.context import Context
from syndicate.pipeline.passes import run_pass
from syndicate.serve_app import build_apps
from syndicate.store.audit import list_audit
from tests.desk.desk_helpers import (
    AUDITOR_PASSWORD,
    DESK_ENV,
    EDITOR_PASSWORD,
    VIEWER_PASSWORD,
    make_project,
)
from tests.helpers.cli import run_cli


@pytest.fixture
def ctx(tmp_path: Path) -> Iterator[Context]:
    config = make_project(tmp_path, "http://127.0.0.1:9/hook")
    context = Context.open(config=load_config(config, environ=DESK_ENV))
    assert run_pass(context).ok  # the same pass `syndicate sync` runs, in this process
    yield context
    context.close()


def desk_client(ctx: Context) -> Client:
    app = make_desk(ctx, DESK_ENV)
    assert app is not None
    return Client(app)


def token_of(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, html[:500]
    return found.group(1)


def log_in(client: Client, name: str, password: str, **extra: Any) -> Any:
    form = client.get("/desk/", **extra).get_data(as_text=True)
    return client.post(
        "/desk/login", data={"csrf": token_of(form), "username": name, "password": password}, **extra
    )


def held_ids(ctx: Context) -> list[str]:
    return [r["id"] for r in ledger.list_deliveries(ctx.engine, state="held")]


@pytest.mark.parametrize("path", ["/desk/", "/desk/articles", "/desk/audit", "/desk/sources", "/desk/activity",
                                  "/desk/targets", "/desk/item/{held}", "/desk/article/x", "/desk/nothing-here"])
def test_without_a_session_every_page_is_the_login_form_and_nothing_else(ctx: Context, path: str) -> None:
    """Kills: a page served before the session check (its data would show)."""
    client = desk_client(ctx)
    page = client.get(path.format(held=held_ids(ctx)[0]))
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and 'name="password"' in text
    assert "Ferry" not in text and "partner" not in text and "harbor" not in text


def test_login_cookie_flags_and_who_can_log_in(ctx: Context) -> None:
    """Kills: a session cookie readable by scripts or sent cross-site, a wrong password accepted,
    the password_file and argon2 users left out."""
    client = desk_client(ctx)
    assert "Wrong user name or password" in log_in(client, "editor", "nope").get_data(as_text=True)
    done = log_in(client, "editor", EDITOR_PASSWORD)
    assert done.status_code == 303
    cookie = next(v for k, v in done.headers.items() if k == "Set-Cookie" and v.startswith(SESSION_COOKIE))
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/desk/" in cookie
    assert "Secure" not in cookie  # plain http on 127.0.0.1
    assert "Ferry timetable agreed" in client.get("/desk/").get_data(as_text=True)
    for name, password in (("viewer", VIEWER_PASSWORD), ("auditor", AUDITOR_PASSWORD)):
        assert log_in(desk_client(ctx), name, password).status_code == 303, name


def test_cookie_is_secure_behind_https(ctx: Context) -> None:
    """Kills: the Secure flag not set when the request came through an https proxy."""
    done = log_in(desk_client(ctx), "editor", EDITOR_PASSWORD, headers={"X-Forwarded-Proto": "https"})
    cookie = next(v for k, v in done.headers.items() if k == "Set-Cookie" and v.startswith(SESSION_COOKIE))
    assert "Secure" in cookie


def test_login_form_without_its_token_is_refused(ctx: Context) -> None:
    client = desk_client(ctx)
    client.get("/desk/")
    page = client.post("/desk/login", data={"username": "editor", "password": EDITOR_PASSWORD})
    assert page.status_code == 403 and client.get_cookie(SESSION_COOKIE) is None


def test_login_is_rate_limited_per_user_and_address(ctx: Context) -> None:
    """Kills: unlimited password guessing (the sixth try, even with the right password, is refused)."""
    client = desk_client(ctx)
    for _ in range(5):
        assert log_in(client, "editor", "guess").status_code == 200
    refused = log_in(client, "editor", EDITOR_PASSWORD)
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0
    assert client.get_cookie(SESSION_COOKIE) is None


def test_tampered_or_expired_session_is_no_session(ctx: Context) -> None:
    """Kills: a cookie accepted without checking its signature or its expiry."""
    signer = Signer(b"k" * 32, ttl=60)
    _session, cookie = signer.new_session("editor", now=1000.0)
    assert signer.read_session(cookie, now=1030.0) is not None
    assert signer.read_session(cookie, now=1061.0) is None
    payload, mac = cookie.split(".")
    forged = payload.replace(payload[5], "A" if payload[5] != "A" else "B") + "." + mac
    assert signer.read_session(forged, now=1030.0) is None
    assert Signer(b"x" * 32, ttl=60).read_session(cookie, now=1030.0) is None


def test_batch_release_and_the_audit_trail(ctx: Context) -> None:
    """Kills: a batch acting on only the first id, an action with no audit row, a blocked item counted as held."""
    client = desk_client(ctx)
    log_in(client, "editor", EDITOR_PASSWORD)
    token = token_of(client.get("/desk/").get_data(as_text=True))
    first, second, third = held_ids(ctx)
    reply = client.post("/desk/batch", data={"csrf": token, "action": "release", "id": [first, second],
                                             "reason": "agreed", "back": "/desk/?state=held"})
    assert reply.status_code == 303 and reply.headers["Location"].startswith("/desk/?state=held&done=release")
    assert held_ids(ctx) == [third]
    assert "Released 2 items" in client.get(reply.headers["Location"]).get_data(as_text=True)
    trail = list_audit(ctx.engine)
    assert {(a["actor"], a["action"], a["subject"], a["reason"]) for a in trail} == {
        ("editor", "release", first, "agreed"), ("editor", "release", second, "agreed")
    }
    # released rows are pending now: a second release skips them, the page says so
    again = client.post("/desk/batch", data={"csrf": token, "action": "release", "id": [first]})
    assert "skipped" in client.get(again.headers["Location"]).get_data(as_text=True)


def test_hold_from_the_desk_survives_the_planner(ctx: Context) -> None:
    """Kills: a hold by hand undone by the next plan (the terms would let it go)."""
    client = desk_client(ctx)
    log_in(client, "editor", EDITOR_PASSWORD)
    token = token_of(client.get("/desk/").get_data(as_text=True))
    target = held_ids(ctx)[0]
    client.post(f"/desk/item/{target}/release", data={"csrf": token})
    client.post(f"/desk/item/{target}/hold", data={"csrf": token, "reason": "wait for legal"})
    row = ledger.get_delivery(ctx.engine, target)
    assert row is not None and row["state"] == "held" and row["reason"] == "held by editor: wait for legal"
    from datetime import UTC, datetime

    from syndicate.crosspost import plan

    plan(ctx.engine, ctx.config, now=datetime.now(UTC))
    assert ledger.get_delivery(ctx.engine, target)["state"] == "held"  # type: ignore[index]


def test_attribution_form_validates_and_viewer_cannot_post_it(ctx: Context) -> None:
    client = desk_client(ctx)
    log_in(client, "editor", EDITOR_PASSWORD)
    article_id = ledger.list_deliveries(ctx.engine)[0]["article_id"]
    token = token_of(client.get(f"/desk/article/{article_id}").get_data(as_text=True))
    bad = client.post(f"/desk/article/{article_id}/attribution", data={"csrf": token, "original_url": "javascript:x"})
    assert bad.status_code == 400 and "not an http(s) URL" in bad.get_data(as_text=True)
    viewer = desk_client(ctx)
    log_in(viewer, "viewer", VIEWER_PASSWORD)
    viewer_token = token_of(viewer.get(f"/desk/article/{article_id}").get_data(as_text=True))
    refused = viewer.post(f"/desk/article/{article_id}/attribution",
                          data={"csrf": viewer_token, "original_author": "Someone"})
    assert refused.status_code == 403 and list_audit(ctx.engine) == []


def test_desk_listen_puts_desk_and_metrics_on_their_own_address(tmp_path: Path) -> None:
    """Kills: the desk or /metrics still reachable on the public address when [desk] listen is set."""
    config_path = make_project(tmp_path, "http://127.0.0.1:9/hook", desk_extra='listen = "127.0.0.1:0"\n')
    context = Context.open(config=load_config(config_path, environ=DESK_ENV))
    try:
        import os

        os.environ.update(DESK_ENV)
        public, side = build_apps(context)
        assert side is not None
        public_client, side_client = Client(public), Client(side)
        assert public_client.get("/desk/").status_code == 404
        assert public_client.get("/metrics").status_code == 404
        assert public_client.get("/healthz").status_code == 200
        assert 'name="password"' in side_client.get("/desk/").get_data(as_text=True)
        assert side_client.get("/metrics").status_code == 200
        assert side_client.get("/").headers["Location"] == "/desk/"
        assert side_client.get("/all.atom").status_code == 404
    finally:
        for key in DESK_ENV:
            os.environ.pop(key, None)
        context.close()


def test_desk_is_off_with_a_warning_when_no_password_resolves(
    ctx: Context, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Kills: serving crashing (or a user logging in with an empty password) when the variable is unset."""
    (tmp_path / "viewer.pass").unlink()
    config = ctx.config.model_copy(update={"desk": ctx.config.desk.model_copy(  # type: ignore[union-attr]
        update={"user": [u for u in ctx.config.desk.user if u.name != "auditor"]})})  # type: ignore[union-attr]
    with caplog.at_level(logging.WARNING, logger="syndicate.desk"):
        assert make_desk(Context(config=config, engine=ctx.engine), {}) is None
    text = caplog.text
    assert "DESK_TEST_PASSWORD is not set" in text and "viewer.pass" in text and "desk is off" in text
    assert EDITOR_PASSWORD not in text


def test_pages_render_for_a_viewer_without_action_forms(ctx: Context) -> None:
    client = desk_client(ctx)
    log_in(client, "auditor", AUDITOR_PASSWORD)
    for path in ("/desk/", "/desk/articles", "/desk/sources", "/desk/targets", "/desk/activity", "/desk/audit"):
        page = client.get(path)
        text = page.get_data(as_text=True)
        assert page.status_code == 200, path
        assert 'formaction' not in text and 'name="one"' not in text and "/enable" not in text, path
    item = client.get(f"/desk/item/{held_ids(ctx)[0]}").get_data(as_text=True)
    assert "Preview: what partner will receive" in item and "/release" not in item


def test_pass_is_recorded_for_the_activity_page(ctx: Context) -> None:
    from datetime import UTC, datetime

    from syndicate.store.activity import articles_per_day, recent_passes

    passes = recent_passes(ctx.engine, datetime.now(UTC))
    assert len(passes) == 1 and passes[0]["seconds"] > 0
    assert sum(n for _day, n in articles_per_day(ctx.engine, datetime.now(UTC))) == 4
    assert json.dumps(passes, default=str)


def test_serve_with_desk_listen_answers_on_two_addresses(tmp_path: Path) -> None:
    """A real ``syndicate serve``: the feeds on one port, the desk and /metrics on ``[desk] listen``.
    Kills: the side server not started by the CLI, or the desk left on the public port."""
    import time

    import requests

    from tests.desk.browser import free_port, served

    side_port = free_port()
    config = make_project(tmp_path, "http://127.0.0.1:9/hook", desk_extra=f'listen = "127.0.0.1:{side_port}"\n')
    assert run_cli("sync", config=config).returncode == 0
    with served(config, DESK_ENV) as base:
        side = f"http://127.0.0.1:{side_port}"
        deadline = time.monotonic() + 10
        while True:
            try:
                page = requests.get(side + "/desk/", timeout=2)
                break
            except requests.ConnectionError:
                assert time.monotonic() < deadline, "the desk's own address never answered"
                time.sleep(0.1)
        assert page.status_code == 200 and 'name="password"' in page.text
        assert requests.get(side + "/metrics", timeout=2).status_code == 200
        assert requests.get(base + "/desk/", timeout=2).status_code == 404
        assert requests.get(base + "/metrics", timeout=2).status_code == 404
        assert requests.get(base + "/all.atom", timeout=2).status_code == 200


def test_run_serve_mounts_the_desk_beside_the_feeds(ctx: Context, monkeypatch: pytest.MonkeyPatch) -> None:
    """``run --serve`` serves through serve_beside: the desk comes along at /desk/ (a real waitress server)."""
    import requests

    from syndicate.serve_app import serve_beside

    monkeypatch.setenv("DESK_TEST_PASSWORD", EDITOR_PASSWORD)
    server = serve_beside(ctx, None, "127.0.0.1", 0)
    try:
        page = requests.get(f"http://127.0.0.1:{server.port}/desk/", timeout=5)
        assert page.status_code == 200 and 'name="password"' in page.text
        assert requests.get(f"http://127.0.0.1:{server.port}/metrics", timeout=5).status_code == 200
    finally:
        server.stop()


def test_origin_check_accepts_this_host_behind_a_tls_proxy(ctx: Context) -> None:
    """Kills: an Origin compared with its scheme (every POST behind an https proxy refused), or not compared."""
    client = desk_client(ctx)
    log_in(client, "editor", EDITOR_PASSWORD)
    token = token_of(client.get("/desk/").get_data(as_text=True))
    first, second = held_ids(ctx)[:2]
    proxied = client.post(f"/desk/item/{first}/hold", data={"csrf": token},
                          headers={"Origin": "https://desk.example.org", "X-Forwarded-Host": "desk.example.org"})
    assert proxied.status_code == 303
    same = client.post(f"/desk/item/{second}/reject", data={"csrf": token}, headers={"Origin": "http://localhost"})
    assert same.status_code == 303
    other = client.post(f"/desk/item/{first}/release", data={"csrf": token},
                        headers={"Origin": "https://evil.example"})
    assert other.status_code == 403 and "another site" in other.get_data(as_text=True)
