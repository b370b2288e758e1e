"""Issue #17, sixth round: notice kinds written once per language, with real phrasings (their sources in
the comments: "find_string id N" is a public GitHub file found with the search tool's exact-phrase search;
"fresh fNNN" a case of tests/data/real-notices/fresh-cases.json) and look-alikes that must stay whole and
say nothing. Each test names the row (or the grammar) it exercises: drop that alternative and it goes red."""

from __future__ import annotations

import pytest

from syndicate.normalize.body import clean_body

ARTICLE = "<p>The council met on Monday to weigh the harbor plan.</p><p>Residents asked for more time to comment.</p>"
OWN = ("The council met on Monday to weigh the harbor plan.", "Residents asked for more time to comment.")


def _read(html: str, where: str) -> tuple[str, set[tuple[str, str | None, str]]]:
    body = clean_body(html + ARTICLE if where == "lead" else ARTICLE + html)
    for sentence in OWN:
        assert sentence in body.text
    return body.text, {(e.fact, e.value, e.recognizer) for e in body.findings.evidence}


def _facts(found: set[tuple[str, str | None, str]]) -> dict[str, set[str | None]]:
    out: dict[str, set[str | None]] = {}
    for fact, value, _ in found:
        out.setdefault(fact, set()).add(value)
    return out


