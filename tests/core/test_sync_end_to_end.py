"""Issue #2's acceptance, through the real command: bundled samples, conditional GET, failing sources."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import feedparser

from tests.helpers.cli import REPO, articles_json, run_cli, write_config
from tests.helpers.feedserver import FeedServer

RSS = """<?xml version="1.0"?><rss version="2.0"><channel><title>{title}</title><link>https://{host}/</link>
<description>d</description>{items}</channel></rss>"""
ITEM = """<item><title>{title}</title><link>https://{host}/{slug}</link><guid>{host}-{slug}</guid>
<pubDate>Tue, 24 Nov 2026 0{n}:00:00 GMT</pubDate>
<description>&lt;p&gt;Body of {title}, a real paragraph of text.&lt;/p&gt;</description></item>"""


def rss(host: str, count: int, title: str = "Feed") -> str:
    items = "".join(ITEM.format(title=f"{host} story {i}", host=host, slug=f"s{i}", n=i % 10) for i in range(count))
    return RSS.format(title=title, host=host, items=items)


def copy_default_config(tmp_path: Path) -> Path:
    shutil.copytree(REPO / "config", tmp_path / "config")
    return tmp_path / "config" / "syndicate.toml"


def test_bundled_samples_fill_feeds_offline(tmp_path: Path) -> None:
    """Mutation it kills (docs/promises.md): ``outputs/jsonfeed.py`` writing ``facts.entries[1:]`` as
    the JSON feed's items (7 Atom entries, 6 JSON items)."""
    config = copy_default_config(tmp_path)
    first = run_cli("sync", config=config)
    assert first.returncode == 0, first.stderr
    assert "5 fetched" in first.stdout
    feeds = tmp_path / "feeds"
    names = sorted(p.name for p in feeds.iterdir() if p.is_file())
    assert names == ["all.atom", "all.json", "all.rss", "harbor.atom", "harbor.json", "harbor.rss"]
    assert sorted(p.name for p in (feeds / "assets").iterdir()) == ["feed.xsl", "site.css"]  # what the feeds link
    atom = feedparser.parse((feeds / "all.atom").read_bytes())
    assert not atom.bozo, atom.get("bozo_exception")
    assert len(atom.entries) >= 6
    rss_doc = feedparser.parse((feeds / "all.rss").read_bytes())
    assert not rss_doc.bozo and len(rss_doc.entries) == len(atom.entries)
    json_feed = json.loads((feeds / "all.json").read_text())
    assert json_feed["version"] == "https://jsonfeed.org/version/1.1"
    assert len(json_feed["items"]) == len(atom.entries)

    mtimes = {p.name: p.stat().st_mtime_ns for p in feeds.iterdir()}
    second = run_cli("sync", "--all", config=config)
    assert second.returncode == 0, second.stderr
    assert "5 not modified" in second.stdout
    assert "0 written" in second.stdout
    assert {p.name: p.stat().st_mtime_ns for p in feeds.iterdir()} == mtimes


def test_republished_copy_merges_with_original_in_samples(tmp_path: Path) -> None:
    config = copy_default_config(tmp_path)
    assert run_cli("sync", config=config).returncode == 0
    ferry = [a for a in articles_json(config) if a["title"] == "Ferry fares frozen for another year"]
    assert len(ferry) == 1
    article = ferry[0]
    assert article["url"] == "https://harborgazette.example/2026/11/ferry-fares-frozen"
    assert {c["source"] for c in article["copies"]} == {"harbor-gazette", "coastal-commons"}
    assert [r["name"] for r in article["attribution"]["republishers"]] == ["Coastal Commons"]
    assert article["rights"]["license"] == "CC-BY-4.0"
    assert "patreon" not in article["content_html"].lower()


def test_second_sync_sends_conditional_requests_and_rewrites_nothing(tmp_path: Path, feed_server: FeedServer) -> None:
    urls = [feed_server.serve(f"/f{i}.xml", rss(f"h{i}.example", 3)) for i in range(3)]
    body = "".join(f'[[source]]\nname = "s{i}"\nurl = "{u}"\n' for i, u in enumerate(urls))
    body += '[[output]]\nname = "all"\n'
    config = write_config(tmp_path, body)
    first = run_cli("sync", config=config)
    assert first.returncode == 0, first.stderr
    assert "3 fetched" in first.stdout and "9 new" in first.stdout
    mtimes = {p.name: p.stat().st_mtime_ns for p in (tmp_path / "feeds").iterdir()}
    second = run_cli("sync", "--all", config=config)
    assert second.returncode == 0, second.stderr
    assert "3 not modified" in second.stdout
    for i in range(3):
        conditional = feed_server.requests_to(f"/f{i}.xml")[-1].headers
        assert conditional.get("if-none-match"), conditional
        assert conditional.get("user-agent", "").startswith("syndicate/")
    assert {p.name: p.stat().st_mtime_ns for p in (tmp_path / "feeds").iterdir()} == mtimes


