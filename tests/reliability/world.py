"""A small hostile internet on 127.0.0.1 for the reliability suites.

One threaded HTTP server holds everything a run talks to:

* a **feed farm**: N RSS feeds with M items each, of which only the first
  ``visible`` are published (tests raise it in stages, like a site posting);
  ETag/304 like a real site; optional misbehaviour per feed (flapping, GUID
  changes, reordering, truncation, redirect loops, a 301 to a new URL);
* a **webhook receiver** that records every request (Idempotency-Key,
  delivery_id, event, the article's URL) and answers with faults at seeded
  random rates: 500, 502, 503 + Retry-After, 429, a timeout, a connection
  reset, a slow body, wrong JSON;
* arbitrary **raw routes** (a handler gets the socket-level request object),
  for hostile bodies: endless bodies, trickles, bombs.

Every decision that involves chance takes a seeded :class:`random.Random`,
so a failing run can be replayed with the same seed.
"""

from __future__ import annotations

import hashlib
import json
import random
import socket
import struct
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

RawHandler = Callable[[BaseHTTPRequestHandler], None]

HOOK_FAULTS = ("500", "502", "503", "429", "timeout", "reset", "slow", "badjson")
# faults after which the receiver has processed the request (its answer is lost or odd):
# the sender cannot know, so it sends again with the same Idempotency-Key
PROCESSED_FAULTS = frozenset({"timeout", "reset", "slow", "badjson"})


@dataclass
class HookRecord:
    """One request the webhook receiver got."""

    key: str | None
    delivery_id: str | None
    event: str | None
    url: str | None  # the article's canonical URL
    fault: str | None  # the fault answered, None for a clean 200
    processed: bool  # the receiver acted on it (a real receiver would have made the post)
    signature: str | None = None


@dataclass
class FeedSpec:
    """One feed of the farm and how it misbehaves."""

    index: int
    items: int
    flap: float = 0.0  # chance of a 500 on a request
    guid_salt: int = 0  # bump to change every item's GUID (same links)
    reorder: bool = False  # shuffle item order on every request
    truncate: bool = False  # serve a random prefix of the visible items
    moved_to: str | None = None  # answer 301 to this path
    loop: bool = False  # redirect to itself forever (a broken site)


