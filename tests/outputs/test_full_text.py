"""``[[output]] full_text``: an output does not republish whole what the article's terms forbid.

Every test runs the real ``syndicate sync`` on a copy of the bundled sample configuration, whose
Coastal Commons feed carries "Tide gauges to be replaced…" under "© 2026 Coastal Commons. All
rights reserved." and "Ferry fares frozen…" under a CC BY notice.
"""

from __future__ import annotations

import json
from pathlib import Path

import feedparser
import pytest

from syndicate.models import Article
from syndicate.outputs.fulltext import excerpt_text
from tests.helpers.served import sample_config
from tests.helpers.served import synced as run_sync
from tests.outputs.conftest import make_article

RESERVED_TITLE = "Tide gauges to be replaced before storm season"
RESERVED_REST = "Their replacements will report every minute"  # its second sentence: never in an excerpt
RESERVED_FIRST = "The three tide gauges at the outer mole date from 1998"
OPEN_TITLE = "Ferry fares frozen for another year"
OPEN_REST = "Commuters have gained about 1,800 daily trips"
RESERVED_URL = "https://coastalcommons.example/2026/11/20/tide-gauges/"


def synced(tmp_path: Path, *, full_text: str | None = None, agreement: bool = False) -> Path:
    """A copy of config/ with the outputs' full_text set, after `syndicate sync`; the feeds folder."""
    replace = {}
    if full_text is not None:
        for name in ("all", "harbor"):
            replace[f'name = "{name}"\n'] = f'name = "{name}"\nfull_text = "{full_text}"\n'
    if agreement:  # the operator has an agreement with Coastal Commons
        replace['url  = "samples/coastal-commons.atom"\n'] = (
            'url  = "samples/coastal-commons.atom"\nrights = { license = "CC-BY-4.0" }\n'
        )
    run_sync(sample_config(tmp_path, "http://localhost:8080/", replace=replace))
    return tmp_path / "feeds"


def atom_entries(feeds: Path, output: str = "all") -> dict[str, feedparser.FeedParserDict]:
    parsed = feedparser.parse((feeds / f"{output}.atom").read_bytes())
    assert not parsed.bozo, parsed.get("bozo_exception")
    return {e.title: e for e in parsed.entries}


def rss_items(feeds: Path, output: str = "all") -> dict[str, feedparser.FeedParserDict]:
    parsed = feedparser.parse((feeds / f"{output}.rss").read_bytes())
    assert not parsed.bozo, parsed.get("bozo_exception")
    return {e.title: e for e in parsed.entries}


def json_items(feeds: Path, output: str = "all") -> dict[str, dict]:
    document = json.loads((feeds / f"{output}.json").read_text(encoding="utf-8"))
    return {item["title"]: item for item in document["items"]}


def test_default_sends_an_all_rights_reserved_article_as_title_link_and_excerpt(tmp_path: Path) -> None:
    """The sample config's full-text outputs no longer republish the all-rights-reserved article whole,
    in any format, while the entry keeps its rights; the CC-licensed article stays whole.
    Mutation killed: ``in_full`` returning True for "allowed" (the behaviour before) fails here."""
    feeds = synced(tmp_path)
    for output in ("all", "harbor"):
        atom = atom_entries(feeds, output)
        reserved, open_ = atom[RESERVED_TITLE], atom[OPEN_TITLE]
        body = reserved.content[0].value
        assert RESERVED_REST not in body and RESERVED_FIRST in body
        assert f'<a href="{RESERVED_URL}">Read the full article at Coastal Commons</a>' in body
        assert reserved.link == RESERVED_URL
        assert reserved.rights == "© 2026 Coastal Commons. All rights reserved."  # still carries its rights
        assert OPEN_REST in open_.content[0].value

        rss = rss_items(feeds, output)
        assert RESERVED_REST not in rss[RESERVED_TITLE].content[0].value
        assert RESERVED_REST not in rss[RESERVED_TITLE].summary
        assert rss[RESERVED_TITLE].rights == "© 2026 Coastal Commons. All rights reserved."  # dc:rights
        assert OPEN_REST in rss[OPEN_TITLE].content[0].value

        items = json_items(feeds, output)
        item = items[RESERVED_TITLE]
        assert RESERVED_REST not in item["content_html"] and RESERVED_REST not in item.get("summary", "")
        assert item["_syndicate"]["full_text"] is False
        assert item["_syndicate"]["rights"]["license"] == "all-rights-reserved"
        assert OPEN_REST in items[OPEN_TITLE]["content_html"]
        assert "full_text" not in items[OPEN_TITLE]["_syndicate"]


def test_always_is_the_operator_taking_responsibility(tmp_path: Path) -> None:
    """Mutation killed: "always" treated like "allowed"."""
    feeds = synced(tmp_path, full_text="always")
    assert RESERVED_REST in atom_entries(feeds)[RESERVED_TITLE].content[0].value
    assert RESERVED_REST in json_items(feeds)[RESERVED_TITLE]["content_html"]


def test_never_sends_excerpts_only(tmp_path: Path) -> None:
    """Mutation killed: "never" treated like "allowed" (the CC BY article would go out whole)."""
    feeds = synced(tmp_path, full_text="never")
    atom = atom_entries(feeds)
    assert OPEN_REST not in atom[OPEN_TITLE].content[0].value
    assert "Read the full article at" in atom[OPEN_TITLE].content[0].value
    for title, item in json_items(feeds).items():
        assert item["_syndicate"]["full_text"] is False, title


def test_an_agreement_with_the_source_allows_full_text(tmp_path: Path) -> None:
    """A `[source].rights` agreement that grants reuse lets "allowed" carry the article whole, as it lets
    crossposts through. Mutation killed: the outputs ignoring the sources' agreed terms."""
    feeds = synced(tmp_path, agreement=True)
    assert RESERVED_REST in atom_entries(feeds)[RESERVED_TITLE].content[0].value


@pytest.mark.parametrize(
    ("body", "summary", "expected"),
    [
        ("<p>First sentence here. Second sentence there.</p>", "", "First sentence here."),
        ("<p>Roads closed.</p>", "Roads closed along the coast.", "Roads…"),  # one sentence: half of it
        ("", "Only a summary, of several words. And more.", "Only a summary, of several words."),
        ("<p>" + "word " * 200 + "</p>", "", None),
    ],
)
def test_an_excerpt_is_never_the_whole_text(body: str, summary: str, expected: str | None) -> None:
    """Mutation killed: dropping the half-of-one-sentence rule (the excerpt would be "Roads closed.")."""
    article: Article = make_article("x", content_html=body, summary=summary)
    excerpt = excerpt_text(article)
    if expected is not None:
        assert excerpt == expected
    else:
        assert len(excerpt) <= 280 and excerpt.endswith("…")


def test_an_agreement_added_later_rerenders_the_outputs(tmp_path: Path) -> None:
    """The outputs skip rendering when their inputs are unchanged; a source's agreed terms are among those
    inputs. Mutation killed: leaving the sources' rights out of ``_inputs_digest`` (the excerpt would stay)."""
    feeds = synced(tmp_path)
    assert RESERVED_REST not in atom_entries(feeds)[RESERVED_TITLE].content[0].value
    config = tmp_path / "config" / "syndicate.toml"
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace('url  = "samples/coastal-commons.atom"\n',
                                   'url  = "samples/coastal-commons.atom"\nrights = { license = "CC-BY-4.0" }\n'),
                      encoding="utf-8")
    run_sync(config)  # no source is due: nothing fetched, the outputs rendered from the stored articles
    assert RESERVED_REST in atom_entries(feeds)[RESERVED_TITLE].content[0].value
