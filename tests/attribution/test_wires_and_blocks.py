"""Issue #17, second round: wire credits from the agencies' list, notices over several lines or
paragraphs read as one unit, publishers written as a URL or in quotes, Chinese grants and bans."""

from __future__ import annotations

import pytest

from syndicate.attribution import agencies
from syndicate.attribution.lines import read_lines
from syndicate.attribution.notices import Block, Verdict, scan_block
from syndicate.normalize.body import clean_body

ARTICLE = "<p>The harbor board met on Tuesday to weigh the new ferry timetable for the winter.</p>" \
          "<p>Residents asked for more time to send their written comments on the plan.</p>"


def _tail(notice: str) -> tuple[str, tuple[str, ...], str | None]:
    body = clean_body(ARTICLE + notice)
    return body.html, body.findings.publishers, body.findings.rights.license


@pytest.mark.parametrize(("notice", "publisher"), [
    ("<p>Officials expect a decision next week. (EFE)</p>", "EFE"),
    ("<p>Officials expect a decision next week. (avec AFP)</p>", "AFP"),
    ("<p>Die Entscheidung fällt nächste Woche. (mit Material von dpa)</p>", "dpa"),
    ("<p>O conselho decide na próxima semana. Com informações da Agência Brasil.</p>", "Agência Brasil"),
    ("<p>La decisión llegará la próxima semana. Con información de Europa Press.</p>", "Europa Press"),
    ("<p>（来源：中新社）</p>", "中新社"),
    ("<p>La decisione arriverà la prossima settimana. ANSA</p>", "ANSA"),
])
def test_a_wire_credit_at_the_end_of_a_body_names_the_agency(notice: str, publisher: str) -> None:
    html, publishers, _ = _tail(notice)
    assert publishers == (publisher,)
    assert publisher not in html.replace("harbor", "")


@pytest.mark.parametrize("notice", [
    "<p>After the vote, the mayor told Reuters that the plan would go ahead.</p>",
    "<p>Le ministre a parlé avec AFP mardi.</p>",
    "<p>The figures were first reported by the news agency (Lusa) on Monday, officials said.</p>",
    "<p>Reuters and AFP both covered the meeting, as did the local radio.</p>",
])
def test_an_agency_named_in_prose_stays(notice: str) -> None:
    html, publishers, _ = _tail(notice)
    assert publishers == ()
    assert notice[3:20] in html


def test_a_wire_in_a_byline_or_a_copyright_line_is_the_publisher() -> None:
    assert agencies.publisher_of("The Associated Press") == "AP"
    assert agencies.publisher_of("Agencia EFE") == "EFE"
    assert agencies.publisher_of("Harbor Times") is None
    _, publishers, license_ = _tail("<p>Copyright 2023 The Associated Press. All rights reserved.</p>")
    assert publishers == ("AP",) and license_ == "all-rights-reserved"


def test_a_blockquote_of_notice_lines_is_read_line_by_line() -> None:
    notice = ("<blockquote><p>作者：海港观察\n链接：https://www.jianshu.com/p/0abc123\n来源：简书\n"
              "著作权归作者所有。商业转载请联系作者获得授权，非商业转载请注明出处。</p></blockquote>")
    body = clean_body(ARTICLE + notice)
    assert "简书" not in body.html
    assert body.findings.publishers == ("简书",)
    assert body.findings.authors == ("海港观察",)


def test_lines_are_one_notice_only_when_every_line_is_one() -> None:
    block = Block("x", (), index=5, tail=True)
    scanned: list[tuple[Block, Verdict]] = []
    kept = read_lines("来源：简书\nThe ferry plan was approved by nine votes to two.", block, scan_block, scanned)
    assert not kept.remove and scanned == []
    gone = read_lines("作者：海港观察\n链接：https://www.jianshu.com/p/0abc123\n来源：简书", block, scan_block, scanned)
    assert gone.remove and len(scanned) == 2


def test_a_licence_split_over_the_last_paragraphs_is_one_notice() -> None:
    notice = ("<p>Cette œuvre est mise à disposition selon les termes de la Licence Creative Commons Attribution.</p>"
              "<p>- Pas d’Utilisation Commerciale.</p><p>- Partage dans les Mêmes Conditions 4.0 International.</p>")
    html, _, license_ = _tail(notice)
    assert license_ == "CC-BY-NC-SA-4.0"
    assert "Utilisation" not in html and "ferry timetable" in html


@pytest.mark.parametrize(("notice", "publisher"), [
    ("<p>Originally published at https://notes.example.dev/posts/winter-ferries.</p>", "notes.example.dev"),
    ("<p>Questo articolo è stato pubblicato su «Il Foglio».</p>", "Il Foglio"),
    ("<p>本文首发于公众号「港口周刊」。</p>", "港口周刊"),
    ("<p>本文首发于博客园。</p>", "博客园"),
])
def test_a_publisher_as_a_url_in_quotes_or_after_a_platform_word(notice: str, publisher: str) -> None:
    assert _tail(notice)[1] == (publisher,)


@pytest.mark.parametrize(("notice", "license_"), [
    ("<p>本文最早发表于作者的个人博客，经作者授权后转载。</p>", "permission"),
    ("<p>本文为作者原创，谢绝转载。</p>", "all-rights-reserved"),
])
def test_chinese_grants_and_bans_in_prose(notice: str, license_: str) -> None:
    assert _tail(notice)[2] == license_


def test_without_authorization_is_not_a_grant() -> None:
    _, _, license_ = _tail("<p>社区规则：禁止从其他平台未经授权转载内容到本站。</p><p>欢迎大家踊跃投稿。</p>")
    assert license_ != "permission"
