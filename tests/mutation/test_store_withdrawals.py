"""Withdrawals, tombstones and what an output reads (``syndicate/store/articles.py``), in process.

The same promises as tests/core/test_promises_end_to_end.py (through the CLI), here close enough
to the store for the mutation runs to attribute them (docs/mutation-report.md).
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

from sqlalchemy import Engine, func, select

from syndicate.config import OutputConfig, SourceConfig
from syndicate.models import NormalizedEntry, Tombstone
from syndicate.normalize import normalize_entry
from syndicate.parse import parse_feed
from syndicate.store import articles as store
from syndicate.store.schema import article_keys, articles, copies

T0 = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


def entries(source: str, slugs: list[str], *, tag: str = "Science", language: str = "en") -> list[NormalizedEntry]:
    items = "".join(
        f"""<item><title>{source} story {slug}</title><link>https://{source}.example/{slug}</link>
<guid>{source}-{slug}</guid><pubDate>Tue, 24 Nov 2026 0{n}:00:00 GMT</pubDate><category>{tag}</category>
<author>{slug}@x.example (Writer {slug})</author>
<description>&lt;p&gt;Body of {source} story {slug}, a real paragraph.&lt;/p&gt;</description></item>"""
        for n, slug in enumerate(slugs)
    )
    body = f"""<?xml version="1.0"?><rss version="2.0"><channel><title>{source}</title>
<link>https://{source}.example/</link><language>{language}</language><description>d</description>{items}</channel></rss>"""
    feed = parse_feed(body.encode(), {"content-type": "application/rss+xml"}, f"https://{source}.example/feed")
    config = SourceConfig(name=source, url=f"https://{source}.example/feed")
    return [normalize_entry(e, feed, config) for e in feed.entries]


def titles(found: list) -> list[str]:  # type: ignore[type-arg]
    return [a.title for a in found]


def output(**keys: object) -> OutputConfig:
    return OutputConfig(name="all", **keys)  # type: ignore[arg-type]


def test_a_tombstone_withdraws_only_its_own_source_s_entry_once(engine: Engine) -> None:
    store.ingest(engine, "north", entries("north", ["a", "b"]), T0)
    store.ingest(engine, "south", entries("south", ["a"]), T0)
    when = T0 + timedelta(hours=1)
    other_source = store.ingest(engine, "south", [], when, tombstones=(Tombstone(ref="north-a", when=when),))
    assert other_source.withdrawn == 0  # a guid is only unique within its source
    done = store.ingest(engine, "north", [], T0 + timedelta(hours=2), tombstones=(Tombstone(ref="north-a", when=when),))
    assert done.withdrawn == 1
    again = store.ingest(engine, "north", [], T0 + timedelta(hours=3), tombstones=(Tombstone(ref="north-a"),))
    assert again.withdrawn == 0  # already withdrawn: the first time stands
    unknown = store.ingest(engine, "north", [], T0, tombstones=(Tombstone(ref="north-zzz"),))
    assert unknown.withdrawn == 0
    stored = {a.title: a for a in store.iter_articles(engine)}
    gone = stored["north story a"]
    assert gone.deleted_at is not None and gone.deleted_at.replace(tzinfo=UTC) == when
    assert stored["north story b"].deleted_at is None and stored["south story a"].deleted_at is None
    with engine.connect() as conn:
        changed = conn.execute(select(articles.c.changed_at).where(articles.c.id == gone.id)).scalar_one()
    assert changed.replace(tzinfo=UTC) == when  # outputs see the change


def test_a_tombstone_without_a_time_is_dated_by_the_ingest(engine: Engine) -> None:
    store.ingest(engine, "north", entries("north", ["a"]), T0)
    later = T0 + timedelta(days=1)
    assert store.ingest(engine, "north", [], later, tombstones=(Tombstone(ref="north-a"),)).withdrawn == 1
    (article,) = store.iter_articles(engine)
    assert article.deleted_at is not None and article.deleted_at.replace(tzinfo=UTC) == later


def test_outputs_show_live_articles_and_recent_tombstones_apart(engine: Engine) -> None:
    store.ingest(engine, "north", entries("north", ["a", "b", "c"]), T0)
    store.ingest(engine, "north", [], T0, tombstones=(Tombstone(ref="north-b", when=T0 + timedelta(hours=1)),
                                                      Tombstone(ref="north-a", when=T0 + timedelta(hours=2))))
    everything = output()
    assert titles(store.articles_for_output(engine, everything, None, limit=10)) == ["north story c"]
    stones = store.articles_for_output(engine, everything, None, limit=10, deleted_since=T0)
    assert titles(stones) == ["north story a", "north story b"]  # most recently withdrawn first
    recent = store.articles_for_output(engine, everything, None, limit=10, deleted_since=T0 + timedelta(hours=2))
    assert titles(recent) == ["north story a"]  # the cutoff is inclusive
    assert titles(store.articles_for_output(engine, everything, None, limit=1, deleted_since=T0)) == ["north story a"]