@dataclass
class World:
    seed: int = 0
    tag: str = "run"  # part of every item link: articles of two runs never share ids
    hook_fault_rate: float = 0.0
    hook_faults: tuple[str, ...] = HOOK_FAULTS
    hook_timeout_sleep: float = 1.6  # longer than the client's read timeout in the suites
    hook_delay: float = 0.0  # every webhook answer takes this long (deliveries in flight for a while)
    visible: int = 0  # items published per feed
    feeds: dict[str, FeedSpec] = field(default_factory=dict)
    raw: dict[str, RawHandler] = field(default_factory=dict)
    hook_records: list[HookRecord] = field(default_factory=list)
    hook_bodies: list[bytes] = field(default_factory=list)
    requests: list[tuple[str, str, dict[str, str]]] = field(default_factory=list)
    # called with each webhook request once it is recorded, before the answer (e.g. to SIGKILL the sender)
    on_hook: Callable[[HookRecord], None] | None = None

    def __post_init__(self) -> None:
        self.lock = threading.Lock()
        self.rng = random.Random(self.seed)
        self._deck: list[str] = []
        world = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                world._dispatch(self, "GET")

            def do_HEAD(self) -> None:
                world._dispatch(self, "HEAD")

            def do_POST(self) -> None:
                world._dispatch(self, "POST")

        class Server(ThreadingHTTPServer):
            daemon_threads = True
            request_queue_size = 128

            def handle_error(self, request: Any, client_address: Any) -> None:
                pass  # resets and clients that gave up are part of the game

        self.httpd = Server(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    # -- set-up -----------------------------------------------------------------

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def add_feeds(self, count: int, items: int) -> list[str]:
        """``count`` feeds of ``items`` items each; returns their URLs."""
        urls = []
        for index in range(count):
            path = f"/feed/{index}.xml"
            self.feeds[path] = FeedSpec(index=index, items=items)
            urls.append(self.url(path))
        return urls

    def route(self, path: str, handler: RawHandler) -> str:
        self.raw[path] = handler
        return self.url(path)

    def expected_urls(self) -> set[str]:
        """The canonical URLs of every item published now (what the store must hold)."""
        out: set[str] = set()
        for spec in self.feeds.values():
            if spec.loop:
                continue
            out.update(item_link(spec.index, j, self.tag) for j in range(min(self.visible, spec.items)))
        return out

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    # -- dispatch ---------------------------------------------------------------

    def _dispatch(self, handler: BaseHTTPRequestHandler, method: str) -> None:
        path = handler.path.split("?", 1)[0]
        with self.lock:
            self.requests.append((method, path, {k.lower(): v for k, v in handler.headers.items()}))
        if path in self.raw:
            self.raw[path](handler)
        elif path.startswith("/hook"):
            self._hook(handler)
        elif path in self.feeds:
            self._feed(handler, self.feeds[path], head=method == "HEAD")
        else:
            send(handler, 404, b"not found", {"Content-Type": "text/plain"})

    def _feed(self, handler: BaseHTTPRequestHandler, spec: FeedSpec, *, head: bool) -> None:
        with self.lock:
            roll = self.rng.random()
            order_seed = self.rng.random()
            visible = min(self.visible, spec.items)
        if spec.loop:
            send(handler, 302, b"", {"Location": handler.path})
            return
        if spec.moved_to:
            send(handler, 301, b"", {"Location": self.url(spec.moved_to)})
            return
        if roll < spec.flap:
            send(handler, 500, b"flapping", {"Content-Type": "text/plain"})
            return
        indexes = list(range(visible))
        if spec.truncate and indexes:
            indexes = indexes[: max(1, int(len(indexes) * order_seed) + 1)]
        if spec.reorder:
            random.Random(order_seed).shuffle(indexes)
        body = rss_document(spec.index, indexes, guid_salt=spec.guid_salt, tag=self.tag).encode()
        etag = '"' + hashlib.md5(body).hexdigest() + '"'
        if handler.headers.get("If-None-Match") == etag:
            send(handler, 304, b"", {"ETag": etag})
            return
        send(handler, 200, b"" if head else body, {"Content-Type": "application/rss+xml; charset=utf-8", "ETag": etag})

    # -- the webhook receiver ---------------------------------------------------------

    def _hook(self, handler: BaseHTTPRequestHandler) -> None:
        length = int(handler.headers.get("Content-Length") or 0)
        body = handler.rfile.read(length) if length else b""
        try:
            payload = json.loads(body)
        except ValueError:
            payload = {}
        with self.lock:
            fault = None
            if self.hook_fault_rate and self.rng.random() < self.hook_fault_rate:
                if not self._deck:  # a shuffled deck: every kind of fault comes up, in a seeded order
                    self._deck = list(self.hook_faults)
                    self.rng.shuffle(self._deck)
                fault = self._deck.pop()
            record = HookRecord(
                key=handler.headers.get("Idempotency-Key"),
                delivery_id=payload.get("delivery_id"),
                event=payload.get("event"),
                url=(payload.get("article") or {}).get("url"),
                fault=fault,
                processed=fault is None or fault in PROCESSED_FAULTS,
                signature=handler.headers.get("X-Syndicate-Signature"),
            )
            self.hook_records.append(record)
            self.hook_bodies.append(body)
        if self.on_hook is not None:
            self.on_hook(record)
        if self.hook_delay:
            time.sleep(self.hook_delay)
        answer = json.dumps({"id": f"hook-{record.delivery_id}", "url": f"https://hook.example/{record.delivery_id}"})
        if fault is None:
            send(handler, 200, answer.encode(), {"Content-Type": "application/json"})
        elif fault in ("500", "502"):
            send(handler, int(fault), b'{"message": "upstream trouble"}', {"Content-Type": "application/json"})
        elif fault == "503":
            send(handler, 503, b"busy", {"Content-Type": "text/plain", "Retry-After": "2"})
        elif fault == "429":
            send(handler, 429, b"slow down", {"Content-Type": "text/plain", "Retry-After": "3"})
        elif fault == "timeout":
            time.sleep(self.hook_timeout_sleep)
            send(handler, 200, answer.encode(), {"Content-Type": "application/json"})
        elif fault == "reset":
            reset(handler)
        elif fault == "slow":
            trickle(handler, answer.encode(), chunk=8, pause=0.02)
        elif fault == "badjson":
            send(handler, 200, b'{"id": [1, 2, ', {"Content-Type": "application/json"})

    def creates(self) -> list[HookRecord]:
        with self.lock:
            return [r for r in self.hook_records if r.event == "create"]


# -- feed documents ---------------------------------------------------------------------


def item_link(feed: int, item: int, tag: str = "run") -> str:
    return f"https://site{feed}.example/{tag}/post-{item}"


def rss_document(feed: int, indexes: list[int], *, guid_salt: int = 0, tag: str = "run") -> str:
    items = "".join(
        f"<item><title>Site {feed} story {j} ({tag}): a headline about harbour {feed * 1000 + j}</title>"
        f"<link>{item_link(feed, j, tag)}</link>"
        f'<guid isPermaLink="false">site{feed}-{j}-{guid_salt}</guid>'
        f"<pubDate>Tue, {1 + j % 28:02d} Sep 2026 {j % 24:02d}:{feed % 60:02d}:00 GMT</pubDate>"
        f"<description>&lt;p&gt;Story {j} of site {feed}: the council met on day {j} "
        f"and discussed ferry number {feed * 31 + j}.&lt;/p&gt;</description></item>"
        for j in indexes
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>Site {feed}</title><link>https://site{feed}.example/</link><description>feed {feed}</description>"
        f"{items}</channel></rss>"
    )


# -- low-level answers ---------------------------------------------------------------------


def send(handler: BaseHTTPRequestHandler, status: int, body: bytes, headers: dict[str, str]) -> None:
    handler.send_response(status)
    for key, value in headers.items():
        handler.send_header(key, value)
    if "Content-Length" not in headers:
        handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    if body:
        handler.wfile.write(body)


def reset(handler: BaseHTTPRequestHandler) -> None:
    """Close the connection with a TCP RST (SO_LINGER 0), no answer at all."""
    handler.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    handler.close_connection = True
    handler.connection.close()


def trickle(handler: BaseHTTPRequestHandler, body: bytes, *, chunk: int, pause: float, status: int = 200) -> None:
    """A whole answer, sent a few bytes at a time."""
    handler.send_response(status)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    handler.wfile.flush()
    for start in range(0, len(body), chunk):
        handler.wfile.write(body[start : start + chunk])
        handler.wfile.flush()
        time.sleep(pause)
