"""OPML import/export and editing the configuration in place, through the real command line."""

from __future__ import annotations

import json
import tomllib
from collections import Counter
from pathlib import Path

import pytest

from syndicate.config import load_config
from syndicate.opml import OpmlError, OpmlFeed, SourceSettings, parse_opml, plan_import, slugify
from tests.helpers.cli import run_cli

DATA = Path(__file__).resolve().parents[1] / "data" / "ops"
EXPECTED = json.loads((DATA / "opml_expected.json").read_text())

CONFIG = """# syndicate for the newsroom
[syndicate]
database = "sqlite:///state.db"   # keep me
feeds_dir = "feeds"

# --- sources -----------------------------------------------------------
[[source]]
name = "fireball"          # added by hand
url = "http://daringfireball.net/feeds/main/"
tags = ["Weblogs"]

# --- outputs -----------------------------------------------------------
[[output]]
name = "all"   # everything
"""


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "syndicate.toml"
    path.write_text(CONFIG)
    return path


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_real_world_opml_files_parse(name: str) -> None:
    expected = EXPECTED[name]
    feeds = parse_opml((DATA / name).read_bytes())
    assert len(feeds) == expected["feeds"]
    assert len({f.url for f in feeds}) == len(feeds)
    assert all(f.url.startswith(("http://", "https://")) for f in feeds)
    assert (slugify(feeds[0].title or ""), feeds[0].url) == tuple(expected["first"])
    assert dict(Counter(tag for f in feeds for tag in f.tags)) == expected["tags"]


def test_the_copies_match_the_shared_corpus(shared_dir: Path) -> None:
    origin = shared_dir / "corpus/netnewswire/Modules/RSParser/Tests/RSParserTests/Resources"
    for name in EXPECTED:
        assert (origin / name).read_bytes() == (DATA / name).read_bytes()


def test_folders_and_categories_become_tags_and_a_url_listed_twice_is_one_feed() -> None:
    data = b"""<?xml version="1.0"?><opml version="2.0"><head/><body>
      <outline text="Tech"><outline text="Sub"><outline text="A" xmlUrl="https://a.example/feed"/></outline></outline>
      <outline text="News"><outline text="A again" xmlUrl="HTTPS://A.EXAMPLE/feed/"/></outline>
      <outline text="B" xmlUrl="https://b.example/rss" category="/Science/Physics,/Local"/>
    </body></opml>"""
    assert parse_opml(data) == [
        OpmlFeed("https://a.example/feed", "A", None, ("Tech", "Sub", "News")),
        OpmlFeed("https://b.example/rss", "B", None, ("Physics", "Local")),
    ]


def test_names_are_unique_slugs_and_known_urls_are_skipped(config: Path) -> None:
    feeds = [OpmlFeed("https://x.example/1", "Café Notes"), OpmlFeed("https://x.example/2", "Café  Notes!"),
             OpmlFeed("https://www.y.example/feed", None), OpmlFeed("http://DaringFireball.net/feeds/main", "DF"),
             OpmlFeed("https://z.example/", "Fireball")]
    plan = plan_import(feeds, load_config(config))
    assert [name for name, _ in plan.add] == ["cafe-notes", "cafe-notes-2", "y-example", "fireball-2"]
    assert [f.title for f in plan.already] == ["DF"]


@pytest.mark.parametrize("data", [
    b"<html><body/></html>",
    b"not xml at all",
    b'<?xml version="1.0"?><!DOCTYPE opml [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
    b'<opml><body><outline text="&x;" xmlUrl="https://a.example/"/></body></opml>',
])
def test_what_is_not_a_safe_opml_file_is_refused(data: bytes) -> None:
    try:
        feeds = parse_opml(data)
    except OpmlError as exc:
        assert "\n" not in str(exc)
        return
    assert all("root:" not in (f.title or "") for f in feeds)  # an entity is never expanded


