"""Ingest internals and the desk's reading of articles (``syndicate/store/articles.py``), through
real feeds parsed and normalized, on a real SQLite file (docs/mutation-report.md, issue #21):
copies merged by title when their URLs differ, an edited article that stays withdrawn, an
editor's override kept over a later merge, a redone ingest counted as the first try counted,
searching and listing copies."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

from sqlalchemy import Engine, select

from syndicate.config import SourceConfig
from syndicate.models import NormalizedEntry, Tombstone
from syndicate.normalize import normalize_entry
from syndicate.parse import parse_feed
from syndicate.store import articles as store
from syndicate.store.codec import aware
from syndicate.store.overrides import set_override
from syndicate.store.schema import articles, copies

T0 = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
DAY = datetime(2026, 11, 24, tzinfo=UTC)
BODY = "Body of the story about harbour cranes and the night shift, a real paragraph of text."


def feed(source: str, items: list[tuple[str, str, str]], *, body: str = BODY) -> list[NormalizedEntry]:
    """Entries of a ``source`` feed: (guid, link, title) each, published in order an hour apart."""
    xml = "".join(
        f"""<item><title>{title}</title><link>{link}</link><guid isPermaLink="false">{guid}</guid>
<pubDate>{format_datetime(DAY + timedelta(hours=n), usegmt=True)}</pubDate>
<description>&lt;p&gt;{body}&lt;/p&gt;</description></item>"""
        for n, (guid, link, title) in enumerate(items)
    )
    document = f"""<?xml version="1.0"?><rss version="2.0"><channel><title>{source}</title>
<link>https://{source}.example/</link><description>d</description>{xml}</channel></rss>"""
    parsed = parse_feed(document.encode(), {"content-type": "application/rss+xml"}, f"https://{source}.example/feed")
    config = SourceConfig(name=source, url=f"https://{source}.example/feed")
    return [normalize_entry(e, parsed, config) for e in parsed.entries]


def test_a_copy_under_another_url_joins_the_article_with_its_title(engine: Engine) -> None:
    """``_match``'s fuzzy half: no key in common, the same title, text and day: one article."""
    title = "Harbour cranes work through the night shift"
    store.ingest(engine, "north", feed("north", [("n1", "https://north.example/cranes", title)]), T0)
    [article] = list(store.iter_articles(engine))
    later = T0 + timedelta(hours=1)
    result = store.ingest(engine, "south", feed("south", [("s1", "https://south.example/p?id=7", title)]), later)
    assert (result.new, result.updated + result.unchanged) == (0, 1)
    assert store.count_articles(engine) == 1
    assert [c["source"] for c in store.article_copies(engine, article.id)] == ["north", "south"]
    other = store.ingest(engine, "south", feed("south", [("s2", "https://south.example/p?id=8",
                                                          "Harbour cranes stop for the winter storm")]), later)
    assert other.new == 1 and store.count_articles(engine) == 2  # another title: another article


def test_an_edited_copy_of_a_withdrawn_article_leaves_it_withdrawn(engine: Engine) -> None:
    title = "A story that will be withdrawn later on"
    store.ingest(engine, "north", feed("north", [("n1", "https://north.example/w", title)]), T0)
    gone = T0 + timedelta(hours=1)
    store.ingest(engine, "north", [], gone, tombstones=(Tombstone(ref="n1", when=gone),))
    edited = feed("north", [("n1", "https://north.example/w", title)], body="An edited body, changed after all.")
    result = store.ingest(engine, "north", edited, T0 + timedelta(hours=2))
    assert result.updated == 1
    [article] = list(store.iter_articles(engine))
    assert article.deleted_at == gone and "edited body" in article.content_html


def test_an_editor_s_override_survives_a_later_merge(engine: Engine) -> None:
    title = "A story whose byline an editor corrects"
    store.ingest(engine, "north", feed("north", [("n1", "https://north.example/o", title)]), T0)
    [article] = list(store.iter_articles(engine))
    set_override(engine, article.id, {"original_author": "Ann Editor"}, actor="ed", now=T0)
    edited = feed("north", [("n1", "https://north.example/o", title)], body="The body changed again since.")
    assert store.ingest(engine, "north", edited, T0 + timedelta(hours=1)).updated == 1
    merged = store.get_article(engine, article.id)
    assert merged is not None and merged.attribution.original_author == "Ann Editor"
    assert merged.authors == ("Ann Editor",) and "changed again" in merged.content_html


def test_a_redone_ingest_counts_as_the_first_try_even_with_an_entry_listed_twice(engine: Engine) -> None:
    """A feed that lists one entry twice; the task redone after a lost worker (same ``redo_after``,
    the copies already written) reports what the first try reported. Broken on purpose once
    (``_ingest_one`` called without ``redo_after``): the first try counted 1 new + 1 unchanged,
    the redo 2 new, and the test went red."""
    entry = feed("north", [("n1", "https://north.example/twice", "An entry the feed lists twice over")])[0]
    started = T0 - timedelta(seconds=5)
    first = store.ingest(engine, "north", [entry, entry], T0, redo_after=started)
    again = store.ingest(engine, "north", [entry, entry], T0 + timedelta(seconds=30), redo_after=started)
    counted = (first.new, first.updated, first.unchanged, first.changed_ids)
    assert (again.new, again.updated, again.unchanged, again.changed_ids) == counted
    assert None not in first.changed_ids and store.count_articles(engine) == 1
    later = store.ingest(engine, "north", [entry], T0 + timedelta(hours=1), redo_after=T0 + timedelta(minutes=59))
    assert (later.new, later.unchanged, later.changed_ids) == (0, 1, [])  # a new fetch: unchanged


