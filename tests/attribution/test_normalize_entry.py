"""normalize_entry on hand-built entries: precedence of rights, attribution signals, fields."""

from __future__ import annotations

from syndicate.models import Link, RawRights, SourceFeedInfo
from syndicate.normalize import normalize_entry
from tests.attribution.conftest import make_entry, make_feed, make_source


def test_own_article_is_original() -> None:
    n = normalize_entry(make_entry(), make_feed(), make_source())
    assert n.is_original
    assert n.url == n.copy_url == "https://harbortimes.example/news/strike"
    assert n.attribution.original_publisher == "Harbor Times"
    assert n.attribution.original_author == "Tom Reyes"
    assert n.attribution.republishers == ()
    assert n.rights.license is None and not n.rights_configured


def test_configured_terms_override_every_other_level() -> None:
    entry = make_entry(
        rights=RawRights(statement="© 2025 Harbor Times. All rights reserved."),
        content_html="<p>Text of the story goes here.</p><p>This work is licensed under CC BY-SA 4.0.</p>",
    )
    source = make_source(rights={"license": "CC-BY-NC-4.0", "holder": "Harbor Times Ltd"})
    n = normalize_entry(entry, make_feed(), source)
    assert n.rights.license == "CC-BY-NC-4.0"
    assert n.rights.conditions == ("attribution", "noncommercial")
    assert n.rights.holder == "Harbor Times Ltd"
    assert n.rights.statement == "© 2025 Harbor Times. All rights reserved."
    assert n.rights_configured


def test_entry_elements_beat_feed_and_prose() -> None:
    entry = make_entry(
        rights=RawRights(license_urls=("https://creativecommons.org/licenses/by/4.0/",)),
        content_html="<p>Story text here for readers.</p><p>© 2025 Other Holder. All rights reserved.</p>",
    )
    feed = make_feed(rights=RawRights(statement="Copyright 2025 Feed Holder. All rights reserved."))
    n = normalize_entry(entry, feed, make_source())
    assert n.rights.license == "CC-BY-4.0"
    assert n.rights.holder == "Feed Holder"  # the first level that names a holder
    assert "All rights reserved" not in n.content_html


def test_prose_applies_when_no_element_says_anything() -> None:
    body = "<p>Story text here for readers.</p><p>© 2025 Harbor Times. All rights reserved.</p>"
    entry = make_entry(content_html=body)
    n = normalize_entry(entry, make_feed(), make_source())
    assert (n.rights.license, n.rights.holder) == ("all-rights-reserved", "Harbor Times")
    assert {notice.kind for notice in n.rights.notices} == {"copyright"}
    assert n.rights.statement == "© 2025 Harbor Times."


def test_feed_rights_are_not_inherited_by_a_copy_from_another_feed() -> None:
    entry = make_entry(source=SourceFeedInfo(title="Port Weekly", url="https://portweekly.example/feed"))
    feed = make_feed(title="Aggregator", link="https://agg.example/", rights=RawRights(statement="© 2025 Aggregator"))
    n = normalize_entry(entry, feed, make_source())
    assert n.rights.holder is None
    assert not n.is_original
    assert n.attribution.original_publisher == "Port Weekly"
    assert [r.name for r in n.attribution.republishers] == ["Aggregator"]


def test_via_link_on_the_same_site_is_not_a_republication() -> None:
    entry = make_entry(links=(Link("https://harbortimes.example/news/earlier", rel="via"),))
    assert normalize_entry(entry, make_feed(), make_source()).is_original


def test_dc_publisher_of_the_same_outlet_is_not_a_republication() -> None:
    entry = make_entry(rights=RawRights(publisher="The Harbor Times"))
    assert normalize_entry(entry, make_feed(title="Harbor Times"), make_source()).is_original


def test_summary_prefers_the_summary_element_and_is_plain_and_bounded() -> None:
    entry = make_entry(summary_html="<p>Short <b>summary</b>.</p>", content_html="<p>" + "long text " * 300 + "</p>")
    n = normalize_entry(entry, make_feed(), make_source())
    assert n.summary == "Short summary."
    n2 = normalize_entry(make_entry(summary_html=None, content_html="<p>" + "long text " * 300 + "</p>"),
                         make_feed(), make_source())
    assert 300 <= len(n2.summary) <= 400 and n2.summary.endswith("…")


def test_language_tags_and_publisher_from_config() -> None:
    entry = make_entry(tags=("Ports", "ports", " Labor "), language=None)
    feed = make_feed(title=None, language="en")
    source = make_source(publisher="Harbor Times", tags=["wire"], language="en-GB")
    n = normalize_entry(entry, feed, source)
    assert n.tags == ("Ports", "Labor", "wire")
    assert n.language == "en-GB"
    assert n.attribution.original_publisher == "Harbor Times"


def test_content_hash_is_stable_and_tracks_meaningful_changes() -> None:
    a = normalize_entry(make_entry(), make_feed(), make_source())
    b = normalize_entry(make_entry(), make_feed(), make_source())
    c = normalize_entry(make_entry(rights=RawRights(statement="© 2025 Harbor Times")), make_feed(), make_source())
    assert a.content_hash == b.content_hash != c.content_hash
    assert a.content_hash.startswith("sha256:")


def test_never_raises_on_values_of_the_wrong_type() -> None:
    entry = make_entry(title=12345, authors=(None,), content_html=b"<p>bytes</p>")
    n = normalize_entry(entry, make_feed(), make_source())
    assert n.title and isinstance(n.content_html, str)


def test_empty_entry() -> None:
    n = normalize_entry(make_entry(title=None, link=None, content_html=None, authors=(), guid=None), make_feed(),
                        make_source())
    assert n.title == "(untitled)" and n.url == "" and n.content_html == "" and n.summary == ""