# (html, where, the facts it must give: fact -> values, or {} for a notice that gives none)
NOTICES = {
    # fr: "est + adverb + participle" (fr.origin.a-d-abord-ete-publie). find_string id 8505418467, 7938861276,
    # 8163408314 ("Cet article est initialement paru sur …"), fresh f220/f221
    "fr-est-initialement-paru": (
        '<p><em>Cet article est initialement paru sur <a href="http://creatureoftech.com/">creatureoftech.com</a>.'
        "</em></p>", "tail", {"original_publisher": {"creatureoftech.com"}}),
    "fr-est-paru-sur-le-blog": (
        '<p><a href="https://blog.codeanalogies.com/2017/04/29/x/"><em>Cet article est initialement paru sur le blog'
        " CodeAnalogies.</em></a></p>", "tail", {"original_publisher": {"CodeAnalogies"}}),
    # fr: a noun before the adverb, after an unrendered MkDocs admonition's head (fresh f222)
    "fr-mkdocs-admonition": (
        '<p>!!! info "Republication"\n    Article initialement paru sur <a href="https://exemple.fr/x">Exemple</a>.'
        "</p>", "lead", {"original_publisher": {"Exemple"}}),
    # it: two verbs joined (it.origin.pubblicato-originariamente). fresh f208
    "it-two-verbs": (
        '<div>Questo post è stato pubblicato ed è apparso per la prima volta su <a href="https://www.theredcode.it/'
        'devops/x/">TheRedCode</a>.</div>', "lead", {"original_publisher": {"TheRedCode"}}),
    # it: lower-case, "in origine", a URL as the place. find_string id 44048960272; "[Pubblicato in origine su
    # Medium](…)": find_string id 42857572146
    "it-in-origine-url": (
        '<blockquote><p>articolo pubblicato in origine su <a href="http://0penyourm1nd.blogspot.it/2016/03/x.html">'
        "http://0penyourm1nd.blogspot.it</a></p></blockquote>", "lead",
        {"original_publisher": {"0penyourm1nd.blogspot.it"}}),
    "it-in-origine-medium": (
        '<p><a href="https://medium.com/@francopasut/x">Pubblicato in origine su Medium</a></p>', "tail",
        {"original_publisher": {"Medium"}}),
    # it: a byline after the place, "| autore: NAME". find_string id 5530809475 (fresh f255)
    "it-autore-after-place": (
        '<p><em>pubblicato in origine sul <a href="http://blog.ondata.it/un-pagina/">blog</a> dell\'associazione'
        ' onData | autore: <a href="https://twitter.com/aborruso">Andrea Borruso</a></em></p>', "lead",
        {"original_author": {"Andrea Borruso"}, "original_publisher": {"blog.ondata.it"}}),
    # it: a date-only re-run with "Nota:", "è stato" and its update (it.origin.data-sola). fresh f209
    "it-nota-data-aggiornato": (
        "<p><em>Nota: questo post è stato pubblicato originariamente il 25/04/2024 ed è stato aggiornato al"
        " 05/12/2024 con il rilascio stabile.</em></p>", "tail", {"notice": {None}}),
    # pt: an adjective between the determiner and the place word, a month after it (fresh f213)
    "pt-meu-antigo-medium": (
        "<p><em>Texto originalmente publicado em meu antigo medium no dia 5 de Maio de 2023</em></p>", "lead", {}),
    # pt: the byline before the origin, "Por NAME, texto originalmente publicado no X". fresh f212
    "pt-por-nome-texto": (
        '<p><strong>Por Ana Elisa Santana</strong>, texto originalmente publicado no <a href="https://www.ebc.com.br/'
        'x">Portal EBC</a></p>', "lead",
        {"original_author": {"Ana Elisa Santana"}, "original_publisher": {"Portal EBC"}}),
    # es: the byline after the place, "… en X por NAME". fresh f264
    "es-por-nombre-al-final": (
        "<p>Este post fue publicado originalmente en el DataBlog de GBIF por Kumiko Totsu</p>", "lead",
        {"original_author": {"Kumiko Totsu"}, "original_publisher": {"DataBlog de GBIF"}}),
    # en: a journal's issue before its name (en.originally-published). fresh f232
    "en-issue-of": (
        "<p>(A version of this article first appeared in the Winter 1989 issue of Robot Review, Vol 2, No. 1.)</p>",
        "lead", {"original_publisher": {"Robot Review"}}),
    # en: a production credit (en.origin.produced-by). find_string id 44240746417 (Fresh Take Florida), id
    # 15589000179 ("This story was produced by {infoamazonia} in partnership with {correo} …")
    "en-produced-by": (
        "<p>This story was produced by Fresh Take Florida, a news service of the University of Florida College of"
        " Journalism and Communications. The reporter can be reached at reporter@example.edu.</p>", "tail",
        {"original_publisher": {"Fresh Take Florida"}}),
    "en-produced-by-partnership": (
        "<p>This story was produced by InfoAmazonia in partnership with El Correo.</p>", "tail",
        {"original_publisher": {"InfoAmazonia"}}),
    # en: the journals' open-access paragraph, grant and terms (en.rights.open-access-article). fresh f237
    "en-open-access": (
        "<p>Open Access This article is licensed under a Creative Commons Attribution 4.0 International License,"
        " which permits use, sharing, adaptation, distribution and reproduction in any medium or format, as long as"
        " you give appropriate credit to the original author(s) and the source. The images or other third party"
        " material in this article are included in the article’s Creative Commons license. To view a copy of this"
        " license, visit http://creativecommons.org/licenses/by/4.0/.</p>", "tail", {"license": {"CC-BY-4.0"}}),
    # en: a newspaper's print-edition note and the bar after it (en.notice.appears-in-print); a contributors' line
    # whose name has an initial; "Get … updates via Facebook". fresh f236 (The New York Times)
    "en-print-edition": (
        "<p>“Let’s hope he knows how to run the country.” Michael S. Schmidt contributed reporting. Get politics news"
        " updates via Facebook , Twitter and the Morning Briefing newsletter . A version of this article appears in"
        " print on November 23, 2016, on Page A17 of the New York edition with the headline: At Trump’s Properties,"
        " a Showcase. Order Reprints | Today's Paper | Subscribe</p>", "tail", {"appeal": {None}, "notice": {None}}),
    # the print-edition note with an abbreviated month (find_string id 497609237)
    "en-print-edition-dec": (
        "<p>A version of this article appears in print on Dec. 6, 2021, Section B, Page 1 of the New York edition with"
        " the headline: How TikTok Keeps Users Glued to It.</p>", "tail", {"notice": {None}}),
    # pt: a partner's production credit (pt.origin.reportagem-produzida-por). find_string id 28205494761
    "pt-reportagem-produzida-pela": (
        "<p>Esta reportagem foi produzida pela Amazônia Real com apoio da Clua e faz parte do especial “Olhando por"
        " Dentro da Floresta Amazônica”.</p>", "tail", {"original_publisher": {"Amazônia Real"}}),
    # de: a self re-run "als Blogbeitrag" (de.origin.nur-datum). fresh f231
    "de-als-blogbeitrag": (
        "<p>Dieser Beitrag erschien ursprünglich 2022 als Blogbeitrag.</p>", "lead", {"notice": {None}}),
    # de: a column's label and its day, no verb (de.origin.kolumne-im-vom). fresh f229
    "de-kolumne-im-vom": (
        "<p>Kolumne im Schwäbischen Tagblatt vom 13. März 2015</p>", "lead",
        {"original_publisher": {"Schwäbischen Tagblatt"}}),
    # zh: 原文出自 (zh.origin.zhuanzai-zi-variants). find_string id 25177573166, 38992363601 ("原文出自【易百教程】")
    "zh-yuanwen-chuzi": (
        '<p>原文出自：<a href="https://www.hangge.com/">www.hangge.com</a></p>', "tail",
        {"original_publisher": {"www.hangge.com"}}),
    "zh-yuanwen-chuzi-brackets": (
        "<p>原文出自【易百教程】，商业转载请联系作者获得授权。</p>", "tail", {"original_publisher": {"易百教程"}}),
    # zh: a subject-less first publication as a whole sentence, after "写于 DATE。". find_string id 36549467970
    "zh-xieyu-zuizao": (
        '<p>写于2021年9月3日。最早发表于<a href="https://www.zhihu.com/question/1/answer/2">知乎</a>。</p>', "lead",
        {"original_publisher": {"知乎"}}),
    # zh: the cnblogs footer, three lines in one paragraph (zh.rights.huanying-zhuanzai-baoliu with the 作者/出处
    # lines). find_string id 20170878596, 56937702493, 5977362628; fresh f245
    "zh-cnblogs-footer": (
        "<p>作者：坊间小毅\n出处：http://www.cnblogs.com/EasonWu\n本文版权归作者和博客园共有，欢迎转载，但未经作者同意必须"
        "保留此段声明，且在文章页面明显位置给出原文连接，否则保留追究法律责任的权利。</p>", "tail",
        {"author": {"坊间小毅"}, "original_publisher": {"cnblogs.com"}, "license": {"permission"},
         "notice": {"permission"}}),
    # zh: the greeting that introduces the author, alone in a paragraph (zh.byline.zuozhe). fresh f243
    "zh-dajiahao-woshi": ("<p>大家好，我是 @洛竹</p>", "lead", {"author": {"洛竹"}}),
    # zh: "本文同步于公众号 X" (zh.origin.tongbu-fabu without a verb)
    "zh-tongbu-yu": ("<p>本文同步于公众号洛竹早茶馆，转载请联系作者。</p>", "tail", {"notice": {None}}),
    # an adapted piece, its authors and where it first appeared (MDN's notes): en.cross-posted-from and
    # de.origin.angepasst-von. find_string id 6088774667 (en), 39767935467, 40205137740, 40524529823 (de); fresh f227
    "en-adapted-from-by": (
        '<blockquote><p>[!NOTE] This article is adapted from <a href="https://developer.chrome.com/docs/x/">Back/forward'
        " cache notRestoredReasons API</a> by Chris Mills and Barry Pollard, originally published on"
        ' <code>developer.chrome.com</code> in 2023 under the <a href="https://creativecommons.org/licenses/by/4.0/">'
        "Creative Commons Attribution 4.0 License</a>.</p></blockquote>", "tail",
        {"original_author": {"Chris Mills", "Barry Pollard"}, "original_publisher": {"developer.chrome.com"},
         "license": {"CC-BY-4.0"}}),
    "de-angepasst-von": (
        '<blockquote><p>[!NOTE] Dieser Artikel ist eine Anpassung von <a href="https://developer.chrome.com/docs/x/">'
        "Back/forward cache notRestoredReasons API</a> von Chris Mills und Barry Pollard, ursprünglich veröffentlicht"
        ' auf <code>developer.chrome.com</code> im Jahr 2023 unter der <a href="https://creativecommons.org/licenses/'
        'by/4.0/">Creative Commons Attribution 4.0 License</a>.</p></blockquote>', "tail",
        {"original_author": {"Chris Mills", "Barry Pollard"}, "original_publisher": {"developer.chrome.com"},
         "license": {"CC-BY-4.0"}}),
    "de-wurde-aus-adaptiert": (
        '<blockquote><p>[!NOTE] Dieses Beispiel wurde aus dem <a href="https://developer.chrome.com/blog/x">Origin'
        " trial for Foldable APIs</a> von Alexis Menard und Thomas Steiner adaptiert, ursprünglich veröffentlicht auf"
        " <code>developer.chrome.com</code> im Jahr 2024.</p></blockquote>", "lead",
        {"original_author": {"Alexis Menard", "Thomas Steiner"}, "original_publisher": {"developer.chrome.com"}}),
    # it: "Questo blog è stato originariamente pubblicato sul blog di X" (the subject "blog").
    # find_string id 67028461637
    "it-questo-blog": (
        '<blockquote><p>Questo blog è stato originariamente pubblicato sul <a href="https://blog.openvoiceos.org/x">'
        "blog di OpenVoiceOS</a></p></blockquote>", "lead", {"original_publisher": {"OpenVoiceOS"}}),
    # fr: "Ce récit a été initialement publié dans X" (the subject "récit"). find_string id 69543492239
    "fr-ce-recit": ("<p>Ce récit a été initialement publié dans Alpine Mag.</p>", "tail",
                    {"original_publisher": {"Alpine Mag"}}),
    # a byline after the place, a handle as the author: "… sur le forum par @rawfiner" (fr.origin.publie-a-l-origine).
    # find_string id 19589090541 (fresh f110)
    "fr-par-handle": (
        '<p>Ce texte a été publié initialement sur le <a href="https://forums.darktable.fr/showthread.php?tid=4017">'
        "forum</a> par @rawfiner. Je le reproduit ici avec son autorisation pour lui assurer une plus large audience."
        "</p>", "lead", {"original_author": {"@rawfiner"}, "original_publisher": {"forums.darktable.fr"},
                         "license": {"permission"}}),
    # FreshRSS's note: "Article publié initialement sur <a>FEED</a> par AUTHOR" (find_string id 3489661367)
    "fr-par-nom": (
        '<p>Article publié initialement sur <a href="https://exemple.fr/">Le Journal du Hacker</a> par Jean Dupont</p>',
        "lead", {"original_author": {"Jean Dupont"}, "original_publisher": {"Le Journal du Hacker"}}),
    # CNCF's lead line "Community post originally published on Medium by NAME" (find_string id 45488394472,
    # 56298407477 "Ambassador post …"), "Originally published on Medium By [NAME](…) on [DATE](…)." (id 16624144064:
    # a capitalised "By" ends the name), lower-case "on medium by NAME, role" (id 46433756465)
    "en-community-post": ("<p><em>Community post originally published on Medium by Dotan Horovits</em></p>", "lead",
                          {"original_author": {"Dotan Horovits"}, "original_publisher": {"Medium"}}),
    "en-ambassador-post": ("<p><em>Ambassador post originally published on Medium by Emin Alemdar</em></p>", "lead",
                           {"original_author": {"Emin Alemdar"}, "original_publisher": {"Medium"}}),
    "en-medium-by-on-date": (
        '<p>Originally published on Medium By <a href="https://medium.com/@priyanshrastogi">Priyansh Rastogi</a> on'
        ' <a href="https://medium.com/p/b4a57f323815">October 6, 2019</a>.</p>', "tail",
        {"original_author": {"Priyansh Rastogi"}, "original_publisher": {"Medium"}}),
    "en-lower-medium-by": (
        "<p>Originally published on medium by Mihajlo Grbovic, Senior Machine Learning Scientist @ Airbnb.</p>", "tail",
        {"original_author": {"Mihajlo Grbovic"}}),
    # fr: "La version originale de cet article a été publiée [le DATE] sur X" (fr.origin.une-version-de).
    # find_string id 46106350098, 2207261176, 8362887262; "La [Version d’origine][] … est parue sur le blog écrit par
    # [@joshduffney][]" (fresh f215: an unresolved reference link, a handle)
    "fr-version-originale": (
        '<p><em><a href="https://theconversation.com/gilets-jaunes-108048">La version originale de cet article</a> a'
        " été publiée sur le site The Conversation, dont franceinfo est partenaire.</em></p>", "tail",
        {"original_publisher": {"The Conversation"}}),
    "fr-version-originale-date": (
        "<p>(La version originale de cet article a été publiée le 24 décembre 2007 sur szabgab.com).</p>", "lead",
        {"original_publisher": {"szabgab.com"}}),
    "fr-version-d-origine-parue": (
        "<blockquote><p>[!NOTE] La [Version d’origine][] de cet article est parue sur le blog écrit par"
        " [@joshduffney][].</p></blockquote>", "lead", {"original_author": {"@joshduffney"}}),
    # a read-more label glued after a bracketed wire credit (wire-credit.bracket). fresh f252 (Infobae)
    "es-wire-read-more": (
        "<p>El precio subió.(Con información de AFP y EFE)SEGUIR LEYENDO:Elon Musk habló tras la confirmación</p>",
        "tail", {"original_publisher": {"AFP"}}),
}


