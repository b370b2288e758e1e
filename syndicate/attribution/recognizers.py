"""The phrases syndicate recognises in article bodies, as data.

Each :class:`Recognizer` row is one phrasing: a case-insensitive regular expression,
how much text a hit covers (``scope``), where it may appear (``where``) and what it
yields. Named groups in the pattern yield facts:

``publisher``  the original outlet ("originally published on *Example News*")
``author``     the original author(s) ("Articles by: *South Front*")
``holder``     the copyright holder ("© 2024 *Example Corp*")
``year``       the copyright year

Placeholders keep the patterns readable: ``{PUB}`` / ``{AUTHOR}`` / ``{HOLDER}`` expand to
a capitalised name (or a domain) captured into that group, ``{YEAR}`` to a year or range.

Scopes:

``sentence``  the pattern is tried on each sentence (``^``/``$`` are the sentence's ends);
              a hit covers its sentence.
``block``     tried on the whole paragraph; a hit covers the whole paragraph.
``rest``      tried on the whole paragraph; a hit covers from the match to the paragraph's end
              (a grant and the conditions that follow it).
``whole``     tried on the whole paragraph; counts only when the paragraph is nothing else
              (a byline, "Source: X").

A paragraph is removed from the body when its hits cover all of it (what is left has at
most :data:`TRIVIAL_REMAINDER` letters or digits); facts are taken only from removed
paragraphs, so a real paragraph that merely mentions "copyright law" or a newsletter is
neither eaten nor mined. ``where="lead"`` rows apply only to the first two paragraphs.

To add a phrasing: add a row (keep the table sorted by ``name``), give it an ``example``
it must recognise (the tests check every row against its example) and, in
tests/data/attribution/cases.json, a case plus a near-miss that must stay.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

from syndicate.attribution.licenses import ALL_RIGHTS_RESERVED, PERMISSION

Scope = Literal["sentence", "block", "rest", "whole"]
Where = Literal["any", "lead"]
Kind = Literal["attribution", "rights", "notice", "appeal"]

TRIVIAL_REMAINDER = 15  # letters/digits a removed paragraph may leave over ("etc.", "*", "via:")
MAX_WHOLE_CHARS = 300  # "whole" rows (bylines, "Source: X") only look at paragraphs this short
MAX_SENTENCE_CHARS = 1500  # longer sentences are never notices (and would cost regex time)
MAX_BLOCK_CHARS = 5000  # longer paragraphs are never notices
LEAD_BLOCKS = 2

_UPPER = "A-ZÀ-ÖØ-Þ"
# one capitalised word: an initial ("J." "U.S."), a word ("Harbor", "O'Brien", "Example.com"), or "9to5Mac"
_TITLES = r"(?:Prof|Dr|Mr|Mrs|Ms|Mx|Jr|Sr|St|Rev|Gen|Col|Capt|Sen|Rep|Gov|Hon)\."
_WORD = (
    rf"(?-i:{_TITLES}|[{_UPPER}]\.(?:[{_UPPER}]\.)*"
    rf"|[{_UPPER}][\w'’&+-]*(?:\.[\w'’&+-]+)*"
    r"|[0-9]+[A-Za-z][\w'’-]*)"
)
# lower-case words allowed inside a name when a capitalised word follows ("Centre for Research")
_CONNECTOR = r"(?-i:of|the|for|and|&|de|du|des|la|le|del|della|van|von|der|den|da|dos|y|al|bin|ibn)"
_NAME = rf"(?:(?-i:the\s+)?{_WORD}(?:\s+(?:{_CONNECTOR}\s+)*{_WORD})*|(?:[a-z0-9-]+\.)+[a-z]{{2,}}\b)"
# a person's name: no "and"/"&" inside (they separate people), so a list parses one way only
_PARTICLE = r"(?-i:de|du|des|la|le|del|della|van|von|der|den|da|dos|y|al|bin|ibn)"
_PERSON = rf"{_WORD}(?:\s+(?:{_PARTICLE}\s+)*{_WORD})*"
_PEOPLE = rf"{_PERSON}(?:\s*(?:,|\band\b|&)\s*{_PERSON})*?"  # lazy: "By Jane Doe, Outlet" keeps the outlet apart
PLACEHOLDERS: dict[str, str] = {
    "AUTHOR": rf"(?P<author>{_PEOPLE})",
    "HOLDER": rf"(?P<holder>{_NAME})",
    "OUTLET": rf"(?P<outlet>{_NAME})",
    "PUB": rf"(?P<publisher>{_NAME})",
    "NOT_A_NAME": r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|january|february|march|april|may|june"
                  r"|july|august|september|october|november|december|the|then|now|far|then|this|that|law|car|bus|train"
                  r"|air|sea|road|rail|night|day|noon|midnight|christmas|easter|spring|summer|autumn|fall|winter)",
    "YEAR": r"(?P<year>(?:19|20)\d\d(?:\s*[-–]\s*(?:19|20)?\d\d)?)",
}


_PLACEHOLDER = re.compile(r"\{([A-Z_]+)\}")


def expand(pattern: str) -> str:
    """``pattern`` with its ``{PLACEHOLDERS}`` filled in."""
    return _PLACEHOLDER.sub(lambda m: PLACEHOLDERS[m.group(1)], pattern)


@dataclass(frozen=True, slots=True)
class Recognizer:
    name: str  # unique; the table is sorted by it
    kind: Kind  # what the phrase is: attribution, rights, notice (disclaimer/fair use) or appeal
    pattern: str  # case-insensitive regex with {PLACEHOLDERS}
    example: str  # a phrase it must recognise
    scope: Scope = "sentence"
    where: Where = "any"
    license: str | None = None  # the licence id the phrase states ("permission", "all-rights-reserved")
    conditions: tuple[str, ...] = ()  # conditions the phrase states
    notice: str | None = None  # record the covered text as a notice of this kind
    republished: bool = False  # the copy carrying it is a republication (fair-use claims)
    grant_conditions: bool = False  # read more conditions from the covered text (CONDITION_PHRASES)
    needs_link: bool = False  # counts only in a paragraph linking to an article ("Source: <a href=…>X</a>")
    regex: re.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "regex", re.compile(expand(self.pattern), re.I | re.S))


R = Recognizer
RECOGNIZERS: tuple[Recognizer, ...] = (
    R("all-rights-reserved", "rights", r"\ball rights reserved\W*$",
      "© 2024 Example Media. All rights reserved.",
      license=ALL_RIGHTS_RESERVED, conditions=("permission-required",), notice="copyright"),
    R("ap-may-not-be-published", "rights",
      r"\bmay not be (?:re)?published,? broadcast,? rewritten,? or redistributed\b",
      "This material may not be published, broadcast, rewritten or redistributed.",
      license=ALL_RIGHTS_RESERVED, conditions=("permission-required",), notice="copyright"),
    R("appeared-first-on", "attribution", r"^the post\b.{1,300}?\bappeared first on\s+{PUB}",
      "The post Harbor strike enters third week appeared first on Harbor Times."),
    R("articles-by", "attribution", r"^(?:articles?|posts?|stories)\s+by\s*:?\s*{AUTHOR}\W*$",
      "Articles by: South Front", scope="whole"),
    R("authored-by-via", "attribution",
      r"^(?:authored|written|posted|submitted|reported)\s+by\s+{AUTHOR}\s+(?:via|at|for|of)\s+{PUB}\W*$",
      "Authored by Mike Shedlock via MishTalk.com,", scope="whole", where="lead"),
    R("byline", "attribution", r"^by\s+(?!{NOT_A_NAME}\b){AUTHOR}(?:\s*(?:,|\||—|–|-|\bfor\b)\s*{PUB})?\W*$",
      "By Jane Doe, Harbor Times", scope="whole", where="lead"),
    R("continue-reading", "appeal",
      r"^(?:continue reading|read more|read the rest of (?:this|the) (?:entry|article|story|post))\b.{0,60}$",
      "Continue reading →", scope="whole"),
    R("copyright-holder-outlet-year", "rights", r"\bcopyright\s*(?:©|\(c\))\s*{HOLDER},\s*{OUTLET},\s*{YEAR}",
      "Copyright © South Front, Global Research, 2020", notice="copyright"),
    R("copyright-paren-c-year", "rights", r"\(c\)\s*(?:copyright\s*)?{YEAR}\s*,?\s*(?:by\s+)?{HOLDER}",
      "(c) 2023 Jane Doe", notice="copyright"),
    R("copyright-symbol", "rights", r"©\s*(?:copyright\s*)?(?:{YEAR}\s*,?\s*)?(?:by\s+)?{HOLDER}",
      "© 2024 Example Corp.", notice="copyright"),
    R("copyright-word-year", "rights", r"\bcopyright\s*(?:©\s*)?{YEAR}\s*,?\s*(?:by\s+)?{HOLDER}",
      "Copyright 2025 Harbor Times.", notice="copyright"),
    R("cross-posted-from", "attribution",
      r"^(?:this (?:article|story|post|piece) (?:was |is )?)?(?:cross-?posted|re-?posted|syndicated|adapted"
      r"|excerpted|reproduced)\s+(?:here\s+)?(?:with permission\s+)?from\s+{PUB}",
      "Cross-posted from Common Dreams."),
    R("disclaimer-label", "notice", r"^disclaimer\s*:",
      "Disclaimer: The contents of this article are of sole responsibility of the author(s).",
      scope="block", notice="disclaimer"),
    R("disclaimer-not-necessarily", "notice",
      r"\bdo(?:es)? not necessarily (?:reflect|represent) the (?:views|opinions|position|policy|policies)\b",
      "The opinions expressed here do not necessarily reflect the views of Example News.", notice="disclaimer"),
    R("disclaimer-views-expressed", "notice",
      r"^(?:the )?(?:views|opinions) expressed (?:in this (?:article|piece|post|column)|here(?:in)?"
      r"|by (?:the )?(?:authors?|contributors?|writers?))\s+(?:are|is) (?:solely |entirely |strictly )?"
      r"(?:those of|the (?:author|writer)|their own|his own|her own|the sole)",
      "The views expressed in this article are solely those of the author.", notice="disclaimer"),
    R("email-placeholder", "appeal", r"^\[email\s*protected\]\W*$", "[email protected]", scope="whole"),
    R("fair-use-copyrighted-material", "notice",
      r"\bcontains copyrighted material the use of which has not always been (?:specifically )?authori[sz]ed",
      "This site contains copyrighted material the use of which has not always been specifically authorized "
      "by the copyright owner.",
      scope="block", notice="fair-use", republished=True),
    R("fair-use-making-available", "notice",
      r"\bmaking (?:such|this|the) material available\b.{0,160}\bfair use\b",
      "We are making such material available to our readers under the provisions of fair use.",
      notice="fair-use", republished=True),
    R("fair-use-title-17", "notice",
      r"\bin accordance with title 17 u\.?\s?s\.?\s?c\.?\s*(?:section|§)\s*107\b",
      "In accordance with Title 17 U.S.C. Section 107, this material is distributed without profit.",
      scope="block", notice="fair-use", republished=True),
    R("feel-free-to-repost", "rights",
      r"^(?:please\s+)?feel free to (?:re-?post|republish|reprint|cross-?post)\b",
      "Feel free to repost and share widely Global Research articles.",
      license=PERMISSION, notice="permission", grant_conditions=True),
    R("grants-permission", "rights",
      r"\bgrants? (?:you )?(?:the )?permission to (?:cross-?post|re-?post|republish|reprint|reproduce|share)\b",
      "The Centre of Research on Globalization grants permission to cross-post Global Research articles on "
      "community internet sites as long the source and copyright are acknowledged.",
      scope="rest", license=PERMISSION, notice="permission", grant_conditions=True),
    R("licensed-under", "rights",
      r"\b(?:licensed|released|published|distributed|available|republished|shared|reproduced)\s+under\s+"
      r"(?:an?\s+|the\s+)?(?:terms of (?:the\s+|a\s+)?)?(?:creative commons|cc[\s-]?by|cc0|public domain)",
      "This work is licensed under a Creative Commons Attribution 4.0 International License."),
    R("may-republish", "rights",
      r"^(?:you (?:are free to|may|can)|(?:this|our) (?:article|story|content|articles|stories|work) (?:may|can) be)"
      r" (?:freely )?(?:re-?publish(?:ed)?|re-?post(?:ed)?|reprint(?:ed)?)\b",
      "You may republish this article for free, provided you credit the author and link to the original.",
      scope="rest", license=PERMISSION, notice="permission", grant_conditions=True),
    R("media-inquiries", "appeal", r"^(?:for )?(?:media|press) (?:inquiries|enquiries|contacts?)\s*:",
      "For media inquiries: [email protected]", scope="block"),
    R("newsletter-inbox", "appeal",
      r"\b(?:get|receive|have)\s+(?:more\s+|our\s+)?(?:stories|articles|news|posts|updates|reporting)"
      r"(?:\s+like this)?\s+(?:delivered\s+)?(?:straight\s+|right\s+|directly\s+)?(?:in|into|to)\s+your inbox",
      "Get stories like this delivered to your inbox."),
    R("newsletter-subscribe", "appeal",
      r"^(?:please\s+)?(?:subscribe|sign up|register|join)\b.{0,60}\b(?:newsletters?|mailing list|email list)\b",
      "Subscribe to our newsletter to get stories like this in your inbox every morning."),
    R("note-to-readers", "appeal", r"^(?:an?\s+)?(?:important\s+)?note to (?:our\s+)?readers\s*:",
      "Note to readers: please click the share buttons above or below.", scope="block"),
    R("original-source", "attribution", r"\bthe original source of this (?:article|story|post|piece) is\s+{PUB}",
      "The original source of this article is Global Research"),
    R("originally-published", "attribution",
      r"\b(?:this|the|a) (?:article|story|post|piece|essay|report|column|interview|op-ed|commentary|analysis"
      r"|text|item|version|blog post)\b.{0,60}?\b(?:was |is |has been )?(?:originally|first)\s+"
      r"(?:published|posted|appeared|ran|printed|aired)\s+(?:online\s+)?(?:on|in|at|by|for|with)\s+{PUB}",
      "This article was originally published on Example News."),
    R("originally-published-lead", "attribution",
      r"^(?:originally|first)\s+(?:published|posted|appeared|ran)\s+(?:online\s+)?(?:on|in|at|by)\s+{PUB}",
      "Originally published at Harbor Times."),
    R("paypal-patreon", "appeal",
      r"\bpaypal(?:\.me)?\s*[:/]|\b(?:via|through|with|on|by) paypal\b|patreon\.com|\bon patreon\b"
      r"|\bbecome a (?:patron|paying subscriber|member|supporter)\b|\bbuy (?:me|us) a coffee\b",
      "Our work wouldn’t be possible without your help: PayPal: [email protected]"),
    R("read-original", "attribution", r"^read the (?:original|full) (?:article|story|post|version)\b",
      "Read the original article."),
    R("reprinted-with-permission", "rights",
      r"\b(?:reprinted|reproduced|republished|reposted|published|used|shared|cross-?posted|posted)\s+(?:here\s+)?"
      r"with\s+(?:the\s+)?(?:kind\s+|express\s+|written\s+)?permission(?:\s+(?:of|from)\s+{PUB})?",
      "Reprinted with permission of MIT News.",
      license=PERMISSION, conditions=("attribution",), notice="permission"),
    R("republished-from", "attribution",
      r"\b(?:republished|reproduced|reprinted)\s+(?:here\s+)?(?:from|courtesy of)\s+{PUB}",
      "This article is republished from The Conversation under a Creative Commons license."),
    R("share-buttons", "appeal",
      r"\b(?:click|use|hit|tap)\s+(?:on\s+)?the\s+share\s+buttons?\b|^forward this (?:article|story|post|email)\b"
      r"|^(?:please\s+)?cross-?post (?:this|it|on)\b|^(?:please\s+)?share this (?:article|story|post)\b",
      "Forward this article to your email lists."),
    R("share-residue", "appeal",
      r"^(?:(?:share(?: this| on \w+)?|tweet|e-?mail|print|pin(?: it)?|like(?: this)?|facebook|twitter|x|linkedin"
      r"|whatsapp|reddit|telegram|flipboard|pocket|copy link|click to (?:share|email|print)(?: on \w+)?"
      r"(?: \(opens in new window\))?|loading|related)\W*)+$",
      "Share this: Facebook | Twitter | Email", scope="whole"),
    R("source-line", "attribution", r"^(?:source|via|h/t|hat tip)\s*:\s*{PUB}\W*$", "Source: Harbor Times",
      scope="whole", needs_link=True),
    R("support-appeal", "appeal",
      r"\bplease (?:consider )?(?:support(?:ing)?|donat(?:e|ing) to|giving to)\s+(?:us|our|the project|this"
      r" (?:site|blog|project|work|publication|newsletter)|independent)\b"
      r"|^support\s+(?:us|our (?:work|journalism|reporting|mission)|independent (?:media|journalism)|{OUTLET}\s+in"
      r" (?:its|their|our) endeavou?rs)\b"
      r"|^(?:please\s+)?(?:donate|chip in|contribute)\s+(?:now|today|here|to us|to our|to this|via)\b"
      r"|\b(?:our|this) work (?:wouldn[’']t|would not|isn[’']t|is not) (?:be )?possible without\b"
      r"|\bif you(?:[’']re| are) able\b.{0,80}\bsupport\b",
      "Support South Front in its endeavors."),
)  # fmt: skip

# conditions a grant's own wording states (read from the text of rows with grant_conditions=True)
CONDITION_PHRASES: tuple[tuple[str, str], ...] = (
    ("attribution",
     r"\b(?:source|author|copyright|byline)s?\b.{0,40}\b(?:acknowledged|credited|cited|retained|kept)"
     r"|\b(?:credit|attribute|acknowledge)\b|\battribution\b"),
    ("link-to-original", r"\b(?:hyper)?link(?:ed|ing)?\b.{0,20}\b(?:to|back)\b.{0,30}\boriginal\b|\bhyperlink\b"
     r"|\blink(?:ing)? back\b"),
    ("no-derivatives", r"\bin (?:their|its) entirety\b|\bwithout (?:any )?(?:changes|modifications|alterations|edits)"
     r"|\bmay not be (?:edited|altered|modified|changed)\b|\bunaltered\b|\bunedited\b"),
    ("noncommercial", r"\bnon-?commercial\b|\bcommunity (?:internet )?sites?\b|\bnot for (?:commercial|profit)\b"
     r"|\bcommercial\b.{0,60}\b(?:contact|permission|not permitted|prohibited|excluded|not allowed)\b"),
    ("permission-required", r"\bmust (?:request|obtain|ask for|seek) (?:written )?permission\b"),
)  # fmt: skip
CONDITION_REGEXES: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (condition, re.compile(pattern, re.I | re.S)) for condition, pattern in CONDITION_PHRASES
)


def conditions_in(text: str) -> tuple[str, ...]:
    """The conditions a grant's wording states, sorted."""
    return tuple(sorted({condition for condition, regex in CONDITION_REGEXES if regex.search(text)}))
