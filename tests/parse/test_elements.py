"""One behaviour per test, on small feeds: rights vocabulary, authors, links, source, hints, tombstones."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from syndicate.models import Link, Person, Tombstone
from syndicate.parse import parse_feed

URL = "https://feed.example/feed/"


def rss_item(inner: str, channel: str = "", ns: str = "") -> bytes:
    return (
        f'<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0" {ns}><channel><title>T</title>'
        f"<link>https://feed.example/</link>{channel}<item><title>I</title>{inner}</item></channel></rss>"
    ).encode()


def atom(inner: str, feed_level: str = "", ns: str = "") -> bytes:
    return (
        f'<feed xmlns="http://www.w3.org/2005/Atom" {ns}><title>F</title><id>urn:f</id>{feed_level}'
        f"<entry><id>urn:e</id>{inner if '<title' in inner else '<title>E</title>' + inner}</entry></feed>"
    ).encode()


# ---------------------------------------------------------------- authors


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("jane@orig.example (Jane Roe)", Person("Jane Roe", email="jane@orig.example")),
        ("Jane Roe &lt;jane@orig.example&gt;", Person("Jane Roe", email="jane@orig.example")),
        ("jane@orig.museum", Person("jane@orig.museum", email="jane@orig.museum")),
        ("jane@x.com (Jane)", Person("Jane", email="jane@x.com")),
        ("Jane Roe", Person("Jane Roe")),
    ],
)
def test_rss_author_forms(raw: str, expected: Person) -> None:
    feed = parse_feed(rss_item(f"<author>{raw}</author>"), {}, URL)
    assert feed.entries[0].authors == (expected,)


def test_dc_creators_become_authors() -> None:
    ns = 'xmlns:dc="http://purl.org/dc/elements/1.1/"'
    feed = parse_feed(rss_item("<dc:creator>Ann</dc:creator><dc:creator>Bob</dc:creator>", ns=ns), {}, URL)
    assert [a.name for a in feed.entries[0].authors] == ["Ann", "Bob"]


def test_atom_author_with_uri_and_email() -> None:
    body = atom("<author><name>Au</name><uri>https://au.example/</uri><email>au@x.example</email></author>")
    feed = parse_feed(body, {}, URL)
    assert feed.entries[0].authors == (Person("Au", url="https://au.example/", email="au@x.example"),)


def test_mangled_managing_editor_is_repaired() -> None:
    feed = parse_feed(rss_item("", channel="<managingEditor>ed@news.example (Ed)</managingEditor>"), {}, URL)
    assert feed.authors == (Person("Ed", email="ed@news.example"),)


def test_webmaster_is_not_the_publisher() -> None:
    feed = parse_feed(rss_item("", channel="<webMaster>wm@news.example (Web)</webMaster>"), {}, URL)
    assert feed.rights.publisher is None


# ---------------------------------------------------------------- rights


@pytest.mark.parametrize(
    "namespace",
    [
        "http://backend.userland.com/creativeCommonsRssModule",
        "http://cyber.law.harvard.edu/rss/creativeCommonsRssModule.html",
    ],
)
def test_creative_commons_license_both_namespaces(namespace: str) -> None:
    lic = "https://creativecommons.org/licenses/by/4.0/"
    ns = f'xmlns:cc="{namespace}"'
    body = rss_item(f"<cc:license>{lic}</cc:license>", channel=f"<cc:license>{lic}x</cc:license>", ns=ns)
    feed = parse_feed(body, {}, URL)
    assert feed.entries[0].rights.license_urls == (lic,)
    assert feed.rights.license_urls == (lic + "x",)


def test_atom_rights_and_license_link_at_both_levels() -> None:
    body = atom(
        '<rights type="html">&lt;b&gt;Entry&lt;/b&gt; &amp;copy; 2024</rights><link rel="license" href="https://lic.example/e"/>',
        feed_level='<rights>Feed rights</rights><link rel="license" href="https://lic.example/f"/>',
    )
    feed = parse_feed(body, {}, URL)
    assert feed.rights.statement == "Feed rights"
    assert feed.rights.license_urls == ("https://lic.example/f",)
    assert feed.entries[0].rights.statement == "Entry © 2024"
    assert feed.entries[0].rights.license_urls == ("https://lic.example/e",)


def test_dcterms_elements_feedparser_leaves_raw() -> None:
    ns = 'xmlns:dcterms="http://purl.org/dc/terms/"'
    inner = (
        "<dcterms:rights>R</dcterms:rights><dcterms:license>https://lic.example/</dcterms:license>"
        "<dcterms:creator>C</dcterms:creator><dcterms:publisher>P</dcterms:publisher>"
        "<dcterms:source>https://orig.example/a</dcterms:source>"
    )
    rights = parse_feed(rss_item(inner, ns=ns), {}, URL).entries[0].rights
    assert (rights.statement, rights.license_urls, rights.creators, rights.publisher, rights.dc_source) == (
        "R",
        ("https://lic.example/",),
        ("C",),
        "P",
        "https://orig.example/a",
    )


def test_media_copyright_text_survives_its_url_attribute() -> None:
    ns = 'xmlns:media="http://search.yahoo.com/mrss/"'
    inner = (
        '<media:group><media:copyright url="https://terms.example/">2024 Photo Agency</media:copyright></media:group>'
    )
    feed = parse_feed(rss_item(inner, ns=ns), {}, URL)
    assert feed.entries[0].rights.media_copyright == "2024 Photo Agency"


def test_media_credit_and_license() -> None:
    ns = 'xmlns:media="http://search.yahoo.com/mrss/"'
    inner = (
        '<media:credit role="photographer">Pat</media:credit>'
        '<media:license type="text/html" href="https://lic.example/media">Some licence</media:license>'
    )
    rights = parse_feed(rss_item(inner, ns=ns), {}, URL).entries[0].rights
    assert rights.media_credits == ("Pat",)
    assert rights.license_urls == ("https://lic.example/media",)


def test_rss_copyright_is_the_feed_statement() -> None:
    feed = parse_feed(rss_item("", channel="<copyright>© 2024 Outlet</copyright>"), {}, URL)
    assert feed.rights.statement == "© 2024 Outlet"
    assert feed.entries[0].rights.statement is None  # inheritance is normalize's job


def test_dc_publisher_and_source() -> None:
    ns = 'xmlns:dc="http://purl.org/dc/elements/1.1/"'
    inner = (
        "<dc:publisher>Outlet</dc:publisher><dc:source>https://orig.example/x</dc:source><dc:rights>DC R</dc:rights>"
    )
    rights = parse_feed(rss_item(inner, ns=ns), {}, URL).entries[0].rights
    assert (rights.publisher, rights.dc_source, rights.statement) == ("Outlet", "https://orig.example/x", "DC R")


# ---------------------------------------------------------------- links, ids, dates


def test_every_link_keeps_rel_and_type() -> None:
    body = atom(
        '<link href="/a"/><link rel="via" href="https://orig.example/a" type="text/html"/>'
        '<link rel="related" href="https://rel.example/"/>'
        '<link rel="enclosure" href="https://x.example/a.mp3" type="audio/mpeg" length="1"/>'
    )
    entry = parse_feed(body, {}, URL).entries[0]
    assert entry.link == "https://feed.example/a"
    assert [(lk.rel, lk.href) for lk in entry.links] == [
        ("alternate", "https://feed.example/a"),
        ("via", "https://orig.example/a"),
        ("related", "https://rel.example/"),
        ("enclosure", "https://x.example/a.mp3"),
    ]
    assert entry.links[3].type == "audio/mpeg"


def test_relative_guid_is_kept_as_written() -> None:
    feed = parse_feed(rss_item("<guid>12345</guid>"), {}, URL)
    assert feed.entries[0].guid == "12345"


def test_guid_falls_back_to_link_then_hash() -> None:
    with_link = parse_feed(rss_item("<link>https://feed.example/a</link>"), {}, URL).entries[0]
    assert with_link.guid == "https://feed.example/a"
    dated = rss_item("<pubDate>Mon, 06 May 2024 10:00:00 GMT</pubDate>")
    bare = parse_feed(dated, {}, URL).entries[0]
    assert bare.guid is not None and bare.guid.startswith("urn:syndicate:hash:")
    assert parse_feed(dated, {}, URL).entries[0].guid == bare.guid
    other = parse_feed(rss_item("<pubDate>Tue, 07 May 2024 10:00:00 GMT</pubDate>"), {}, URL).entries[0]
    assert other.guid != bare.guid


def test_dates_are_aware_utc_and_nonsense_is_dropped() -> None:
    entry = parse_feed(rss_item("<pubDate>Wed, 01 May 2024 12:30:00 -0500</pubDate>"), {}, URL).entries[0]
    assert entry.published == datetime(2024, 5, 1, 17, 30, tzinfo=UTC)
    nonsense_dates = (
        "yesterday-ish",
        "Wed, 99 May 2024 12:30:00 GMT",
        "0000-00-00T00:00:00Z",
        "Mon, 01 Jan 0001 00:00:00 GMT",
    )
    for nonsense in nonsense_dates:
        assert parse_feed(rss_item(f"<pubDate>{nonsense}</pubDate>"), {}, URL).entries[0].published is None


def test_html_title_becomes_text_and_plain_summary_becomes_html() -> None:
    body = atom('<title type="html">A &amp;amp; &lt;i&gt;B&lt;/i&gt;</title><summary>x &lt; y</summary>')
    entry = parse_feed(body, {}, URL).entries[0]
    assert entry.title == "A & B"
    assert entry.summary_html == "<p>x &lt; y</p>"


# ---------------------------------------------------------------- source


def test_rss_source_element() -> None:
    entry = parse_feed(rss_item('<source url="https://orig.example/rss">Original Outlet</source>'), {}, URL).entries[0]
    assert entry.source is not None
    assert (entry.source.title, entry.source.url) == ("Original Outlet", "https://orig.example/rss")


def test_atom_source_element() -> None:
    inner = (
        "<source><id>urn:src</id><title>Src</title><updated>2024-01-01T00:00:00Z</updated>"
        '<link rel="self" href="https://src.example/feed"/><link rel="alternate" href="https://src.example/"/>'
        '<rights>Src rights</rights><link rel="license" href="https://lic.example/src"/>'
        "<author><name>Src Author</name></author></source>"
    )
    source = parse_feed(atom(inner), {}, URL).entries[0].source
    assert source is not None
    assert (source.id, source.title, source.url, source.link) == (
        "urn:src",
        "Src",
        "https://src.example/feed",
        "https://src.example/",
    )
    assert source.updated == datetime(2024, 1, 1, tzinfo=UTC)
    assert source.rights.statement == "Src rights"
    assert source.rights.license_urls == ("https://lic.example/src",)
    assert source.authors == (Person("Src Author"),)


# ---------------------------------------------------------------- feed level


def test_polling_hints() -> None:
    channel = (
        "<ttl>90</ttl><skipHours><hour>3</hour><hour>4</hour><hour>24</hour></skipHours>"
        "<skipDays><day>Sunday</day><day>monday</day></skipDays>"
        "<sy:updatePeriod>daily</sy:updatePeriod><sy:updateFrequency>3</sy:updateFrequency>"
    )
    ns = 'xmlns:sy="http://purl.org/rss/1.0/modules/syndication/"'
    feed = parse_feed(rss_item("", channel=channel, ns=ns), {}, URL)
    assert (feed.ttl_minutes, feed.skip_hours, feed.skip_days) == (90, (0, 3, 4), ("Monday", "Sunday"))
    assert (feed.update_period, feed.update_frequency) == ("daily", 3)


def test_hubs_from_feed_and_link_header() -> None:
    body = atom(
        "",
        feed_level='<link rel="hub" href="https://hub.example/a"/><link rel="self" href="https://feed.example/atom"/>',
    )
    headers = {"link": '<https://hub.example/b>; rel="hub", </self>; rel="self"'}
    feed = parse_feed(body, headers, URL)
    assert feed.hub_urls == ("https://hub.example/a", "https://hub.example/b")
    assert feed.self_url == "https://feed.example/atom"


def test_self_from_link_header_when_the_feed_has_none() -> None:
    feed = parse_feed(atom(""), {"link": "<https://feed.example/canonical>; rel=self"}, URL)
    assert feed.self_url == "https://feed.example/canonical"


def test_tombstones_and_the_feed_link_they_do_not_overwrite() -> None:
    ns = 'xmlns:at="http://purl.org/atompub/tombstones/1.0"'
    feed_level = (
        '<link href="https://feed.example/"/>'
        '<at:deleted-entry ref="urn:gone" when="2024-05-01T00:00:00+02:00"><link href="https://feed.example/gone"/></at:deleted-entry>'
        '<at:deleted-entry ref="urn:gone2"/>'
    )
    feed = parse_feed(atom("", feed_level=feed_level, ns=ns), {}, URL)
    assert feed.tombstones == (
        Tombstone("urn:gone", datetime(2024, 4, 30, 22, tzinfo=UTC)),
        Tombstone("urn:gone2", None),
    )
    assert feed.link == "https://feed.example/"


def test_a_broken_feed_keeps_its_good_entries() -> None:
    body = (
        b'<rss version="2.0"><channel><title>B</title><item><title>one</title><link>https://b.example/1</link></item>'
        b"<item><title>two & three</title><link>https://b.example/2</link></item>"
    )
    feed = parse_feed(body, {}, URL)
    assert [e.link for e in feed.entries] == ["https://b.example/1", "https://b.example/2"]
    assert feed.warnings and all("\n" not in w for w in feed.warnings)


def test_enclosure_link() -> None:
    entry = parse_feed(rss_item('<enclosure url="/a.mp3" length="5" type="audio/mpeg"/>'), {}, URL).entries[0]
    assert Link("https://feed.example/a.mp3", "enclosure", "audio/mpeg") in entry.links


def test_text_xml_without_charset_reads_the_xml_declaration() -> None:
    body = '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Café</title></channel></rss>'
    feed = parse_feed(body.encode(), {"content-type": "text/xml"}, URL)
    assert (feed.title, feed.warnings) == ("Café", ())


def test_category_label_is_preferred_to_its_term() -> None:
    body = atom('<category term="syria" label="Syria"/><category term="war"/>')
    assert parse_feed(body, {}, URL).entries[0].tags == ("Syria", "war")


def test_tombstones_in_rss_keep_the_channel_link() -> None:
    ns = 'xmlns:at="http://purl.org/atompub/tombstones/1.0" xmlns:atom="http://www.w3.org/2005/Atom"'
    channel = (
        '<atom:link rel="self" href="https://feed.example/rss"/>'
        '<at:deleted-entry ref="https://feed.example/gone"><atom:link href="https://feed.example/gone"/></at:deleted-entry>'
    )
    feed = parse_feed(rss_item("", channel=channel, ns=ns), {}, URL)
    assert feed.tombstones == (Tombstone("https://feed.example/gone"),)
    assert (feed.link, feed.self_url) == ("https://feed.example/", "https://feed.example/rss")