@pytest.mark.parametrize("name", sorted(NOTICES))
def test_a_notice_of_the_kind_goes_and_gives_its_facts(name: str) -> None:
    html, where, want = NOTICES[name]
    text, found = _read(html, where)
    for word in ("publi", "paru", "erschien", "Kolumne", "原文", "发表", "转载", "produced", "Open Access",
                 "appears in print", "我是", "同步", "información", "Nota", "adapted", "angepasst", "Anpassung",
                 "adaptiert", "originally", "produzida", "version originale", "Version d’origine"):
        assert word not in text, (name, text)
    facts = _facts(found)
    for fact, values in want.items():
        assert values <= facts.get(fact, set()), (name, facts)


def test_a_month_after_a_place_word_is_never_the_publisher() -> None:
    """Kills: the month look-ahead after {PLACE}'s head ("no dia 5 de Maio" read "Maio" as the outlet)."""
    _, found = _read("<p>Texto originalmente publicado em meu antigo medium no dia 5 de Maio de 2023</p>", "lead")
    assert "original_publisher" not in _facts(found)


@pytest.mark.parametrize("html", [
    "<blockquote><p>本文首发于个人博客</p></blockquote>",  # find_string id 17781729942
    "<p><em>本文首发于微信公众号，欢迎转载，请注明出处。</em></p>",  # find_string id 53045582817
])
def test_ones_own_blog_or_an_unnamed_wechat_account_names_no_outlet(html: str) -> None:
    """{ZH_PUB} matches them without a name: the notice goes and no publisher is made up ("个人博客" was one)."""
    text, found = _read(html, "lead")
    assert "首发" not in text
    assert "original_publisher" not in _facts(found)