def test_purge_forgets_only_tombstones_older_than_the_cutoff_and_everything_they_own(engine: Engine) -> None:
    store.ingest(engine, "north", entries("north", ["a", "b", "c"]), T0)
    store.ingest(engine, "north", [], T0, tombstones=(Tombstone(ref="north-a", when=T0),
                                                      Tombstone(ref="north-b", when=T0 + timedelta(days=8))))
    ids = {a.title: a.id for a in store.iter_articles(engine)}
    assert store.purge_tombstones(engine, T0 - timedelta(seconds=1)) == 0
    assert store.purge_tombstones(engine, T0) == 0  # withdrawn exactly at the cutoff: shown until then
    assert store.purge_tombstones(engine, T0 + timedelta(days=7)) == 1
    assert sorted(a.title for a in store.iter_articles(engine)) == ["north story b", "north story c"]
    with engine.connect() as conn:
        for table in (copies, article_keys):
            owned = table.c.article_id == ids["north story a"]
            assert conn.execute(select(func.count()).select_from(table).where(owned)).scalar_one() == 0
        kept = conn.execute(select(func.count()).select_from(copies).where(copies.c.article_id == ids["north story b"]))
        assert kept.scalar_one() == 1
    assert store.purge_tombstones(engine, T0 + timedelta(days=7)) == 0
    assert store.count_articles(engine) == 2


def test_output_filters_and_sources(engine: Engine) -> None:
    store.ingest(engine, "north", entries("north", ["a", "b"], tag="Science"), T0)
    store.ingest(engine, "south", entries("south", ["c"], tag="Sports", language="de-AT"), T0)
    assert titles(store.articles_for_output(engine, output(), ["south"], limit=10)) == ["south story c"]
    assert store.articles_for_output(engine, output(), [], limit=10) == []
    assert titles(store.articles_for_output(engine, output(tags=["sports"]), None, limit=10)) == ["south story c"]
    assert titles(store.articles_for_output(engine, output(languages=["de"]), None, limit=10)) == ["south story c"]
    assert titles(store.articles_for_output(engine, output(languages=["en"]), None, limit=10)) == [
        "north story b", "north story a"]
    assert store.articles_for_output(engine, output(languages=["d"]), None, limit=10) == []  # not a prefix match
    assert titles(store.articles_for_output(engine, output(authors=["writer a"]), None, limit=10)) == [
        "north story a"]
    assert titles(store.articles_for_output(engine, output(tags=["science"]), None, limit=1)) == ["north story b"]
    assert titles(list(store.iter_articles(engine, source="north", limit=1))) == ["north story b"]
    newest_first = list(store.iter_articles(engine))
    assert [a.published for a in newest_first] == sorted((a.published for a in newest_first), reverse=True)
    assert titles(newest_first)[0] == "north story b" and len(newest_first) == 3
    assert store.get_article(engine, "no-such-id") is None
    found = store.get_article(engine, newest_first[1].id)
    assert found is not None and found.title == newest_first[1].title


def test_articles_published_at_the_same_time_come_in_id_order(engine: Engine) -> None:
    same = entries("north", ["a", "b", "c"])
    stamp = same[0].published
    store.ingest(engine, "north", [dataclasses.replace(e, published=stamp) for e in same], T0)
    found = store.articles_for_output(engine, output(), None, limit=10)
    assert [a.id for a in found] == sorted(a.id for a in found)
    assert [a.id for a in store.iter_articles(engine)] == sorted(a.id for a in found)
    store.ingest(engine, "north", [], T0, tombstones=tuple(Tombstone(ref=f"north-{s}", when=T0) for s in "abc"))
    stones = store.articles_for_output(engine, output(), None, limit=10, deleted_since=T0)
    assert [a.id for a in stones] == sorted(a.id for a in stones)


def test_an_output_lists_the_newest_first(engine: Engine) -> None:
    store.ingest(engine, "north", entries("north", ["a", "b", "c", "d", "e"]), T0)  # a at 00:00 … e at 04:00
    newest = ["north story e", "north story d", "north story c", "north story b", "north story a"]
    assert titles(store.articles_for_output(engine, output(), None, limit=10)) == newest
    assert titles(store.articles_for_output(engine, output(), None, limit=2)) == newest[:2]
    assert titles(list(store.iter_articles(engine))) == newest


def test_a_filtered_output_reads_a_third_scan_batch_where_the_second_ended(engine: Engine) -> None:
    """Kills ``store.articles.x_articles_for_output__mutmut_54`` (``offset += len(batch)`` made
    ``offset = len(batch)``): with a tag filter the scan reads 200 rows at a time, and here the two
    matches lie in the second (row 300) and the third batch (row 450). The mutant reads the second
    batch again instead of the third, and lists row 300 twice."""
    rows = 452
    stamps = [T0 - timedelta(minutes=n) for n in range(rows)]  # row n is the n-th newest
    items = "".join(
        f"""<item><title>story {n}</title><link>https://north.example/{n}</link><guid>north-{n}</guid>
<pubDate>{format_datetime(stamps[n], usegmt=True)}</pubDate>
<category>{"Match" if n in (300, 450) else "Other"}</category>
<description>Body {n}.</description></item>"""
        for n in range(rows)
    )
    body = f"""<?xml version="1.0"?><rss version="2.0"><channel><title>north</title>
<link>https://north.example/</link><description>d</description>{items}</channel></rss>"""
    feed = parse_feed(body.encode(), {"content-type": "application/rss+xml"}, "https://north.example/feed")
    config = SourceConfig(name="north", url="https://north.example/feed")
    store.ingest(engine, "north", [normalize_entry(e, feed, config) for e in feed.entries], T0)
    assert titles(store.articles_for_output(engine, output(tags=["match"]), None, limit=2)) == [
        "story 300", "story 450"]
    assert titles(store.articles_for_output(engine, output(tags=["match"]), None, limit=5)) == [
        "story 300", "story 450"]
