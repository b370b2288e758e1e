"""One stored entry with control characters or lone surrogates must not break an output."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import feedparser
from hypothesis import HealthCheck, given
from hypothesis import settings as hyp_settings
from hypothesis import strategies as st
from lxml import etree

from syndicate.config import OutputConfig, Settings
from syndicate.models import Article, Attribution, Copy, Republisher, Rights
from syndicate.outputs import render_feed
from syndicate.outputs.text import clean

DIRTY = "A\x00B\x01\x08\x0b\x0c\x1f\x7f\x85\ud800\udfff\ufffeC\tD\nE"


def _dirty_article(new_article: Callable[..., Article]) -> Article:
    return new_article(
        "dirty\x00id\ud800",
        title=f"Title {DIRTY}",
        url="https://news.example/dirty\x07",
        authors=(f"Au{DIRTY}thor", "\x00"),
        summary=f"Sum {DIRTY}",
        content_html=f"<p>{DIRTY}</p>",
        tags=(f"t{DIRTY}", "\ud800"),
        language="en\x00",
        copies=(Copy("src", "https://copy.example/\x01x", "g\x00"),),
        attribution=Attribution(
            original_publisher=f"Pub{DIRTY}",
            original_author="\x1f",
            original_url="https://news.example/dirty",
            republishers=(Republisher(f"Rep{DIRTY}", "https://copy.example/x"),),
        ),
        rights=Rights(holder=f"Hold{DIRTY}", statement=f"© {DIRTY}", license_url="https://cc.example/\x00l"),
    )


def test_clean_keeps_text_and_drops_what_xml_cannot_carry() -> None:
    assert clean(DIRTY) == "ABC\tD\nE"
    assert clean("Новости 🌍 «ok»") == "Новости 🌍 «ok»"
    assert clean(None) == ""


def test_dirty_article_renders_in_every_format(
    new_article: Callable[..., Article],
    settings: Settings,
    output: OutputConfig,
    check_atom: Callable[[bytes], list[str]],
    jsonfeed_schema: dict[str, Any],
) -> None:
    import jsonschema

    article = _dirty_article(new_article)
    good = new_article("good")
    atom = render_feed(output, "atom", [article, good], settings=settings)
    assert check_atom(atom) == []
    rss = render_feed(output, "rss", [article, good], settings=settings)
    etree.fromstring(rss)
    data = render_feed(output, "json", [article, good], settings=settings)
    jsonschema.validate(json.loads(data), jsonfeed_schema)
    for doc in (atom, rss, data):
        text = doc.decode("utf-8")  # strict: no surrogates survived
        assert "\x00" not in text and "\x7f" not in text and "\x85" not in text
    for doc in (atom, rss):
        parsed = feedparser.parse(doc)
        assert not parsed.bozo, parsed.get("bozo_exception")
        assert [e.title for e in parsed.entries] == ["Title ABC\tD\nE", "Title good"]


# any character, plus lone surrogates and C0 controls, which st.characters() leaves out or rarely draws
_nasty = st.text(
    alphabet=st.one_of(st.characters(), st.integers(0xD800, 0xDFFF).map(chr), st.integers(0, 0x1F).map(chr)),
    max_size=40,
)


@hyp_settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(title=_nasty, summary=_nasty, content=_nasty, author=_nasty, tag=_nasty, statement=_nasty)
def test_any_text_gives_valid_documents(
    title: str,
    summary: str,
    content: str,
    author: str,
    tag: str,
    statement: str,
    new_article: Callable[..., Article],
    settings: Settings,
    output: OutputConfig,
    check_atom: Callable[[bytes], list[str]],
) -> None:
    article = new_article(
        "fuzz",
        title=title,
        summary=summary,
        content_html=content,
        authors=(author,),
        tags=(tag,),
        rights=Rights(statement=statement),
    )
    assert check_atom(render_feed(output, "atom", [article], settings=settings)) == []
    assert feedparser.parse(render_feed(output, "rss", [article], settings=settings)).bozo == 0
    json.loads(render_feed(output, "json", [article], settings=settings))
