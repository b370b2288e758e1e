"""The feed server over real HTTP: content types, validators, 304, HEAD, gzip, Link headers,
pages, health, methods and path traversal."""

from __future__ import annotations

import gzip
import http.client
import socket
import time
from email.utils import formatdate
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, ClassVar

import pytest
import requests
from lxml import etree, html

from syndicate.outputs import write_if_changed
from syndicate.serve import make_app, start_in_thread

TYPES = {
    "all.atom": "application/atom+xml; charset=utf-8",
    "all.rss": "application/rss+xml; charset=utf-8",
    "all.json": "application/feed+json; charset=utf-8",
}


def raw_get(site: Any, path: str, method: str = "GET") -> tuple[int, bytes]:
    """Send the path exactly as written (no client-side normalization)."""
    conn = http.client.HTTPConnection("127.0.0.1", site.server.port, timeout=5)
    try:
        conn.putrequest(method, path, skip_accept_encoding=True)
        conn.endheaders()
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


@pytest.mark.parametrize("name", sorted(TYPES))
def test_feeds_are_served_with_their_content_type(site: Any, name: str) -> None:
    response = requests.get(site.url + name, headers={"Accept-Encoding": "identity"})
    assert response.status_code == 200
    assert response.headers["Content-Type"] == TYPES[name]
    assert response.content == (site.feeds / name).read_bytes()
    assert "Content-Encoding" not in response.headers
    # Atom and RSS that link the stylesheet answer browsers (Accept: text/html) with a page: they vary by Accept
    assert response.headers["Vary"] == ("Accept-Encoding" if name.endswith(".json") else "Accept, Accept-Encoding")
    etag = response.headers["ETag"]
    assert etag.startswith('"') and not etag.startswith("W/")  # strong


def test_etag_and_last_modified_give_304(site: Any) -> None:
    """Mutation it kills (docs/promises.md): ``serve/app.py`` ``_not_modified`` with ``<=`` made ``<``
    (an ``If-Modified-Since`` equal to the file's time answered 200)."""
    url = site.url + "all.atom"
    first = requests.get(url)
    etag, last_modified = first.headers["ETag"], first.headers["Last-Modified"]
    again = requests.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    assert again.headers["ETag"] == etag
    assert requests.get(url, headers={"If-None-Match": '"other", ' + etag}).status_code == 304
    assert requests.get(url, headers={"If-None-Match": "*"}).status_code == 304
    assert requests.get(url, headers={"If-None-Match": '"stale"'}).status_code == 200
    assert requests.get(url, headers={"If-Modified-Since": last_modified}).status_code == 304
    assert requests.get(url, headers={"If-Modified-Since": formatdate(0, usegmt=True)}).status_code == 200
    # If-None-Match decides when both are sent
    both = {"If-None-Match": '"stale"', "If-Modified-Since": last_modified}
    assert requests.get(url, headers=both).status_code == 200
    # the gzip and identity forms have their own strong tags, and each validates the resource
    identity = requests.get(url, headers={"Accept-Encoding": "identity"}).headers["ETag"]
    assert identity != etag
    assert requests.get(url, headers={"If-None-Match": identity}).status_code == 304


def test_rewritten_file_gets_a_new_etag(site: Any) -> None:
    url = site.url + "all.json"
    before = requests.get(url).headers["ETag"]
    time.sleep(0.01)
    assert write_if_changed(site.feeds / "all.json", b'{"version": "https://jsonfeed.org/version/1.1"}')
    after = requests.get(url, headers={"If-None-Match": before})
    assert after.status_code == 200
    assert after.headers["ETag"] != before
    assert after.content == b'{"version": "https://jsonfeed.org/version/1.1"}'


