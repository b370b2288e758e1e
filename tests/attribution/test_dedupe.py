"""Keys, same_article near-misses and merge_copies on hand-built copies."""

from __future__ import annotations

import itertools
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from syndicate.dedupe import fuzzy_key, match_keys, merge_copies, same_article, series_markers
from syndicate.models import Notice, RawRights
from syndicate.normalize import normalize_entry
from tests.attribution.conftest import make_entry, make_feed, make_source

BODY = ("<p>Dock workers rejected the latest offer on Thursday, extending a strike that has idled the port for "
        "three weeks and stranded more than forty vessels at anchor outside the breakwater.</p><p>Union leaders said "
        "the authority must drop its plan to automate two container terminals before talks can resume next week.</p>")


def original():  # type: ignore[no-untyped-def]
    return normalize_entry(make_entry(content_html=BODY), make_feed(), make_source())


def republished(name: str, host: str, when_hours: int = 5, extra: str = ""):  # type: ignore[no-untyped-def]
    entry = make_entry(
        guid=f"{name}-1", link=f"https://{host}/strike?utm_source=x",
        published=datetime(2025, 3, 14, 8, 0, tzinfo=UTC) + timedelta(hours=when_hours),
        content_html=BODY + '<p>This article was originally published on <a href="https://harbortimes.example/news/'
                            'strike">Harbor Times</a>.</p>' + extra,
    )
    return normalize_entry(entry, make_feed(title=name, link=f"https://{host}/"), make_source(name=name.lower()))


def test_match_keys() -> None:
    copy = republished("Wire", "wire.example")
    keys = match_keys(copy)
    assert "u:https://harbortimes.example/news/strike" in keys
    assert "u:https://wire.example/strike" in keys
    assert "g:wire:Wire-1" in keys
    home = normalize_entry(make_entry(link="https://harbortimes.example/", guid="tag:harbortimes.example,2025:1"),
                           make_feed(), make_source())
    assert not any(k.startswith("u:") for k in match_keys(home))  # a home page identifies nothing
    assert "i:tag:harbortimes.example,2025:1" in match_keys(home)


def test_fuzzy_key() -> None:
    assert fuzzy_key(original()) == "t:harbor strike enters third week"
    assert fuzzy_key(replace(original(), title="News")) is None


def test_series_markers() -> None:
    assert series_markers("The aquifer crisis, Part 1") != series_markers("The aquifer crisis, Part 2")
    assert series_markers("Chapter II: the flood") == ("ii",)
    assert series_markers("Part one") != series_markers("Part two")


def test_same_article_matches_a_republished_copy_and_refuses_near_misses() -> None:
    a, b = original(), republished("Wire", "wire.example")
    assert same_article(a, b)
    # different story under the same title
    other = replace(
        b, url="https://wire.example/other", attribution=replace(b.attribution, original_url=None),
        copy_url="https://wire.example/other", guid="o", content_html="<p>" + "Something else. " * 40 + "</p>",
    )
    assert not same_article(a, other)
    # same text, a month apart
    late = replace(other, content_html=a.content_html, published=a.published + timedelta(days=30))  # type: ignore[operator]
    assert not same_article(a, late)
    # numbered parts
    part2 = replace(late, title=a.title + " Part 2", published=a.published)
    assert not same_article(replace(a, title=a.title + " Part 1"), part2)


def test_merge_is_deterministic_whatever_the_order() -> None:
    copies = [original(), republished("Wire", "wire.example"), republished("Digest", "digest.example", 9)]
    merged = [merge_copies("x", list(order), None) for order in itertools.permutations(copies)]
    assert all(m == merged[0] for m in merged)
    article = merged[0]
    assert article.url == "https://harbortimes.example/news/strike"
    assert article.attribution.original_publisher == "Harbor Times"
    assert [r.name for r in article.attribution.republishers] == ["Digest", "Wire"]
    assert len(article.copies) == 3
    assert "originally published" not in article.content_html