def test_import_then_export_round_trips_and_keeps_the_file_s_comments(config: Path, tmp_path: Path) -> None:
    opml = DATA / "SubsNoTitleAttributes.opml"
    result = run_cli("sources", "import", str(opml), config=config)
    assert result.returncode == 0, result.stderr
    assert "added 205 sources, 1 already configured" in result.stdout
    text = config.read_text()
    for kept in ("# syndicate for the newsroom", 'database = "sqlite:///state.db"   # keep me',
                 'name = "fireball"          # added by hand', "# --- outputs ---", 'name = "all"   # everything'):
        assert kept in text
    loaded = load_config(config)
    assert len(loaded.source) == 206 and len({s.name for s in loaded.source}) == 206
    imported = {f.url: f for f in parse_opml(opml.read_bytes())}
    by_url = {s.url: s for s in loaded.source}
    for url, feed in imported.items():
        if url != "http://daringfireball.net/feeds/main":
            assert tuple(by_url[url].tags) == feed.tags

    again = run_cli("sources", "import", str(opml), config=config)
    assert again.returncode == 0 and "added 0 sources, 206 already configured" in again.stdout
    assert config.read_text() == text  # nothing duplicated, file untouched

    exported = tmp_path / "out.opml"
    assert run_cli("sources", "export", "-o", str(exported), config=config).returncode == 0
    round_trip = {f.url: f.tags for f in parse_opml(exported.read_bytes())}
    assert round_trip == {s.url: tuple(s.tags) for s in loaded.source}
    stdout = run_cli("sources", "export", config=config)
    assert stdout.returncode == 0 and parse_opml(stdout.stdout.encode()) == parse_opml(exported.read_bytes())

    fresh = tmp_path / "fresh"
    fresh.mkdir()
    (fresh / "syndicate.toml").write_text('[syndicate]\ndatabase = "sqlite:///s.db"\n')
    assert run_cli("sources", "import", str(exported), config=fresh / "syndicate.toml").returncode == 0
    assert {s.url: tuple(s.tags) for s in load_config(fresh / "syndicate.toml").source} == round_trip


def test_add_and_remove_edit_the_file_in_place(config: Path) -> None:
    added = run_cli("sources", "add", "lab-notes", "https://lab.example/feed.xml", "--interval", "2h",
                    "--tag", "science", "--tag", "notes", "--no-check", config=config)
    assert added.returncode == 0, added.stderr
    data = tomllib.loads(config.read_text())
    assert data["source"][-1] == {"name": "lab-notes", "url": "https://lab.example/feed.xml", "interval": "2h",
                                  "tags": ["science", "notes"]}
    assert load_config(config).source_by_name("lab-notes").interval == 7200

    duplicate = run_cli("sources", "add", "other", "http://daringfireball.net/feeds/main", config=config)
    assert duplicate.returncode == 1 and "configured already, as source 'fireball'" in duplicate.stderr
    before = config.read_text()
    invalid = run_cli("sources", "add", "Bad Name", "https://bad.example/", config=config)
    assert invalid.returncode == 1 and invalid.stderr.count("\n") == 1 and "not a valid name" in invalid.stderr
    assert config.read_text() == before  # an invalid edit never reaches the file

    removed = run_cli("sources", "remove", "fireball", config=config)
    assert removed.returncode == 0, removed.stderr
    text = config.read_text()
    assert "fireball" not in text and "# syndicate for the newsroom" in text and "# everything" in text
    assert [s.name for s in load_config(config).source] == ["lab-notes"]
    missing = run_cli("sources", "remove", "fireball", config=config)
    assert missing.returncode == 1 and "no source named 'fireball'" in missing.stderr


def test_export_uses_the_feed_s_own_title_and_site_once_fetched(tmp_path: Path) -> None:
    from tests.helpers.cli import write_config
    from tests.helpers.feedserver import FeedServer

    server = FeedServer()
    try:
        url = server.serve("/n.rss", "<?xml version='1.0'?><rss version='2.0'><channel><title>Night  Desk</title>"
                                     "<link>https://night.example/</link><description>d</description></channel></rss>")
        config = write_config(tmp_path, f'[[source]]\nname = "night"\nurl = "{url}"\ntags = ["late"]\n'
                                        '[[source]]\nname = "never-fetched"\nurl = "https://n.example/f"\n')
        assert run_cli("sync", "--source", "night", config=config).returncode == 0
        exported = run_cli("sources", "export", config=config)
    finally:
        server.close()
    assert exported.returncode == 0, exported.stderr
    assert parse_opml(exported.stdout.encode()) == [
        OpmlFeed(url, "Night Desk", "https://night.example/", ("late",), SourceSettings(name="night")),
        OpmlFeed("https://n.example/f", "never-fetched", None, (), SourceSettings(name="never-fetched")),
    ]