def test_the_substack_appeal_goes_in_the_middle_of_a_body() -> None:
    """Two sentences, each a notice (en.paypal-patreon), so the paragraph goes where it sits. find_string id
    63041559516 and 66149159480 ("… To receive new posts and support our work, …"); fresh f239."""
    middle = ("<p>Data Science Weekly Newsletter is a reader-supported publication. To receive new posts and support"
              " our work, consider becoming a free or paid subscriber.</p>")
    body = clean_body(ARTICLE.replace("</p><p>", "</p>" + middle + "<p>", 1) + "<p>One.</p><p>Two.</p>")
    assert "reader-supported" not in body.text
    assert OWN[1] in body.text


@pytest.mark.parametrize("html", [
    # find_string id 53897249314, 52144533559 (en); 59561818504 (es)
    "<p>Thanks for reading Joe’s Nerdy Rants! Subscribe for free to receive new posts and support my work.</p>",
    "<p>Thanks for reading Techstructive Weekly! Subscribe for free to receive new posts and support my work.</p>",
    "<p>¡Gracias por leer Transformateck! Suscríbete gratis para recibir nuevas publicaciones y apoyar mi trabajo.</p>",
])
def test_substacks_subscribe_caption_goes_wherever_it_sits(html: str) -> None:
    """en.appeal.substack-subscribe-free, es.appeal.substack-suscribete-gratis (scope block)."""
    body = clean_body(ARTICLE.replace("</p><p>", "</p>" + html + "<p>", 1) + "<p>One.</p><p>Two.</p>")
    assert "Subscribe" not in body.text and "Suscríbete" not in body.text
    assert OWN[1] in body.text


