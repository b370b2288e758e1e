"""Who published a copy first (``syndicate.attribution.attribute``), value by value.

Written against the survivors of issue #21's mutation run over ``attribution/``: each test names
what it pins. No network: entries and feeds are built by hand (``tests/attribution/conftest.py``).
"""

from __future__ import annotations

from syndicate.attribution.attribute import (
    decide,
    feed_evidence,
    is_house_account,
    is_redirector,
    outlet_words,
    own_outlet,
    same_outlet,
    site_label,
    site_of,
)
from syndicate.attribution.notices import Findings
from syndicate.models import Attribution, Evidence, Link, RawRights, SourceFeedInfo
from tests.attribution.conftest import make_entry, make_feed

COPY = "https://harbortimes.example/news/strike"


def _decide(entry=None, feed=None, *, own="Harbor Times", copy_url=COPY, authors=("Tom Reyes",), found=None):
    return decide(entry or make_entry(), feed or make_feed(), own=own, copy_url=copy_url, authors=authors,
                  found=found or Findings())


def test_an_own_article_is_the_original_with_its_author_url_and_own_feed() -> None:
    feed = make_feed(self_url="https://harbortimes.example/rss", rights=RawRights(statement="© Harbor Times"))
    decision = _decide(feed=feed)
    assert decision.is_original and decision.url == COPY
    a = decision.attribution
    assert (a.original_publisher, a.original_author, a.original_url, a.republishers) == (
        "Harbor Times", "Tom Reyes", COPY, ())
    assert a.original_feed == SourceFeedInfo(title="Harbor Times", url="https://harbortimes.example/rss",
                                             link="https://harbortimes.example/", rights=feed.rights, authors=())


def test_the_original_author_of_a_notice_wins_over_the_feed_author() -> None:
    found = Findings(original_authors=("Ann Lee", "Bo Kim"))
    assert _decide(found=found).attribution.original_author == "Ann Lee, Bo Kim"
    assert _decide(authors=()).attribution.original_author is None


def test_a_notice_naming_another_outlet_makes_a_republication() -> None:
    """Kills ``republished = True`` dropped for ``found.publishers`` (the notice's outlet alone decides)."""
    decision = _decide(found=Findings(publishers=("Port Weekly",)))
    assert not decision.is_original
    a = decision.attribution
    assert a.original_publisher == "Port Weekly"
    assert a.republishers[0].name == "Harbor Times" and a.republishers[0].url == COPY
    assert decision.url == COPY  # no original URL known: the copy's own


def test_a_notice_naming_the_own_outlet_is_no_republication() -> None:
    """Kills ``same_outlet(name, own)`` made ``same_outlet(name, None)``."""
    for name in ("Harbor Times", "harbortimes.example", "The Harbor Times"):
        assert _decide(found=Findings(publishers=(name,))).is_original, name


def test_the_original_url_of_a_notice_is_the_canonical_url() -> None:
    found = Findings(publishers=("Port Weekly",), original_urls=("https://portweekly.example/a/1",))
    decision = _decide(found=found)
    assert decision.attribution.original_url == "https://portweekly.example/a/1"
    assert decision.url == "https://portweekly.example/a/1"


def test_an_atom_source_on_another_site_makes_a_republication_even_without_a_title() -> None:
    """The source's site link alone (no title, no feed URL) is on another host: a republication.
    Kills dropping ``source.link`` from the source's hosts and ``&`` made ``|``."""
    entry = make_entry(source=SourceFeedInfo(link="https://portweekly.example/"))
    assert not _decide(entry).is_original
    same = make_entry(source=SourceFeedInfo(link="https://harbortimes.example/"))
    assert _decide(same).is_original
    by_url = make_entry(source=SourceFeedInfo(url="https://portweekly.example/feed"))
    assert not _decide(by_url).is_original


def test_a_via_link_is_resolved_against_the_copy() -> None:
    """A scheme-relative via link (``//host/path``) names another site once resolved against the copy's URL.
    Kills ``clean_url(link.href, None)``."""
    entry = make_entry(links=(Link("//portweekly.example/a/1", rel="via"),))
    decision = _decide(entry)
    assert not decision.is_original
    assert decision.attribution.original_url == "https://portweekly.example/a/1"
    own = make_entry(links=(Link("/news/other", rel="via"),))
    assert _decide(own).is_original