def test_failing_sources_do_not_stop_the_others(tmp_path: Path, feed_server: FeedServer) -> None:
    good = feed_server.serve("/good.xml", rss("good.example", 2))
    broken = feed_server.serve("/500.xml", "oops", status=500, validators=False)
    garbage = feed_server.serve("/garbage.xml", b"\x00\x01 this is not a feed <<<", content_type="text/html")
    dead = "http://127.0.0.1:9/feed.xml"  # discard port: nothing listens
    body = (
        "".join(
            f'[[source]]\nname = "{n}"\nurl = "{u}"\n'
            for n, u in (("good", good), ("broken", broken), ("garbage", garbage), ("dead", dead))
        )
        + '[[output]]\nname = "all"\n'
    )
    config = write_config(tmp_path, body)
    result = run_cli("sync", config=config)
    assert result.returncode == 3, (result.stdout, result.stderr)
    assert "1 fetched" in result.stdout and "3 failed" in result.stdout
    for name in ("broken", "garbage", "dead"):
        lines = [ln for ln in result.stderr.splitlines() if f"source {name} failed" in ln]
        assert len(lines) == 1, result.stderr
    assert len(articles_json(config)) == 2
    status = run_cli("status", "--json", config=config)
    assert status.returncode == 0, status.stderr
    by_name = {s["name"]: s for s in json.loads(status.stdout)["sources"]}
    assert by_name["good"]["status"] == "ok" and by_name["good"]["error"] is None
    assert by_name["broken"]["http_status"] == 500 and "500" in by_name["broken"]["error"]
    assert "not a feed" in by_name["garbage"]["error"]
    assert by_name["dead"]["error"]
    assert (tmp_path / "feeds" / "all.atom").is_file()


def test_permanent_redirect_updates_the_stored_url_and_410_disables(tmp_path: Path, feed_server: FeedServer) -> None:
    new = feed_server.serve("/new.xml", rss("moved.example", 1))
    old = feed_server.serve("/old.xml", "", status=301, headers={"Location": new}, validators=False)
    gone = feed_server.serve("/gone.xml", "", status=410, validators=False)
    body = f'[[source]]\nname = "moved"\nurl = "{old}"\n[[source]]\nname = "gone"\nurl = "{gone}"\n'
    config = write_config(tmp_path, body + '[[output]]\nname = "all"\n')
    result = run_cli("sync", config=config)
    assert result.returncode == 3
    status = {s["name"]: s for s in json.loads(run_cli("status", "--json", config=config).stdout)["sources"]}
    assert status["moved"]["url"] == new and status["moved"]["moved_from"] == old
    assert status["gone"]["status"] == "disabled" and "gone" in status["gone"]["disabled"]
    again = run_cli("sync", config=config)
    assert len(feed_server.requests_to("/gone.xml")) == 1  # not fetched again while disabled
    assert len(feed_server.requests_to("/old.xml")) == 1  # the new URL is used directly
    assert again.returncode == 0, again.stderr


def test_config_error_exits_1_with_one_line(tmp_path: Path) -> None:
    """Mutations it kills (docs/promises.md): ``config.py`` leaving the key out of the message;
    ``cli/main.py`` exiting 2 instead of ``EXIT_USAGE`` on a ``SyndicateError``."""
    config = write_config(tmp_path, '[[source]]\nname = "a"\nurl = "x.rss"\nintervall = "5m"\n')
    for command in (("check",), ("sync",), ("status",)):
        result = run_cli(*command, config=config)
        assert result.returncode == 1
        assert result.stderr.count("\n") == 1 and "intervall: unknown key" in result.stderr
        assert "Traceback" not in result.stderr


def test_check_ok() -> None:
    result = run_cli("check", config=REPO / "config" / "syndicate.toml")
    assert result.returncode == 0 and "ok (5 sources" in result.stdout