def test_an_entry_listed_twice_is_one_new_article_and_one_repeat(engine: Engine) -> None:
    """A pass (the pipeline always passes ``redo_after``) over a feed listing one entry twice reports one new
    article, once in ``changed_ids``; the second listing is a repeat, not an earlier try's work. Red before
    the fix: 2 new and the article's id twice."""
    entry = feed("north", [("n1", "https://north.example/twice", "An entry the feed lists twice over")])[0]
    started = T0 - timedelta(seconds=5)
    first = store.ingest(engine, "north", [entry, entry], T0, redo_after=started)
    [article] = list(store.iter_articles(engine))
    assert (first.new, first.updated, first.unchanged, first.changed_ids) == (1, 0, 1, [article.id])


def test_search_matches_title_or_url_literally_newest_first(engine: Engine) -> None:
    items = [
        ("a", "https://north.example/a", "Plain story about 100% rain_fall"),  # 00:00
        ("b", "https://north.example/b", "Second story: back\\slash and rain"),  # 01:00
        ("c", "https://north.example/100pct", "Third story about rainfall totals"),  # 02:00
        ("d", "https://north.example/d", "Fourth story about nothing else at all"),  # 03:00
    ]
    store.ingest(engine, "north", feed("north", items), T0)
    store.ingest(engine, "south", feed("south", [("s", "https://south.example/s", "South story on RAIN")]), T0)

    def titles(**keys: object) -> list[str]:
        return [a.title for a in store.search_articles(engine, **keys)]  # type: ignore[arg-type]

    assert titles(text="100%") == ["Plain story about 100% rain_fall"]  # % is a character, not a wildcard
    assert titles(text="100") == ["Third story about rainfall totals", "Plain story about 100% rain_fall"]
    assert titles(text="n_f") == ["Plain story about 100% rain_fall"]  # _ too
    assert titles(text="back\\slash") == ["Second story: back\\slash and rain"]
    assert titles(text="RAIN", source="north") == [
        "Third story about rainfall totals", "Second story: back\\slash and rain", "Plain story about 100% rain_fall"]
    assert titles(limit=2, offset=1) == ["Third story about rainfall totals", "Second story: back\\slash and rain"]
    assert titles(source="south") == ["South story on RAIN"]


def test_article_copies_name_each_copy_s_publisher_and_the_original_s_own(engine: Engine) -> None:
    title = "The original's own copy and a republished one"
    store.ingest(engine, "outlet", feed("outlet", [("o1", "https://outlet.example/story", title)]), T0)
    [article] = list(store.iter_articles(engine))
    store.ingest(engine, "agg", feed("agg", [("g1", "https://outlet.example/story", title)]), T0 + timedelta(hours=1))
    listed = store.article_copies(engine, article.id)
    assert [(c["source"], c["is_original"], c["seen_at"]) for c in listed] == [
        ("outlet", True, T0), ("agg", False, T0 + timedelta(hours=1))]
    with engine.connect() as conn:
        stored = {r.source: r.entry["attribution"]["original_publisher"]
                  for r in conn.execute(select(copies.c.source, copies.c.entry))}
    assert [c["publisher"] for c in listed] == [stored["outlet"], stored["agg"]]
    assert stored["outlet"] is not None


def test_ingest_results_add_up_field_by_field() -> None:
    total = store.IngestResult(new=1, updated=2, unchanged=3, withdrawn=4, changed_ids=["a"])
    total.add(store.IngestResult(new=10, updated=20, unchanged=30, withdrawn=40, changed_ids=["b", "c"]))
    assert total == store.IngestResult(new=11, updated=22, unchanged=33, withdrawn=44, changed_ids=["a", "b", "c"])


def test_copies_written_since_are_those_of_the_source_at_or_after_the_time(engine: Engine) -> None:
    store.ingest(engine, "north", feed("north", [("n1", "https://north.example/1", "First of the north stories")]), T0)
    later = T0 + timedelta(minutes=10)
    store.ingest(engine, "north", feed("north", [("n2", "https://north.example/2", "Second of the north stories")]),
                 later)
    store.ingest(engine, "south", feed("south", [("s1", "https://south.example/1", "Only south story of them")]),
                 later)
    [second] = [a.id for a in store.iter_articles(engine, source="north") if a.title.startswith("Second")]
    assert store.copies_written_since(engine, "north", later) == [(second, "new")]
    assert len(store.copies_written_since(engine, "north", T0)) == 2
    assert store.copies_written_since(engine, "north", later + timedelta(seconds=1)) == []


def test_an_undated_article_keeps_its_place_when_a_copy_changes(engine: Engine) -> None:
    """No publication date: the outputs sort it by when it was first seen, edits or not."""
    def undated(body: str) -> list[NormalizedEntry]:
        entry = feed("north", [("n1", "https://north.example/u", "An undated story in the north")], body=body)[0]
        return [dataclasses.replace(entry, published=None, updated=None)]

    store.ingest(engine, "north", undated(BODY), T0)
    assert store.ingest(engine, "north", undated("Edited later, a new body."), T0 + timedelta(days=2)).updated == 1
    with engine.connect() as conn:
        sort_at, first_seen = conn.execute(select(articles.c.sort_at, articles.c.first_seen)).one()
    assert aware(sort_at) == aware(first_seen) == T0


def test_search_shows_fifty_at_a_time_unless_asked(engine: Engine) -> None:
    items = [(f"g{n}", f"https://north.example/{n}", f"Story number {n} of many") for n in range(52)]
    store.ingest(engine, "north", feed("north", items[:26]), T0)
    store.ingest(engine, "north", feed("north", items[26:]), T0)
    assert len(store.search_articles(engine)) == 50
    assert len(store.search_articles(engine, limit=60)) == 52
