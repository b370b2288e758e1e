"""``normalize/``: one entry normalized, its hash, URLs, sanitizing and plain text, value by value.

Written against the survivors of issue #21's mutation run over ``normalize/``. No network.
"""

from __future__ import annotations

import logging
from types import SimpleNamespace

import pytest

from syndicate.models import Attribution, Person, Rights, SourceFeedInfo
from syndicate.normalize import normalize_entry
from syndicate.normalize.body import clean_body
from syndicate.normalize.entry import copy_url_of
from syndicate.normalize.hashing import content_hash
from syndicate.normalize.sanitize import sanitize
from syndicate.normalize.text import edge_sentence, first_words, may_start_tail_sentence, truncate
from syndicate.normalize.urls import host_of, is_absolute_http, match_form, strip_tracking
from tests.attribution.conftest import make_entry, make_feed, make_source


def test_the_content_hash_is_stable_across_versions() -> None:
    """Stored hashes decide what is redone: the hash of given fields never changes.
    Kills a key of the hashed document renamed and the "sha256:" prefix changed."""
    got = content_hash("T", "https://e.example/a", "<p>x</p>", ("A",), Rights(license="CC-BY-4.0"),
                       Attribution(original_publisher="P"))
    assert got == "sha256:86db7bfd5b0f29a52f8d6de79c2e1a581f99c47739561cf0b86f0709d4383a93"


def test_a_minimal_copy_when_normalizing_fails(caplog: pytest.LogCaptureFixture) -> None:
    """An entry the normal path cannot read (a title that is not text) still gives a safe copy.
    Kills each field of the minimal copy dropped or changed."""
    entry = make_entry(title=123, content_html="<p>Hello <b>there</b> reader.</p>", raw_hash="abc", language="fr",
                       tags=("x",), authors=(Person("Ann Lee and Bo Kim"),), guid=456)
    with caplog.at_level(logging.ERROR, logger="syndicate.normalize.entry"):
        n = normalize_entry(entry, make_feed(), make_source())
    assert [r.getMessage() for r in caplog.records] == [
        "normalize failed for an entry of source harbor; keeping a minimal copy"]
    assert (n.title, n.copy_url, n.url) == ("(untitled)", "https://harbortimes.example/news/strike",
                                            "https://harbortimes.example/news/strike")
    assert (n.summary, n.content_html, n.tags, n.language, n.raw_hash) == (
        "Hello there reader.", "<p>Hello <b>there</b> reader.</p>", (), None, "abc")
    assert n.authors == ("Ann Lee", "Bo Kim") and n.guid is None
    assert (n.attribution, n.rights, n.is_original, n.rights_configured) == (Attribution(), Rights(), False, False)
    assert n.content_hash == content_hash("(untitled)", n.url, n.content_html, n.authors, Rights(), Attribution())
    relative = normalize_entry(make_entry(title=123, link="/news/strike"), make_feed(), make_source())
    assert relative.copy_url is None and relative.url == ""


def test_a_missing_title_is_the_first_words_of_the_body() -> None:
    """Kills ``first_words(...) or UNTITLED`` made ``and``."""
    body = "<p>One two three four five six seven eight nine ten eleven twelve thirteen.</p>"
    assert normalize_entry(make_entry(title=None, content_html=body), make_feed(), make_source()).title == (
        "One two three four five six seven eight nine ten eleven twelve…")
    assert normalize_entry(make_entry(title=None, content_html=""), make_feed(), make_source()).title == "(untitled)"


def test_authors_in_order_of_preference() -> None:
    """The entry's authors win over the feed's; with an atom:source, its authors (never the feed's).
    Kills ``not authors`` made ``authors`` before the feed's authors and the source's authors dropped."""
    feed = make_feed(authors=(Person("Feed Person"),))
    assert normalize_entry(make_entry(), feed, make_source()).authors == ("Tom Reyes",)
    assert normalize_entry(make_entry(authors=()), feed, make_source()).authors == ("Feed Person",)
    source = SourceFeedInfo(title="Port Weekly", url="https://portweekly.example/feed", authors=(Person("Ann Lee"),))
    assert normalize_entry(make_entry(authors=(), source=source), feed, make_source()).authors == ("Ann Lee",)
    bare = SourceFeedInfo(title="Port Weekly", url="https://portweekly.example/feed")
    assert normalize_entry(make_entry(authors=(), source=bare), feed, make_source()).authors == ()


def test_a_house_account_gives_way_to_the_author_a_notice_names() -> None:
    body = "<p>Dock workers rejected the latest offer on Thursday, the union said.</p><p>Articles by: South Front</p>"
    n = normalize_entry(make_entry(authors=(Person("admin"),), content_html=body), make_feed(), make_source())
    assert n.authors == ("South Front",)
    kept = normalize_entry(make_entry(content_html=body), make_feed(), make_source())
    assert kept.authors == ("Tom Reyes",)