def test_head_has_headers_and_no_body(site: Any) -> None:
    """Mutation it kills (docs/promises.md): ``serve/app.py`` setting the ``Link`` header on GET only."""
    get = requests.get(site.url + "all.rss", headers={"Accept-Encoding": "identity"})
    head = requests.head(site.url + "all.rss", headers={"Accept-Encoding": "identity"})
    assert head.status_code == 200 and head.content == b""
    for header in ("Content-Type", "Content-Length", "ETag", "Last-Modified", "Link"):
        assert head.headers[header] == get.headers[header]
    assert int(head.headers["Content-Length"]) == len(get.content)


def test_gzip_when_accepted(site: Any) -> None:
    """Mutation it kills (docs/promises.md): ``serve/app.py`` ``accept_encodings["gzip"] > 0`` made
    ``>= 0`` (gzip sent to a client that refuses it)."""
    raw = requests.get(site.url + "all.atom", headers={"Accept-Encoding": "gzip"}, stream=True)
    assert raw.headers["Content-Encoding"] == "gzip"
    body = raw.raw.read()
    assert gzip.decompress(body) == (site.feeds / "all.atom").read_bytes()
    assert len(body) < (site.feeds / "all.atom").stat().st_size
    refused = requests.get(site.url + "all.atom", headers={"Accept-Encoding": "gzip;q=0, identity"})
    assert "Content-Encoding" not in refused.headers


def test_link_headers_for_websub_discovery(site: Any) -> None:
    links = requests.get(site.url + "all.atom").headers["Link"]
    assert '<https://hub.example.org/>; rel="hub"' in links
    assert links.count('rel="self"') == 1
    assert '<https://feeds.example.org/all.atom>; rel="self"' in links
    mirror = requests.get(site.url + "mirror.rss").headers["Link"]  # per-output base_url and hubs = []
    assert mirror == '<https://cdn.example.net/f/mirror.rss>; rel="self"'


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH", "OPTIONS"])
def test_only_get_and_head(site: Any, method: str) -> None:
    response = requests.request(method, site.url + "all.atom")
    assert response.status_code == 405
    assert response.headers["Allow"] == "GET, HEAD"


TRAVERSALS = [
    "/../secret.atom",
    "/..%2fsecret.atom",
    "/%2e%2e/secret.atom",
    "/%2e%2e%2fsecret.atom",
    "/%2E%2E%2Fsecret.atom",
    "/%252e%252e%252fsecret.atom",
    "/..%252fsecret.atom",
    "/..\\secret.atom",
    "/%5c..%5csecret.atom",
    "/..%5csecret.atom",
    "/....//secret.atom",
    "/%c0%ae%c0%ae/secret.atom",
    "//secret.atom",
    "/sub/inner.atom",
    "/sub%2finner.atom",
    "/sub/../all.atom",
    "/./all.atom",
    "/all.atom%00",
    "/all.atom%00.txt",
    "/leak.atom",  # a symlink inside feeds_dir pointing outside
    "/.all.atom.tmp",
    "/ALL.ATOM",
    "/nope.atom",
    "/all.xml",
    "/all",
    "/tiny.json/",
    "/etc/passwd",
]


@pytest.mark.parametrize("path", TRAVERSALS)
def test_nothing_outside_feeds_dir_is_reachable(site: Any, path: str) -> None:
    status, body = raw_get(site, path)
    assert status == 404
    assert b"SECRET" not in body


def test_absolute_paths_are_refused(site: Any) -> None:
    encoded = "/%2F" + str(site.outside).lstrip("/").replace("/", "%2F")
    for path in (str(site.outside), "/" + str(site.outside), encoded):
        status, body = raw_get(site, path)
        assert status in (400, 404) and b"SECRET" not in body


