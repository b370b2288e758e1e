"""The rows added from the extra real-notices set (issue #17): each kind read where a site puts it,
and its near-misses — the article's own sentences that share the kind's words — left whole.
Each test names the mutation it kills."""

from __future__ import annotations

import pytest

from syndicate.attribution import licenses
from syndicate.normalize.body import clean_body

ARTICLE = "<p>The council met on Monday to weigh the harbor plan.</p><p>Residents asked for more time to comment.</p>"


@pytest.mark.parametrize(
    ("lead", "kept"),
    [
        ("LONDON, Sept 28 (Reuters) – British drivers hunted for fuel.", "British drivers hunted for fuel."),
        ("HOUSTON (AP) — A Texas man was returned to custody Monday.", "A Texas man was returned to custody Monday."),
        ("新华社北京1月11日电(记者 成欣)外交部发言人11日表示,中方希望美方客观看待中美关系。", "外交部发言人11日表示"),
    ],
)
def test_a_wire_dateline_is_credited_and_only_the_dateline_removed(lead: str, kept: str) -> None:
    """Kills: the en.origin.wire-dateline / zh.origin.dianxun-dateline rows, or their scope made "sentence"."""
    body = clean_body(f"<p>{lead}</p>" + ARTICLE)
    assert kept in body.text
    assert body.findings.publishers
    assert "(Reuters)" not in body.text and "(AP)" not in body.text and "新华社" not in body.text


@pytest.mark.parametrize(
    ("notice", "publisher"),
    [
        ("Articolo comparso sul quotidiano “La Stampa” del 1 Maggio", "La Stampa"),
        ("da “Corriere della Sera”, 18/03/2012", "Corriere della Sera"),
        ("Artículo de Antoni Gutiérrez-Rubí, en www.elpais.com", "www.elpais.com"),
        ("L’article de Jean-Pierre Stroobants dans « Le Monde »", "Le Monde"),
        ("2020-03-09  来源: 学习时报 作者:", "学习时报"),
    ],
)
def test_credit_lines_in_other_languages_give_the_outlet(notice: str, publisher: str) -> None:
    """Kills: it.origin.testata-data, it.origin.da-testata-data, es.origin.articulo-de-en,
    fr.origin.article-de-dans or zh.origin.header-laiyuan removed from their table."""
    body = clean_body(f"<p>{notice}</p>" + ARTICLE) if "来源" in notice else clean_body(ARTICLE + f"<p>{notice}</p>")
    assert body.findings.publishers == (publisher,), notice
    assert "council met" in body.text and notice[:12] not in body.text


@pytest.mark.parametrize(
    "sentence",
    [
        "Un article de Jean Dupont dans Le Monde a révélé hier que le port fermera.",  # a sentence about an article
        "El proyecto estuvo a cargo de Juan Pérez, en Madrid.",  # 'a cargo de X, en <a city>', not a site
        "Do It Yourself",  # a heading, not "Do G1"
        "John Smith, a professor at the University of Chicago, said the plan would fail.",
        "Tratto da Facebook e condiviso da migliaia di persone, il post ha fatto discutere.",
        "Reproducir este artículo de Ana Lima en El País requiere permiso.",
    ],
)
def test_near_misses_in_the_lead_stay_and_give_nothing(sentence: str) -> None:
    """Kills: dropping the end anchors (`\\W*$`) of the credit-line rows, the domain-only publisher of
    es.origin.a-cargo-de-en, the outlet cue of pt.origin.do-veiculo, or the no-full-stop rule of
    en.byline.name-institution."""
    body = clean_body(f"<p>{sentence}</p>" + ARTICLE)
    assert sentence in body.text
    assert body.findings.publishers == () and body.findings.authors == ()


def test_an_initial_with_a_full_stop_is_part_of_a_name() -> None:
    """Kills: the `(?!\\.)` after the sentence-start words in recognizers._NOT_IN_NAME ("A." read as "A")."""
    body = clean_body("<p>By JUAN A. LOZANO for the Associated Press</p>" + ARTICLE)
    assert [a.casefold() for a in body.findings.authors] == ["juan a. lozano"]
    assert body.findings.publishers[0].endswith("Associated Press")


@pytest.mark.parametrize(
    ("text", "license_id"),
    [
        ("本作品采用知识共享署名-相同方式共享 4.0 国际许可协议进行许可。", "CC-BY-SA-4.0"),
        ("本站采用 “知识共享署名 - 非商业性使用 - 相同方式共享 4.0 中国大陆许可协议” 进行许可。", "CC-BY-NC-SA-4.0"),
        ("知识共享署名-非商业性使用-禁止演绎 4.0", "CC-BY-NC-ND-4.0"),
    ],
)
def test_chinese_cc_licence_names_are_read(text: str, license_id: str) -> None:
    """Kills: dropping _ZH_LONG from licenses.from_name."""
    found = licenses.from_name(text)
    assert found is not None and found.id == license_id


def test_knowledge_sharing_alone_names_no_licence() -> None:
    assert licenses.from_name("知识共享是一种理念。") is None