def test_the_copy_url_is_resolved_against_the_feed() -> None:
    """Kills ``clean_url(candidate, base)`` made ``clean_url(candidate, None)``."""
    feed = make_feed(link="https://harbortimes.example/")
    assert copy_url_of(make_entry(link="/news/strike?utm_source=x"), feed) == "https://harbortimes.example/news/strike"
    assert copy_url_of(make_entry(link=None, guid="https://harbortimes.example/?p=7"), feed) == (
        "https://harbortimes.example/?p=7")
    assert copy_url_of(make_entry(link=None, guid="ht-1"), make_feed(link=None)) is None


def test_urls() -> None:
    """Kills the port dropped from match_form's host, "https" misspelled, the path's "/" stripped as other
    characters, the fragment's parameters split on the wrong separator, "http" misspelled."""
    assert match_form("http://www.Example.com:8080/aX/") == "https://example.com:8080/aX"
    assert match_form("https://example.com:443/a/#top") == "https://example.com/a"
    assert match_form("https://Example.com/") == match_form("https://example.com") == "https://example.com"
    assert match_form("http://example.com/a?b=2&a=1&utm_source=x") == "https://example.com/a?a=1&b=2"
    assert strip_tracking("https://e.com/a#utm_source=a&page=2") == "https://e.com/a#utm_source=a&page=2"
    assert strip_tracking("https://e.com/a#utm_source=a&utm_medium=b") == "https://e.com/a"
    assert strip_tracking("https://e.com/a?UTM_Source=a&id=3&FBCLID=z") == "https://e.com/a?id=3"
    assert is_absolute_http("http://example.com/a") and is_absolute_http("https://example.com")
    assert not is_absolute_http("ftp://example.com/a") and not is_absolute_http("/a")
    assert host_of("https://WWW.Example.com./a") == "example.com"
    assert host_of("https://wwwexample.com/") == "wwwexample.com"


def test_sanitize_writes_urls_and_numbers_as_the_cleaning_pass_will() -> None:
    """Kills the URL left as given (not written as lxml writes it), the number check inverted, and
    control characters left in when sanitize is called on its own."""
    html = '<a href="https://example.com/ü x">x</a><img src="/a b.png" width="100px" height="x" alt="A 1">'
    assert sanitize(html, "https://example.com/") == (
        '<a href="https://example.com/%C3%BC%20x" rel="noopener noreferrer">x</a>'
        '<img src="https://example.com/a%20b.png" width="100" alt="A 1">')
    assert sanitize('<blockquote cite="https://example.com/ü">q</blockquote>') == (
        '<blockquote cite="https://example.com/ü">q</blockquote>')
    assert sanitize("a\x00b\ufeffc") == "abc"


def test_text_helpers() -> None:
    assert truncate("one two three four", 12) == "one two…"
    assert truncate("short", 12) == "short"
    assert first_words("") == "" and first_words("  a   b ") == "a b"


def test_a_clause_at_the_end_of_a_single_paragraph_is_cut() -> None:
    """A paragraph with a notice hit but nothing to cut at its start is still cut at its end.
    Kills _cut_edge answering True when it cut nothing."""
    assert clean_body("<p>Dock workers rejected the offer on Thursday. — AFP</p>").html == (
        "<p>Dock workers rejected the offer on Thursday.</p>")


def test_a_byline_on_the_first_line_of_a_paragraph_is_removed() -> None:
    """Kills _clean_lines stopping before the first line (``k >= 1``) and ``<br>`` looked for as "BR"."""
    html = ("<p>By Jane Doe<br>Dock workers rejected the offer on Thursday, the union said.<br>"
            "More text follows here today.</p><p>Second paragraph of the story.</p>")
    body = clean_body(html)
    assert body.html == ("<p>Dock workers rejected the offer on Thursday, the union said.<br>"
                         "More text follows here today.</p><p>Second paragraph of the story.</p>")
    assert body.findings.authors == ("Jane Doe",)


def test_an_empty_body_and_a_bad_drop_pattern(caplog: pytest.LogCaptureFixture) -> None:
    """Kills the empty body's HTML as None and the warning about a bad drop pattern losing its text
    (the configuration refuses such a pattern; clean_body still never fails over one)."""
    assert clean_body(None).html == "" and clean_body("").text == ""
    with caplog.at_level(logging.WARNING, logger="syndicate.normalize.body"):
        body = clean_body("<p>Story text.</p>", rules=SimpleNamespace(drop_patterns=["(unclosed", "^Story"]))
    assert "ignoring bad drop pattern '(unclosed'" in caplog.text
    assert body.html == ""
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="syndicate.normalize.body"):
        kept = clean_body("<p>Story text.</p>", rules=SimpleNamespace(drop_selectors=["::nonsense(("]))
    assert "ignoring bad drop selector '::nonsense(('" in caplog.text
    assert kept.html == "<p>Story text.</p>"


STORY = [
    "Dock workers rejected the latest offer on Thursday, the union said.",
    "The port authority said talks would resume next week with a mediator.",
    "Shipping lines have begun diverting vessels.",
    "Local businesses report losses as the strike drags on into its third week.",
    "The union plans a rally at city hall on Saturday afternoon.",
    "More talks are expected next month, officials said.",
]


