"""The daemon as an operator runs it (a real subprocess): reload, stop, lock, JSON logs, /metrics, WebSub."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import requests
from prometheus_client.parser import text_string_to_metric_families

from tests.helpers.cli import REPO, run_cli, write_config
from tests.helpers.feedserver import FeedServer
from tests.ops.conftest import wait_for
from tests.ops.websub_hub import LocalHub

RSS = """<?xml version="1.0"?><rss version="2.0"><channel><title>{name}</title><link>https://{name}.example/</link>
<description>d</description><item><title>{title}</title><link>https://{name}.example/1</link><guid>{name}-1</guid>
<pubDate>Tue, 24 Nov 2026 08:00:00 GMT</pubDate><description>Text.</description></item></channel></rss>"""


def rss(name: str, title: str) -> str:
    return RSS.format(name=name, title=title)


class Daemon:
    def __init__(self, config: Path, *args: str, options: tuple[str, ...] = ()) -> None:
        self.log = config.parent / f"daemon-{time.monotonic_ns()}.log"
        self.log_file = self.log.open("w")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "syndicate", *options, "run", "--config", str(config), *args],
            cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)},
            stdout=subprocess.DEVNULL, stderr=self.log_file, text=True,
        )

    def stderr(self) -> str:
        return self.log.read_text()

    def signal(self, signum: int) -> None:
        self.process.send_signal(signum)

    def stop(self, timeout: float = 30) -> int:
        self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=timeout)

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        self.log_file.close()


@pytest.fixture
def daemons() -> Iterator[list[Daemon]]:
    started: list[Daemon] = []
    yield started
    for daemon in started:
        daemon.close()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def contains(path: Path, text: str) -> bool:
    return path.is_file() and text.encode() in path.read_bytes()


def test_sighup_reloads_the_configuration_and_sigterm_stops_cleanly(
    tmp_path: Path, feed_server: FeedServer, daemons: list[Daemon]
) -> None:
    first = feed_server.serve("/first.rss", rss("first", "Story from the first source"))
    second = feed_server.serve("/second.rss", rss("second", "Story from the added source"))
    config = write_config(tmp_path, f'interval = "1s"\n[[source]]\nname = "first"\nurl = "{first}"\n'
                                    '[[output]]\nname = "all"\nformats = ["atom"]\n')
    atom = tmp_path / "feeds" / "all.atom"
    daemon = Daemon(config)
    daemons.append(daemon)
    assert wait_for(lambda: contains(atom, "Story from the first source"), 30), daemon.stderr()

    added = run_cli("sources", "add", "second", second, config=config)
    assert added.returncode == 0, added.stderr
    daemon.signal(signal.SIGHUP)
    assert wait_for(lambda: contains(atom, "Story from the added source"), 30), daemon.stderr()
    assert "configuration reloaded: 2 sources" in daemon.stderr()
    assert contains(atom, "Story from the first source")

    refused = run_cli("run", config=config, timeout=60)
    assert refused.returncode == 1
    assert refused.stderr.count("\n") == 1 and "another syndicate daemon" in refused.stderr

    assert daemon.stop(timeout=30) == 0
    log = daemon.stderr()
    assert "received SIGTERM" in log and "daemon stopped" in log and "Traceback" not in log


class SlowFeed:
    """A feed server that takes ``delay`` seconds to answer."""

    def __init__(self, delay: float) -> None:
        self.hits = threading.Event()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                outer.hits.set()
                time.sleep(delay)
                body = rss("slow", "Slow story").encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/rss+xml")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/slow.rss"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.mark.slow
def test_sigterm_during_a_slow_fetch_finishes_it_and_exits_0(tmp_path: Path, daemons: list[Daemon]) -> None:
    slow = SlowFeed(delay=3)
    try:
        config = write_config(tmp_path, f'interval = "1s"\ndeadline = "20s"\n[[source]]\nname = "slow"\n'
                                        f'url = "{slow.url}"\n[[output]]\nname = "all"\nformats = ["atom"]\n')
        daemon = Daemon(config)
        daemons.append(daemon)
        assert slow.hits.wait(30), daemon.stderr()
        # bounded by the fetch deadline (20 s) plus the shutdown, not by the interval or the backlog
        assert daemon.stop(timeout=45) == 0
        log = daemon.stderr()
        assert "finishing the work in hand" in log and "daemon stopped" in log and "Traceback" not in log
    finally:
        slow.close()


def test_json_logs_have_one_event_per_fetched_source(tmp_path: Path, feed_server: FeedServer) -> None:
    good = feed_server.serve("/good.rss", rss("good", "Good story"))
    failing = feed_server.serve("/down.rss", "oops", status=404, content_type="text/plain")
    config = write_config(tmp_path, f'[[source]]\nname = "good"\nurl = "{good}"\n'
                                    f'[[source]]\nname = "down"\nurl = "{failing}"\n[[output]]\nname = "all"\n')
    result = run_cli("--log-format", "json", "-v", "sync", config=config)
    assert result.returncode == 3, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    events = [json.loads(line) for line in lines if line.startswith("{")]
    # besides the log events, stderr only holds the command's own one-line failure summary
    assert all(line.startswith("syndicate: ") for line in lines if not line.startswith("{"))
    fetches = sorted((e["source"], e["status"]) for e in events if e.get("event") == "fetch")
    assert fetches == [("down", "error"), ("good", "ok")]
    for event in events:
        assert {"time", "level", "logger", "message"} <= event.keys()
    down = next(e for e in events if e.get("event") == "fetch" and e["source"] == "down")
    assert down["level"] == "warning" and down["http_status"] == 404 and "404" in down["error"]


def metrics(url: str) -> dict[str, float]:
    text = requests.get(url + "/metrics", timeout=10).text
    return {s.name + json.dumps(s.labels, sort_keys=True): s.value
            for family in text_string_to_metric_families(text) for s in family.samples}


ATOM = """<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">
<title>Pushed</title><id>urn:pushed</id><updated>2026-11-24T10:00:00Z</updated>
<link rel="self" href="{topic}"/><link rel="hub" href="{hub}"/><author><name>Desk</name></author>
<entry><title>{title}</title><id>urn:pushed:{slug}</id><link href="https://pushed.example/{slug}"/>
<updated>2026-11-24T10:00:00Z</updated><summary>About {title}.</summary></entry></feed>"""


def test_a_serving_daemon_subscribes_takes_pushes_and_exposes_metrics(
    tmp_path: Path, feed_server: FeedServer, hub: LocalHub, daemons: list[Daemon]
) -> None:
    port = free_port()
    topic = feed_server.url("/pushed.atom")
    feed_server.serve("/pushed.atom", ATOM.format(topic=topic, hub=hub.url, title="Polled story", slug="p"),
                      content_type="application/atom+xml")
    base = f"http://127.0.0.1:{port}"
    config = write_config(tmp_path, f'interval = "1s"\nallow_private_networks = true\n'
                                    f'websub_callback = "{base}/websub"\n[syndicate.serve]\nport = {port}\n'
                                    f'[[source]]\nname = "pushed"\nurl = "{topic}"\n'
                                    '[[output]]\nname = "all"\nformats = ["atom"]\n')
    atom = tmp_path / "feeds" / "all.atom"
    daemon = Daemon(config, "--serve", options=("--log-format", "json", "-v"))
    daemons.append(daemon)
    assert wait_for(lambda: contains(atom, "Polled story"), 30), daemon.stderr()
    assert hub.wait_until(lambda h: any(v.echoed for v in h.verifications), 30), daemon.stderr()
    assert hub.requests[0]["hub.callback"].startswith(base + "/websub/")
    assert wait_for(lambda: metrics(base).get('syndicate_websub_subscriptions{"state": "active"}') == 1, 10)

    started = time.monotonic()
    body = ATOM.format(topic=topic, hub=hub.url, title="Story pushed by the hub", slug="q").encode()
    assert hub.push(topic, body) == [202]
    assert wait_for(lambda: contains(atom, "Story pushed by the hub"), 30), daemon.stderr()
    print(f"\nWEBSUB push-to-output delay (daemon subprocess): {(time.monotonic() - started) * 1000:.0f} ms")
    assert hub.push(topic, ATOM.format(topic=topic, hub=hub.url, title="Forged", slug="f").encode(),
                    forge=True) == [202]

    scraped = metrics(base)
    assert scraped['syndicate_sources{"status": "ok"}'] + scraped['syndicate_sources{"status": "not-modified"}'] == 1
    assert scraped['syndicate_articles{"state": "live"}'] == 2
    assert scraped["syndicate_healthy{}"] == 1
    assert scraped["syndicate_passes_total{}"] >= 1
    assert requests.get(base + "/healthz", timeout=10).status_code == 200
    assert daemon.stop(timeout=30) == 0
    assert not contains(atom, "Forged") and "Traceback" not in daemon.stderr()
    events = [json.loads(line) for line in daemon.stderr().splitlines() if line.strip()]
    pushes = sorted((e["source"], e["status"]) for e in events if e.get("event") == "push")
    assert pushes == [("pushed", "bad-signature"), ("pushed", "ok")]
    assert any(e.get("event") == "websub" and e.get("lease_seconds") == hub.lease_seconds for e in events)