def test_dc_publisher_names_the_original_of_a_republished_copy_only() -> None:
    entry = make_entry(rights=RawRights(publisher="Port Media Group"))
    assert _decide(entry).is_original
    republished = _decide(entry, found=Findings(republished=True))
    assert republished.attribution.original_publisher == "Port Media Group"


def test_feed_evidence_names_the_feed_element_that_named_the_original() -> None:
    """Kills the dc:publisher value dropped and the evidence's text dropped."""
    attribution = Attribution(original_publisher="Port Weekly")
    entry = make_entry(rights=RawRights(publisher=" Port  Weekly "))
    assert feed_evidence(entry, attribution) == (
        Evidence("original_publisher", "Port Weekly", "feed.dc-publisher", "", "Port Weekly", "feed"),)
    by_source = make_entry(source=SourceFeedInfo(title="Port Weekly"), rights=RawRights(publisher="Port Weekly"))
    assert feed_evidence(by_source, attribution) == (
        Evidence("original_publisher", "Port Weekly", "feed.source", "", "Port Weekly", "feed"),)
    by_dc_source = make_entry(rights=RawRights(dc_source="Port Weekly"))
    assert feed_evidence(by_dc_source, attribution)[0].recognizer == "feed.dc-source"
    assert feed_evidence(make_entry(rights=RawRights(publisher="Other")), attribution) == ()
    assert feed_evidence(entry, Attribution()) == ()


def test_house_accounts() -> None:
    """The site's own name, title or host is a house account. Kills ``host_of(feed.link)`` made ``host_of(None)``."""
    feed = make_feed(title="Daily Bulletin", link="https://harbortimes.example/")
    assert is_house_account("harbortimes.example", "Somebody Else", feed)
    assert is_house_account("Daily Bulletin", "Somebody Else", feed)
    assert is_house_account("Somebody Else", "Somebody Else", feed)
    assert is_house_account("admin", "X", feed)
    assert not is_house_account("Tom Reyes", "Somebody Else", feed)


def test_redirectors() -> None:
    assert is_redirector("bit.ly") and is_redirector("feeds.example.com") and is_redirector("go.theregister.com")
    assert not is_redirector("example.com") and not is_redirector("bitly.example")


def test_the_own_outlet_in_order_of_preference() -> None:
    """Kills ``clean_line(feed.title)`` made ``clean_line(None)``."""
    feed = make_feed(title=" Harbor  Times ", link="https://harbortimes.example/")
    assert own_outlet(feed, " Harbor Media ", "harbor") == "Harbor Media"
    assert own_outlet(feed, None, "harbor") == "Harbor Times"
    assert own_outlet(make_feed(title=None), None, "harbor") == "harbortimes.example"
    assert own_outlet(make_feed(title=None, link=None), None, "harbor") == "harbor"


def test_outlet_words_and_sites() -> None:
    """Kills ``labels[0] == "www"`` made ``!=`` or misspelled, ``labels[-2:]`` made ``labels[-3:]``, and the
    country-suffix test's ``and`` made ``or``."""
    assert outlet_words("globalresearch.ca") == ["globalresearch"]
    assert outlet_words("www.globalresearch.ca") == ["globalresearch"]
    assert outlet_words("The South Front") == ["south", "front"]
    assert outlet_words("localhost") == ["localhost"]
    assert outlet_words("www.southfront") == ["southfront"]  # two labels, the first "www": the other one
    assert outlet_words(None) == []
    assert same_outlet("South Front", "southfront.org")
    assert same_outlet("Example News", "Example News – Politics")
    assert not same_outlet("Example", "Example News") and not same_outlet("", "Example")
    assert site_of("blog.example.com") == "example.com"
    assert site_of("news.bbc.co.uk") == "bbc.co.uk"
    assert site_of("Example.COM.") == "example.com"
    assert site_of("news.com.com") == "com.com"  # a second-level label before a three-letter one: no country suffix
    assert site_of(None) is None
    assert site_label("go.theregister.com") == "theregister"