def test_a_line_in_the_middle_of_a_body_is_read_with_the_article_s_language_only() -> None:
    """In the middle of a body only English rows and the article's own language's read a line;
    a German appeal line in an English article stays, in a German one it goes.
    Kills _clean_lines scanning its lines without the article's language (``native`` dropped)."""
    appeal = "Unterstützen Sie unabhängigen Journalismus mit einer Spende."
    html = "".join(f"<p>{p}</p>" for p in STORY[:2]) + f"<p>{STORY[2]}<br>{appeal}</p>"
    html += "".join(f"<p>{p}</p>" for p in STORY[3:])
    assert appeal in clean_body(html, language="en").html
    german = clean_body(html, language="de").html
    assert appeal not in german and f"<p>{STORY[2]}</p>" in german


def test_a_source_s_own_rows_read_lines_too() -> None:
    """Kills _clean_lines scanning its lines with the built-in table instead of the source's."""
    row = {"id": "wiremirror.dues", "kind": "appeal", "pattern": r"^Wire Mirror runs on reader dues\b",
           "example": "Wire Mirror runs on reader dues."}
    html = "<p>Dock workers rejected the offer.<br>Wire Mirror runs on reader dues.</p><p>Second paragraph here.</p>"
    assert clean_body(html, rules=SimpleNamespace(recognizers=[row])).html == (
        "<p>Dock workers rejected the offer.</p><p>Second paragraph here.</p>")
    assert "Wire Mirror" in clean_body(html).html


def test_a_clause_cut_after_inline_elements_keeps_them_and_their_text() -> None:
    """The cut is made in the text after the last inline element (its tail). Kills each text node's tail
    read as None and its offset added instead of subtracted."""
    assert clean_body("<p>Dock workers rejected the offer on <b>Thursday</b>, the union said. — AFP</p>").html == (
        "<p>Dock workers rejected the offer on <b>Thursday</b>, the union said.</p>")
    assert clean_body("<p>Dock workers rejected <i>the</i> offer on <b>Thursday</b>, the union <em>said</em> today."
                      " — AFP</p>").html == (
        "<p>Dock workers rejected <i>the</i> offer on <b>Thursday</b>, the union <em>said</em> today.</p>")


def test_drop_selectors_keep_the_text_between_and_after_blocks() -> None:
    """drop_selectors re-serialize the body: text before, between and after the blocks stays.
    Kills the top-level elements serialized without their tails."""
    rules = SimpleNamespace(drop_selectors=["p.promo"])
    assert clean_body('Lead text<p>a</p>tail text<p class="promo">Buy</p><p>b</p>end', rules=rules).html == (
        "<p>Lead text</p><p>a</p><p>tail text</p><p>b</p><p>end</p>")


def test_a_lead_cut_before_an_inline_element_adds_no_text_after_it() -> None:
    """Kills the last child's missing tail read as "XXXX" when the cut text is tidied."""
    assert clean_body("<p>By Jane Doe. Dock workers rejected the offer on <b>Thursday</b></p>"
                      "<p>Second paragraph of the story.</p>").html == (
        "<p>Dock workers rejected the offer on <b>Thursday</b></p><p>Second paragraph of the story.</p>")


def test_the_last_sentence_of_a_paragraph() -> None:
    """A last sentence just shorter than the reach is found whole (the search starts 10 characters
    before the reach); a paragraph opening with an ellipsis ends its first "sentence" there.
    Kills the search's start moved 20 characters later and a sentence end at offset 1 ignored."""
    last = "A" + "b" * 193 + "."
    assert edge_sentence(f"First sentence here. {last}", "tail") == (21, 216)
    assert edge_sentence("A" + "b" * 210 + ".", "tail") is None
    assert edge_sentence("… And then it ended.", "tail") == (2, 20)
    assert edge_sentence("First one. Second one.", "lead") == (0, 10)


def test_where_a_tail_sentence_may_start() -> None:
    """Kills the default reach made 201 (one character more than edge_sentence's)."""
    text = "x" * 10 + ". " + "A" + "b" * 199
    assert may_start_tail_sentence(text, 12)  # 200 characters from there: within reach
    assert not may_start_tail_sentence(text + "b", 12)  # 201: beyond it
    assert not may_start_tail_sentence(text, 13)  # not after a space


def test_a_paragraph_in_the_middle_is_not_read_line_by_line() -> None:
    """Only a lead or tail paragraph with line breaks is read line by line (precision first): two
    credit lines in the middle of a body stay, at its start they go.
    Kills the position test joined to the line-break test by ``or``."""
    lines = "<p>Articles by: South Front\nArticles by: South Front</p>"
    middle = "".join(f"<p>{p}</p>" for p in STORY[:3]) + lines + "".join(f"<p>{p}</p>" for p in STORY[3:])
    assert "Articles by" in clean_body(middle).html
    assert clean_body(lines + "<p>Body text of the story goes here.</p>").html == (
        "<p>Body text of the story goes here.</p>")