def test_nul_byte_in_request_line(site: Any) -> None:
    with socket.create_connection(("127.0.0.1", site.server.port), timeout=5) as sock:
        sock.sendall(b"GET /all.atom\x00/../secret.atom HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    assert answer.split(b" ", 2)[1] in (b"400", b"404") and b"SECRET" not in answer


class _Balance(HTMLParser):
    VOID: ClassVar[set[str]] = {"meta", "link", "br", "img", "input", "hr"}

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.errors: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack.pop() != tag:
            self.errors.append(f"unexpected </{tag}>")


def test_index_lists_outputs_escaped(site: Any) -> None:
    response = requests.get(site.url)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"
    checker = _Balance()
    checker.feed(response.text)
    checker.close()
    assert checker.errors == [] and checker.stack == []
    assert "<script>" not in response.text and "&lt;script&gt;" in response.text
    doc = html.fromstring(response.content)
    hrefs = doc.xpath("//body//a/@href")
    assert "https://feeds.example.org/all.atom" in hrefs
    assert "https://feeds.example.org/all.json" in hrefs
    assert "https://cdn.example.net/f/mirror.rss" in hrefs
    alternates = doc.xpath('//head/link[@rel="alternate"]/@type')
    assert "application/atom+xml" in alternates


def test_opml_lists_outputs(site: Any) -> None:
    response = requests.get(site.url + "opml")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/x-opml")
    root = etree.fromstring(response.content)
    assert root.tag == "opml" and root.get("version") == "2.0"
    assert root.findtext("head/title")
    outlines = root.findall("body/outline")
    assert [(o.get("type"), o.get("xmlUrl")) for o in outlines] == [
        ("rss", "https://feeds.example.org/all.atom"),
        ("rss", "https://cdn.example.net/f/mirror.rss"),
    ]
    assert outlines[0].get("text") == outlines[0].get("title") == site.outputs[0].title  # escaped, read back exact
    assert outlines[0].get("htmlUrl") == "https://www.example.org/?a=1&b=2"


def test_healthz_and_metrics(site: Any) -> None:
    assert requests.get(site.url + "healthz").text == "ok\n"
    site.health[0] = (False, "database locked\nby another process")
    response = requests.get(site.url + "healthz")
    assert response.status_code == 503 and response.text == "database locked by another process\n"
    metrics = requests.get(site.url + "metrics")
    assert metrics.status_code == 200 and "syndicate_up 1" in metrics.text
    assert metrics.headers["Content-Type"].startswith("text/plain; version=0.0.4")


def test_extra_routes_get_any_method(site: Any) -> None:
    response = requests.post(site.url + "websub/all", data="x")
    assert response.status_code == 202 and response.text == "callback POST /websub/all"


def test_without_optional_routes(tmp_path: Path) -> None:
    def broken_health() -> tuple[bool, str]:
        raise RuntimeError("boom")

    server = start_in_thread(
        make_app(tmp_path, hubs=[], base_url="http://x/", outputs=[], health=broken_health), "127.0.0.1", 0
    )
    try:
        assert requests.get(server.url + "metrics").status_code == 404
        health = requests.get(server.url + "healthz")
        assert health.status_code == 503 and "RuntimeError" in health.text
        assert requests.get(server.url + "all.atom").status_code == 404
        assert requests.get(server.url).status_code == 200
    finally:
        server.stop()
    with pytest.raises(requests.ConnectionError):
        requests.get(server.url, timeout=2)


@pytest.mark.parametrize("name", sorted(TYPES))
def test_self_link_in_document_is_the_served_url(site: Any, name: str) -> None:
    """W3C Feed Validator: the document's self link must be where it is served (here behind BASE_URL)."""
    response = requests.get(site.url + name)
    header_self = next(
        part.split(">")[0].lstrip(" <") for part in response.headers["Link"].split(",") if 'rel="self"' in part
    )
    assert header_self == "https://feeds.example.org/" + name
    if name.endswith(".json"):
        assert response.json()["feed_url"] == header_self
    else:
        root = etree.fromstring(response.content)
        links = root.iter("{http://www.w3.org/2005/Atom}link")
        assert [ln.get("href") for ln in links if ln.get("rel") == "self"] == [header_self]
