"""Notices at sentence and clause level in a body's lead and tail (issue #17), with the article's
own sentences kept whole, and the look-alikes that must stay. Each test names the mutation it kills."""

from __future__ import annotations

import pytest

from syndicate.models import Person
from syndicate.normalize import normalize_entry
from syndicate.normalize.body import clean_body
from tests.attribution.conftest import make_entry, make_feed, make_source

ARTICLE = "<p>The council met on Monday to weigh the harbor plan.</p><p>Residents asked for more time to comment.</p>"


def _evidence(found: object) -> set[tuple[str, str | None, str]]:
    return {(e.fact, e.value, e.recognizer) for e in found.evidence}  # type: ignore[attr-defined]


def test_a_wire_credit_glued_to_the_last_sentence_is_cut_and_the_sentence_kept() -> None:
    """Kills: edge_cut returning None for the tail, or the wire-credit row losing its `$`."""
    body = clean_body(ARTICLE + "<p>Diplomats doubt the resolution will open the hardest-hit areas. — AFP</p>")
    assert "AFP" not in body.text
    assert "Diplomats doubt the resolution will open the hardest-hit areas." in body.text
    assert body.findings.publishers == ("AFP",)
    assert ("original_publisher", "AFP", "en.origin.wire-credit") in _evidence(body.findings)


def test_the_same_credit_in_the_middle_of_a_body_is_prose() -> None:
    """Position is evidence. Kills: the wire-credit row's `where = "tail"` made `any`."""
    middle = "<p>He said it plainly. — AFP</p>"
    body = clean_body(ARTICLE.replace("</p><p>", "</p>" + middle + "<p>", 1) + "<p>One.</p><p>Two.</p><p>Three.</p>")
    assert "— AFP" in body.text
    assert body.findings.publishers == ()


def test_a_byline_running_into_the_first_sentence_is_cut_at_the_sentence_start() -> None:
    """Kills: the byline.glued row, or edge_cut accepting only sentence boundaries in the lead."""
    html = "<p>This post was originally published on this site By Jeff Turrentine The coal industry is dying.</p>"
    body = clean_body(html + ARTICLE)
    assert body.text.startswith("The coal industry is dying.")
    assert body.findings.authors == ("Jeff Turrentine",)


LOOK_ALIKES = {
    # a post about its own tip jar. Kills: an unanchored "buy me a coffee" in the en.paypal-patreon row
    "tip-jar": ("<p>Well, as eagle-eyed readers may have noticed in the sidebar, you can now “buy me a coffee” and"
                " make a one-off contribution through Ko-Fi.</p>", "buy me a coffee"),
    # content that says "published originally". Kills: dropping "este artigo" from the pt origin row
    "pt-content": ("<p>O Git foi publicado originalmente em abril de 2005 e foi desenvolvido por Linus Torvalds, e hoje"
                   " é o sistema de versionamento mais usado.</p>", "publicado originalmente"),
}


@pytest.mark.parametrize("name", sorted(LOOK_ALIKES))
def test_a_look_alike_in_the_middle_stays_whole_and_says_nothing(name: str) -> None:
    html, words = LOOK_ALIKES[name]
    body = clean_body(ARTICLE + html + ARTICLE)
    assert words in body.text
    assert not body.findings.evidence


def test_an_appeal_at_the_end_takes_the_rest_of_its_paragraph() -> None:
    """Kills: the rest scope reading only the paragraph's start (`^` is a sentence's start)."""
    appeal = ("<p>That is all for today. Subscribing to my newsletter or donating through my blog helps to support"
              " my work. I won’t be able to do it much longer without your help.</p>")
    body = clean_body(ARTICLE + appeal)
    assert body.text.endswith("That is all for today.")
    assert "Subscribing" not in body.text


def test_a_conditional_grant_gives_permission_with_the_conditions_it_states() -> None:
    """Kills: dropping "exactly as is" (no-derivatives) or "free of charge" (noncommercial) from CONDITION_PHRASES."""
    grant = ("<p>This information may be reproduced and distributed exactly as is, without further permission from"
             " the author, provided the statement of authorship and copyright are retained, and provided it is"
             " offered free of charge.</p>")
    rights = clean_body(ARTICLE + grant).findings.rights
    assert rights.license == "permission"
    assert set(rights.conditions) >= {"attribution", "noncommercial", "no-derivatives"}