LOOK_ALIKES = {
    # fr: a book, not the article, "est initialement paru" (the subject noun is required)
    "fr-livre": "<p>Ce livre est initialement paru en 1998 chez Gallimard, puis a été réédité.</p>",
    # it: the verbs joined for a novel
    "it-romanzo": "<p>Il romanzo è stato pubblicato ed è apparso per la prima volta in Italia nel 1950.</p>",
    # de: a web series "erschien ursprünglich als Web-Serie" (find_string id 70871900623)
    "de-web-serie": "<p>Dungeon Crawler Carl stammt von Matt Dinniman, erschien ursprünglich als Web-Serie und wurde"
                    " über Hörbücher sehr erfolgreich.</p>",
    # de: a column named in prose, no day (find_string id 62061770970)
    "de-kolumne-prosa": "<p>Tetlock konstruiert einen Index aus der täglichen Kolumne im Wall Street Journal"
                        " (1984-1999, 16 Jahre).</p>",
    # en: "this story was produced by" in the middle of a sentence, or by no name (find_string id 70101564516,
    # 59903856369)
    "en-figure-produced-by": "<p>Every figure in this story was produced by a command, run before the story was"
                             " written.</p>",
    "en-draft-produced-by": "<p>An earlier draft of this story was produced by a background agent.</p>",
    "en-produced-by-a-team": "<p>This story was produced by a team of volunteers over three weekends.</p>",
    # en: "reader-supported publication" in a sentence that says more
    "en-reader-supported-prose": "<p>The Guardian is a reader-supported publication, its editor said, and that shapes"
                                 " what it covers.</p>",
    # en: open access talked about, no grant
    "en-open-access-prose": "<p>Open Access week starts on Monday, and this article explains how to choose a"
                            " licence.</p>",
    # de: a game or a series "erschien ursprünglich" (de.origin.erschien-zuerst wants a subject noun or the
    # sentence's start). find_string id 56736804486, 56340208034, 11454429169, 68832983776
    "de-monkey-island": "<p>Monkey Island erschien ursprünglich auf Disketten.</p>",
    "de-frogger": "<p>Frogger erschien ursprünglich 1981 als Arcade-Automat von Konami.</p>",
    "de-dragon-ball": "<p>Dragon Ball erschien ursprünglich von 1984 bis 1995 im Manga-Magazin Weekly Shōnen Jump und"
                      " wurde später in 42 Bänden veröffentlicht.</p>",
    # es: "apareció originalmente en" for a comic, a book, a term (find_string id 34142576133, 57443931947,
    # 70087038602, 20910624380)
    "es-snoopy": "<p>Snoopy apareció originalmente en la tira cómica Peanuts.</p>",
    "es-el-libro": "<p>El libro apareció originalmente en inglés en 1912.</p>",
    "es-agent": "<p>Agent! apareció originalmente en Hacker News el pasado abril.</p>",
    "es-olor-a-codigo": "<p>El término olor a código apareció originalmente en la wiki de C2.</p>",
    # pt: "publicado originalmente em" a year, for software or a book (find_string id 25135066389, 71349272996)
    "pt-git": "<p>O Git foi publicado originalmente em abril de 2005 e foi desenvolvido por Linus Torvalds.</p>",
    "pt-classico": "<p>Publicado originalmente em 1929, o clássico Self-Mastery and Fate apresenta a tese.</p>",
    # pt: a data set or a package "foi publicado originalmente no" (find_string id 54964838510, 52590497161)
    "pt-conjunto-de-dados": "<p>Este conjunto de dados foi publicado originalmente no livro The Audubon Society Field"
                            " Guide to North American Mushrooms (1981) por G. H. Lincoff.</p>",
    "pt-pacote": "<p>Este pacote foi publicado originalmente no escopo @plebbit. Ele foi renomeado para"
                 " @bitsocial/captcha-canvas-challenge.</p>",
    # fr: a product "a été initialement publiée" (find_string id 30408497938)
    "fr-azure": "<p>Lorsque Azure a été initialement publiée, l'accès aux abonnements était basé sur deux rôles.</p>",
    # en: "first published in YEAR by" a publisher: no place, so no origin notice and no author
    "en-published-in-year-by": "<p>This story was first published in 2019 by Penguin, and reissued in 2023.</p>",
    # pt: a report "produzida com base em" its sources, "com apoio do" a funder, "pela equipe do" the site itself
    # (find_string id 61772197264, 12211479452, 61703728647)
    "pt-produzida-com-base": "<p>Esta reportagem foi produzida com base em apuração e fontes identificadas no"
                             " texto.</p>",
    "pt-produzida-com-apoio": "<p>Esta reportagem foi produzida com apoio do Report for the World, uma iniciativa do"
                              " The GroundTruth Project.</p>",
    "pt-produzida-pela-equipe": "<p>Esta reportagem foi produzida pela equipe do CumaruNews com base em fontes"
                                " identificadas no texto.</p>",
    # en: "appears in print" said of a quote (find_string id 60405654017)
    "en-appears-in-print-quote": "<p>This is very likely not Twain. It appears in print only from the 1970s, long"
                                 " after his death.</p>",
    # fr: "La version originale de cet article utilisait …" (find_string id 11274873503), "La version d’origine des
    # outils utilise …" (id 5040771313)
    "fr-version-originale-utilisait": "<p>La version originale de cet article utilisait des numéros spécifiques de"
                                      " versions.</p>",
    "fr-version-d-origine-outils": "<p>La version d’origine des outils utilise le runtime de Functions 1.x.</p>",
    # en: a sign-off that asks nothing
    "en-thanks-for-reading": "<p>Thanks for reading! I will write more about the harbor next week.</p>",
    # en: adapted from a talk, no origin named (en.cross-posted-from needs "originally published on" after the names)
    "en-adapted-talk": "<p>The talk was adapted from a lecture by Jane Doe, and the slides are online.</p>",
    # zh: 出自 in the middle of a sentence (find_string id 55119162866); 最早发表于 followed by more of the sentence
    # (find_string id 2268977640) or with a subject (id 15916934442)
    "zh-gaiju-chuzi": "<p>该句原文出自 HD-015 而非 HD-006 本体，与上述三点结论完全一致。</p>",
    "zh-zuizao-paper": "<p>最早发表于 Filterbank-Based Fingerprint Matching ，主要用于验证系统。</p>",
    "zh-ot-zuizao": "<p>它最早发表于 1989 年，随后因 Google 在其在线协作产品中大量使用而流行。</p>",
    # zh: a greeting that goes on into the article
    "zh-dajiahao-prose": "<p>大家好，我是张三，今天我们来聊聊 Rust 的所有权。</p>",
    # zh: "文章同时在" in prose (only 同步 may go without a verb)
    "zh-tongshi-prose": "<p>文章同时在结尾处提到了三个问题。</p>",
}


@pytest.mark.parametrize("where", ["lead", "tail"])
@pytest.mark.parametrize("name", sorted(LOOK_ALIKES))
def test_a_look_alike_stays_whole_and_says_nothing(name: str, where: str) -> None:
    html = LOOK_ALIKES[name]
    text, found = _read(html, where)
    inner = html.removeprefix("<p>").removesuffix("</p>")
    assert inner in text, (name, text)
    assert not found, (name, found)
