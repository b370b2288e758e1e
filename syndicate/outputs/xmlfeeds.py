"""Atom 1.0 and RSS 2.0 documents, built with feedgen plus our extensions.

One :class:`~feedgen.feed.FeedGenerator` is built per document, configured
for its format (feedgen's RSS channel ``<link>`` is the last link added,
whatever its rel, so the order of ``fg.link`` calls matters there).
"""

from __future__ import annotations

from typing import Any

from feedgen.feed import FeedGenerator

from syndicate.outputs.facts import GENERATOR, EntryFacts, FeedFacts
from syndicate.outputs.feedgen_ext import EXTENSION_NAME, AtomFeedExtension, EntryExtension, RssFeedExtension


def render_atom(facts: FeedFacts) -> bytes:
    fg = _generator(facts, "atom")
    fg.link(href=facts.site_url, rel="alternate", type="text/html")
    fg.link(href=facts.self_url, rel="self", type=facts.media_type)
    for hub in facts.hubs:
        fg.link(href=hub, rel="hub")
    if facts.archive is not None:
        for rel, href in (("current", facts.archive.current), ("prev-archive", facts.archive.prev_archive),
                          ("next-archive", facts.archive.next_archive)):
            if href:
                fg.link(href=href, rel=rel, type=facts.media_type)
    if facts.subtitle:
        fg.subtitle(facts.subtitle)
    if facts.icon:
        fg.icon(facts.icon)
    if facts.needs_author:
        fg.author(name=facts.curator)
    for entry in facts.entries:
        fe = _entry(fg, entry)
        if entry.published:
            fe.published(entry.published)
        for author in entry.authors:
            fe.author(name=author)
        if entry.rights_line:
            fe.rights(entry.rights_line)
    data: bytes = fg.atom_str(pretty=True, encoding="UTF-8", xml_declaration=True)
    return data


def render_rss(facts: FeedFacts) -> bytes:
    fg = _generator(facts, "rss")
    fg.link(href=facts.self_url, rel="self", type=facts.media_type)
    fg.link(href=facts.site_url, rel="alternate")  # last: it becomes the channel <link>
    fg.description(facts.subtitle or facts.title)
    fg.lastBuildDate(facts.updated)
    if facts.icon:
        fg.image(url=facts.icon, title=facts.title, link=facts.site_url)
    for entry in facts.entries:
        fe = _entry(fg, entry)
        fe.published(entry.published or entry.updated)  # RSS pubDate
    data: bytes = fg.rss_str(pretty=True, encoding="UTF-8", xml_declaration=True)
    return data


def _generator(facts: FeedFacts, fmt: str) -> FeedGenerator:
    fg = FeedGenerator()
    feed_extension = AtomFeedExtension if fmt == "atom" else RssFeedExtension
    fg.register_extension(EXTENSION_NAME, feed_extension, EntryExtension, atom=fmt == "atom", rss=fmt == "rss")
    getattr(fg, EXTENSION_NAME).set_facts(facts)
    fg.id(facts.id)
    fg.title(facts.title)
    fg.updated(facts.updated)
    fg.generator(GENERATOR)
    if facts.language:
        fg.language(facts.language)
    return fg


def _entry(fg: FeedGenerator, entry: EntryFacts) -> Any:
    fe = fg.add_entry(order="append")
    getattr(fe, EXTENSION_NAME).set_facts(entry)
    fe.guid(entry.id, permalink=False)
    fe.title(entry.title)
    if entry.url:
        fe.link(href=entry.url, rel="alternate")
    fe.updated(entry.updated)
    fe.content(entry.content_html, type="html")
    if entry.summary:
        fe.summary(entry.summary)
    for tag in entry.tags:
        fe.category(term=tag)
    return fe