def test_a_licence_that_covers_an_infographic_is_never_the_articles() -> None:
    """Kills: the image check in findings (_IMAGE_REACH) or the rights.image-credit row's subject."""
    found = clean_body(ARTICLE + "<p>Originally appeared on The Crypto Desk. Infographics provided by Bitcoinfy,"
                       " republished with permission.</p>").findings
    assert found.rights.license is None
    assert found.publishers == ("The Crypto Desk",)
    assert ("image_credit", "Bitcoinfy", "en.rights.image-credit") in _evidence(found)


def test_a_body_named_author_beats_a_house_account_never_a_person() -> None:
    """Kills: dropping is_house_account from normalize (a real feed author would then be replaced too)."""
    body = "<p>Authored by Lawrence Wilson via The Epoch Times,</p>" + ARTICLE
    entry = make_entry(authors=(Person("Tyler Durden"),), content_html=body)
    house = normalize_entry(entry, make_feed(), make_source())
    assert house.authors == ("Lawrence Wilson",)
    assert house.attribution.original_author == "Lawrence Wilson"
    byline = "<p>By Ana Lima</p>" + ARTICLE
    person = normalize_entry(make_entry(content_html=byline), make_feed(), make_source())
    assert person.authors == ("Tom Reyes",)


def test_notices_in_other_languages_give_their_facts_with_their_row_ids() -> None:
    """One per language table. Kills: removing any of these rows from phrases/<lang>.toml."""
    cases = {
        "<p>Este artículo fue publicado originalmente en Forbes.</p>": ("Forbes", "es.origin.publicado-originalmente"),
        "<p>Article paru dans Le Monde du 18/08/21</p>": ("Le Monde", "fr.origin.article-paru"),
        "<p>Dieser Artikel erschien zuerst auf LinkedIn.</p>": ("LinkedIn", "de.origin.erschien-zuerst"),
        "<p>Articolo apparso sul Giornale del Popolo del 26.11.2013</p>": ("Giornale del Popolo",
                                                                          "it.origin.articolo-apparso"),
        "<p>Este artigo foi publicado originalmente em Exemplo.com.</p>": ("Exemplo.com",
                                                                         "pt.origin.publicado-originalmente"),
        "<p>本文转载自澎湃新闻。</p>": ("澎湃新闻", "zh.origin.zhuanzai-zi"),
    }
    for notice, (publisher, row) in cases.items():
        body = clean_body(ARTICLE + notice)
        assert body.findings.publishers == (publisher,), notice
        assert ("original_publisher", publisher, row) in _evidence(body.findings), notice
        assert "council met" in body.text


def test_chinese_rights_notices() -> None:
    """Kills: the zh rights rows or the CJK sentence ends in normalize/text.py."""
    notice = "<p>著作权归作者所有。商业转载请联系作者获得授权，非商业转载请注明出处。</p>"
    rights = clean_body(ARTICLE + notice).findings.rights
    assert rights.license == "permission"
    assert "noncommercial" in rights.conditions


def test_a_tables_language_decides_the_middle_of_a_body_and_every_table_reads_the_edges() -> None:
    """The article's language, declared or guessed, picks which tables read its middle; a notice in
    another language is read at the edges (a German notice atop an English post).
    Kills: the `native` filter in find_hits (the first assertion), or the guess (the third)."""
    english = "<p>The council met on Monday to weigh the harbor plan and the residents asked for more time.</p>" * 2
    spanish = ("<p>El consejo se reunió el lunes para evaluar el plan del puerto y los vecinos pidieron más tiempo"
               " para comentar.</p>") * 2
    notice = "<p>Este artículo fue publicado originalmente en Forbes.</p>"
    assert clean_body(english + notice + english).findings.publishers == ()
    assert clean_body(english + notice + english, language="es-ES").findings.publishers == ("Forbes",)
    assert clean_body(spanish + notice + spanish).findings.publishers == ("Forbes",)
    assert clean_body(english + english + notice).findings.publishers == ("Forbes",)
