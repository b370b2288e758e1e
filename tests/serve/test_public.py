"""The public face of a real ``syndicate serve``: the index page names the site and lists each
output's latest items with local styling; every Atom and RSS feed links the XSL stylesheet, stays
the same valid feed for readers, and shows a person who opens it in a browser (real Chromium) a
readable page that explains subscribing."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import feedparser
import pytest
import requests
from lxml import etree, html

from syndicate.config import OutputConfig
from syndicate.serve import make_app, start_in_thread
from syndicate.serve.public import site_title
from tests.helpers.cli import REPO
from tests.helpers.served import sample_config, serving

SITE = "Harbor Town <Syndication> & Co"
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"  # Chromium's
PI = b'<?xml-stylesheet type="text/xsl" href="assets/feed.xsl"?>'
SCREENSHOTS = REPO / "var" / "screenshots"
EXTRA = """
[[output]]
name = "plain"
title = "Without the stylesheet"
stylesheet = false
formats = ["atom"]
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str]]:
    root = tmp_path_factory.mktemp("public")
    config = sample_config(root, "http://127.0.0.1:8080/", extra=EXTRA,
                           replace={'interval  = "30m"': f'interval  = "30m"\ntitle = "{SITE}"'})
    with serving(config) as url:
        yield root / "feeds", url


def test_index_names_the_site_and_lists_latest_items(site: tuple[Path, str]) -> None:
    """Mutation killed: the index ignoring ``[syndicate] title`` or not reading the outputs' documents."""
    feeds, url = site
    response = requests.get(url, timeout=10)
    assert response.status_code == 200 and response.headers["Content-Type"] == "text/html; charset=utf-8"
    assert "<script" not in response.text and "Harbor Town &lt;Syndication&gt; &amp; Co" in response.text
    page = html.fromstring(response.content)
    assert page.findtext(".//title") == SITE and page.findtext(".//h1") == SITE
    sections = page.xpath("//section[@class='output']")
    assert [s.findtext("h2") for s in sections] == ["All syndicated articles", "Harbor news", "Without the stylesheet"]
    newest = [e.title for e in feedparser.parse((feeds / "all.atom").read_bytes()).entries[:5]]
    assert [a.text for a in sections[0].xpath(".//ol[@class='items']//a[@class='title']")] == newest
    assert sections[0].xpath(".//ul[@class='subscribe']//a/@href") == [
        url + "all.atom", url + "all.rss", url + "all.json"]


def test_index_and_feed_pages_use_only_local_assets(site: tuple[Path, str]) -> None:
    """No build step, no external assets: every stylesheet, script and image the pages load is served here."""
    _feeds, url = site
    for path in ("", "all.atom", "all.rss"):
        response = requests.get(url + path, headers={"Accept": BROWSER}, timeout=10)
        assert response.headers["Content-Type"] == "text/html; charset=utf-8", path
        page = html.fromstring(response.content)
        loaded = page.xpath("//link[@rel='stylesheet']/@href | //script/@src | //img/@src | //style/@src")
        assert loaded, path
        for href in loaded:
            absolute = urljoin(url + path, href)
            assert urlsplit(absolute).netloc == urlsplit(url).netloc, href
            assert requests.get(absolute, timeout=10).status_code == 200, absolute
    css = requests.get(url + "assets/site.css", timeout=10)
    assert css.headers["Content-Type"] == "text/css; charset=utf-8" and "prefers-color-scheme" in css.text
    assert requests.get(url + "assets/nothing.css", timeout=10).status_code == 404