def test_merge_without_the_original_uses_the_claimed_original_url() -> None:
    article = merge_copies("x", [republished("Wire", "wire.example"), republished("Digest", "digest.example")], None)
    assert article.url == "https://harbortimes.example/news/strike"
    assert article.attribution.original_publisher == "Harbor Times"
    assert [r.name for r in article.attribution.republishers] == ["Digest", "Wire"]


def test_merge_rights_configured_terms_win_else_union() -> None:
    wire = republished("Wire", "wire.example", extra="<p>Disclaimer: views are the author's.</p>")
    digest = republished("Digest", "digest.example", extra="<p>Reprinted with permission.</p>")
    merged = merge_copies("x", [wire, digest], None)
    assert merged.rights.license == "permission"
    assert {n.kind for n in merged.rights.notices} == {"disclaimer", "permission"}
    configured = normalize_entry(
        make_entry(content_html=BODY, rights=RawRights(statement="© 2025 Harbor Times")),
        make_feed(),
        make_source(rights={"license": "CC-BY-ND-4.0"}),
    )
    merged = merge_copies("x", [wire, digest, configured], None)
    assert (merged.rights.license, merged.rights.conditions) == ("CC-BY-ND-4.0", ("attribution", "no-derivatives"))
    assert Notice("disclaimer", "Disclaimer: views are the author's.") in merged.rights.notices
    assert merged.rights.holder == "Harbor Times"


def test_merge_takes_the_latest_update_and_the_originals_publication_time() -> None:
    a = replace(original(), updated=datetime(2025, 3, 15, tzinfo=UTC))
    b = replace(republished("Wire", "wire.example"), updated=datetime(2025, 3, 16, tzinfo=UTC))
    merged = merge_copies("id-1", [b, a], datetime(2025, 3, 14, 9, tzinfo=UTC))
    assert merged.published == a.published
    assert merged.updated == datetime(2025, 3, 16, tzinfo=UTC)
    assert merged.id == "id-1" and merged.first_seen == datetime(2025, 3, 14, 9, tzinfo=UTC)


def test_merge_needs_a_copy() -> None:
    with pytest.raises(ValueError):
        merge_copies("x", [], None)


def test_the_merged_hash_is_always_the_hash_of_the_merged_fields() -> None:
    """An article whose fields are all one copy's takes that copy's hash (computed by normalize from
    the same fields) instead of computing it again: the value is the same."""
    from syndicate.normalize.hashing import content_hash

    edited = normalize_entry(make_entry(content_html=BODY, title="Edited title"), make_feed(), make_source())
    groups = [
        [original()],
        [republished("Wire", "wire.example")],
        [original(), republished("Wire", "wire.example")],
        [republished("Wire", "wire.example"), republished("Digest", "digest.example")],
        [edited],
    ]
    for copies in groups:
        article = merge_copies("x", copies, None)
        expected = content_hash(
            article.title, article.url, article.content_html, article.authors, article.rights, article.attribution
        )
        assert article.content_hash == expected


def test_a_single_copy_is_its_own_primary() -> None:
    """One copy needs no ranking: it is the primary, taken as the original's own when it is one or
    when its attribution names its own URL; otherwise the article points at the original it names."""
    alone = merge_copies("x", [original()], None)
    assert alone.url == "https://harbortimes.example/news/strike" and alone.attribution.republishers == ()

    wire = republished("Wire", "wire.example")
    assert not wire.is_original
    merged = merge_copies("x", [wire], None)
    assert merged.url == "https://harbortimes.example/news/strike"
    assert merged.attribution.original_publisher == "Harbor Times"

    # a copy with no URL of its own that names itself as the original: the article lives where the copy does
    # (the old assertion compared the result with the copy's own `url or copy_url`, which held whatever merge did)
    self_named = replace(wire, url=None, attribution=replace(wire.attribution, original_url=wire.copy_url))
    merged = merge_copies("x", [self_named], None)
    assert merged.url == "https://wire.example/strike"
    assert merged.attribution.original_url == "https://wire.example/strike"