@pytest.mark.parametrize("name", ["all.atom", "all.rss", "harbor.atom", "harbor.rss"])
def test_feeds_link_the_stylesheet_and_stay_feeds_for_readers(site: tuple[Path, str], name: str) -> None:
    """Mutation killed: with_stylesheet not applied (no instruction), or applied before the XML declaration
    (the document would no longer parse)."""
    feeds, url = site
    data = (feeds / name).read_bytes()
    assert data.splitlines()[1] == PI and data.startswith(b"<?xml version=")
    for accept in (None, "*/*", "application/atom+xml, application/rss+xml;q=0.9, */*;q=0.1"):
        response = requests.get(url + name, headers={"Accept": accept} if accept else {}, timeout=10)
        assert response.content == data and response.headers["Content-Type"].startswith("application/")
        assert "Accept" in response.headers["Vary"]
    parsed = feedparser.parse(data)
    assert not parsed.bozo and parsed.entries
    xsl = requests.get(url + "assets/feed.xsl", timeout=10)
    assert xsl.headers["Content-Type"] == "text/xsl; charset=utf-8"
    etree.XSLT(etree.fromstring(xsl.content))  # a valid XSLT 1.0 stylesheet


def test_a_browser_asking_for_html_gets_the_readable_page(site: tuple[Path, str]) -> None:
    feeds, url = site
    response = requests.get(url + "all.atom", headers={"Accept": BROWSER}, timeout=10)
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"
    page = html.fromstring(response.content)
    assert page.findtext(".//h1") == "All syndicated articles"
    assert "subscribe in your reader" in page.text_content()
    assert page.findtext(".//code[@class='feed-url']") == url + "all.atom"
    titles = [e.title for e in feedparser.parse((feeds / "all.atom").read_bytes()).entries]
    assert [a.text for a in page.xpath("//ol[@class='items']//a[@class='title']")] == titles
    # JSON Feed has no stylesheet; an output with stylesheet = false is sent as it is
    assert requests.get(url + "all.json", headers={"Accept": BROWSER}, timeout=10).headers[
        "Content-Type"].startswith("application/feed+json")
    plain = requests.get(url + "plain.atom", headers={"Accept": BROWSER}, timeout=10)
    assert plain.headers["Content-Type"].startswith("application/atom+xml") and PI not in plain.content


def _chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found:
        return found
    if os.environ.get("CI") == "true":
        pytest.fail("CI=true and chromium is not installed (apt-get install -y chromium chromium-driver)")
    pytest.skip("chromium is not installed (apt-get install -y chromium chromium-driver)")


def _headless(*args: str) -> subprocess.CompletedProcess[str]:
    command = [_chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-dev-shm-usage", "--window-size=1100,1400", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("path", ["", "all.atom", "all.rss"])
def test_in_a_real_browser(site: tuple[Path, str], path: str) -> None:
    """What a person sees in Chromium: the index and each feed as a page, not raw XML. Screenshots go to
    var/screenshots/ (git-ignored) for a look. Mutation killed: serving browsers the raw feed (Chromium
    shows application/atom+xml as plain text, the XML markup visible)."""
    _feeds, url = site
    dom = _headless("--dump-dom", url + path).stdout
    assert "<h1>" in dom and "&lt;feed" not in dom and "&lt;rss" not in dom
    if path:
        assert "This is a web feed: subscribe in your reader" in dom
    else:
        assert "Harbor Town &lt;Syndication&gt; &amp; Co" in dom and "Latest articles" in dom
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    shot = SCREENSHOTS / f"public-{path.replace('.', '-') or 'index'}.png"
    _headless(f"--screenshot={shot}", url + path)
    assert shot.stat().st_size > 10_000


def test_default_site_title_and_escaping(tmp_path: Path) -> None:
    assert site_title(None, "https://feeds.example.org/news/") == "Feeds from feeds.example.org"
    assert site_title("  Harbor  ", "https://x/") == "Harbor"
    app = make_app(tmp_path, hubs=[], base_url="https://feeds.example.org/", outputs=[OutputConfig(name="all")])
    server = start_in_thread(app, "127.0.0.1", 0)
    try:
        page = html.fromstring(requests.get(server.url, timeout=10).content)
        assert page.findtext(".//h1") == "Feeds from feeds.example.org"
        assert page.findtext(".//p[@class='empty']") == "No articles yet."  # no document rendered yet
    finally:
        server.stop()
