"""The phrases syndicate recognises in article bodies, as data.

The rows live in one TOML file per language beside this module (``phrases/en.toml``,
``phrases/es.toml``…), all in the same format, and operators add their own with
``[[recognizer]]`` rows in the configuration (:func:`rows_from_config`). Each
:class:`Recognizer` row is one phrasing: a case-insensitive regular expression, how much
text a hit covers (``scope``), where in the body it may appear (``where``) and what it
yields. Named groups in the pattern yield facts:

``publisher``  the original outlet ("originally published on *Example News*")
``author``     the original author(s) ("Articles by: *South Front*"); ``{SECOND_AUTHOR}`` a second list in the same
               row ("*A*, University X and *B*, University Y"): every author group counts
``holder``     the copyright holder ("© 2024 *Example Corp*")
``year``       the copyright year

Placeholders keep the patterns readable: ``{PUB}`` / ``{AUTHOR}`` / ``{HOLDER}`` expand to
a capitalised name (or a domain) captured into that group, ``{YEAR}`` to a year or range,
``{DATE}`` to a date as the language writes it, ``{SEP}`` to a byline separator
(`` | ``, `` – ``, `` - ``), ``{ROLE}`` to a role or affiliation after a comma. A name list
joins people with "," "&" "and" and the language's own words (``and`` in its file: "y",
"et", "und"…).

Scopes:

``sentence``  the pattern is tried on each sentence (``^``/``$`` are the sentence's ends);
              a hit covers its sentence.
``clause``    tried on each sentence; a hit covers only what it matched (a credit glued
              to the article's own sentence: "… hardest-hit areas. — AFP").
``block``     tried on the whole paragraph; a hit covers the whole paragraph.
``rest``      tried on the whole paragraph; a hit covers from the match to the paragraph's end
              (a grant and the conditions that follow it).
``whole``     tried on the whole paragraph; counts only when the paragraph is nothing else
              (a byline, "Source: X"). In the lead and the tail it is also tried on each
              sentence, which then counts when the sentence is nothing else.

Where: ``any``; ``lead`` (the first :data:`LEAD_BLOCKS` paragraphs); ``tail`` (the last
:data:`TAIL_BLOCKS`); ``edge`` (lead or tail). Position is evidence: a credit such as
"— AFP" or a funding line is a notice at the end of a body and prose in its middle.

A paragraph is removed from the body when its hits cover all of it (what is left has at
most :data:`TRIVIAL_REMAINDER` letters or digits). In the lead and the tail a paragraph
may also lose only its covered first (lead) or last (tail) sentences or clauses, the
article's own sentences kept whole (see :mod:`syndicate.attribution.notices`). Facts are
taken only from removed text, so a real paragraph that merely mentions "copyright law" or
a newsletter is neither eaten nor mined.

To add a phrasing: add a row to the language's file (keep it sorted by ``id``), give it an
``example`` it must recognise (the tests check every row against its example) and, in
tests/data/attribution/cases.json, a case plus a near-miss that must stay.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, Literal

from syndicate.attribution.prefilter import Source
from syndicate.models import CONDITIONS

Scope = Literal["sentence", "clause", "block", "rest", "whole"]
Where = Literal["any", "lead", "tail", "edge"]
Kind = Literal["attribution", "rights", "notice", "appeal"]
SCOPES: tuple[str, ...] = ("sentence", "clause", "block", "rest", "whole")
WHERES: tuple[str, ...] = ("any", "lead", "tail", "edge")
KINDS: tuple[str, ...] = ("attribution", "rights", "notice", "appeal")
NOTICE_KINDS: tuple[str, ...] = ("disclaimer", "fair-use", "permission", "copyright")
# what a row's {AUTHOR} names: the byline of this copy, or the original's author (wins over a house account)
AUTHOR_ROLES: tuple[str, ...] = ("byline", "original")
# what a row's {PUB} names: the original outlet, or an image's source (never the article's)
SUBJECTS: tuple[str, ...] = ("article", "image")

TRIVIAL_REMAINDER = 15  # letters/digits a removed paragraph may leave over ("etc.", "*", "via:")
MAX_WHOLE_CHARS = 300  # "whole" rows (bylines, "Source: X") only look at paragraphs this short
MAX_SENTENCE_CHARS = 1500  # longer sentences are never notices (and would cost regex time)
MAX_BLOCK_CHARS = 5000  # longer paragraphs are never notices
LEAD_BLOCKS = 2
TAIL_BLOCKS = 2

PHRASES_DIR = Path(__file__).with_name("phrases")

_UPPER = "A-ZÀ-ÖØ-Þ"
# one capitalised word: initials glued to a surname ("R.O.Perdiz"), an initial ("J." "U.S."), a word ("Harbor",
# "O'Brien", "Example.com"), or "9to5Mac"
_TITLES = r"(?:Prof|Dr|Mr|Mrs|Ms|Mx|Jr|Sr|St|Rev|Gen|Col|Capt|Sen|Rep|Gov|Hon)\."
_WORD = (
    rf"(?-i:{_TITLES}|[{_UPPER}]\.(?:[{_UPPER}]\.)*(?:[{_UPPER}][a-zà-ÿ][\w'’-]*)?"
    rf"|[{_UPPER}][\w'’&+-]*(?:\.[\w'’&+-]+)*"
    r"|[0-9]+[A-Za-z][\w'’-]*)"
)
# lower-case words allowed inside a name when a capitalised word follows ("Centre for Research")
_CONNECTOR = r"(?-i:of|the|for|and|&|de|du|des|la|le|del|della|van|von|der|den|da|dos|y|al|bin|ibn)"
# a capitalised "By" ends a name: "Originally published on Medium By NAME" names Medium
_NAME = rf"(?:(?-i:the\s+)?{_WORD}(?:\s+(?:{_CONNECTOR}\s+)*(?!(?-i:By)\s){_WORD})*|(?:[a-z0-9-]+\.)+[a-z]{{2,}}\b)"
# a capitalised word that starts a sentence, never a name ("By Jeff Turrentine The coal industry…")
_NOT_IN_NAME = (r"(?!(?-i:The|This|That|These|Those|A|An|In|On|At|It|Its|He|She|We|They|I|When|While|As|If|But"
                r"|Or|From|With|Here|There|What|Why|How|Our|My|Your)\b(?!\.))")  # "A." "I." are initials
# a person's name: no "and"/"&" inside (they separate people), so a list parses one way only
_PARTICLE = r"(?-i:de|du|des|la|le|del|della|van|von|der|den|da|dos|al|bin|ibn)"
# or a handle ("par @rawfiner", "written by @jane_doe")
_HANDLE = r"@[A-Za-z0-9_][\w.-]{0,38}(?<![.-])"
_PERSON = rf"(?:{_HANDLE}|{_NOT_IN_NAME}{_WORD}(?:\s+(?:{_PARTICLE}\s+)*{_NOT_IN_NAME}{_WORD})*)"
_SEP = r"\s*(?:\||–|—|-(?=\s)|·)\s*"
_ZH_RUN = r"[^\s，。；：:,;|｜（()）“”「」《》【】！？!?、]{1,30}?(?=[\s，。；：:,;|｜（()）“”「」《》【】！？!?、]|$)"
_BASE_PLACEHOLDERS: dict[str, str] = {
    "HOLDER": rf"(?P<holder>{_NAME})",
    "OUTLET": rf"(?P<outlet>{_NAME})",
    # a publisher may be written as a URL (its host is recorded: "publisher8" is read as "publisher") or
    # in quotes ("Il Mondo", «El País»)
    "PUB": rf"(?:https?://(?:www\.)?(?P<publisher8>(?:[a-z0-9-]+\.)+[a-z]{{2,}})(?:[/?#][^\s<>\"”»]*)?"
           rf"|[“\"«]\s?(?P<publisher7>{_NAME})\s?[”\"»]|(?P<publisher>{_NAME}))",
    "NAME": rf"(?:{_NAME})",
    "SEP": _SEP,
    "ROLE": r"(?P<role>[^|–—()\n]{1,200}?)",
    "NOT_A_NAME": r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|january|february|march|april|may|june"
                  r"|july|august|september|october|november|december|the|then|now|far|then|this|that|law|car|bus|train"
                  r"|air|sea|road|rail|night|day|noon|midnight|christmas|easter|spring|summer|autumn|fall|winter)",
    "YEAR": r"(?P<year>(?:19|20)\d\d(?:\s*[-–]\s*(?:19|20)?\d\d)?)",
    # Chinese names are not capitalised: a run up to punctuation, a space or a quote ("本文转载自澎湃新闻。")
    # a URL stands for its host ("本文首发于 https://example.github.io"): "publisher9" is read as "publisher"; one's own
    # blog or an unnamed WeChat account names no outlet ("本文首发于个人博客", "本文首发于微信公众号，欢迎转载")
    "ZH_PUB": rf"(?:(?:微信)?公众号(?:\s*[：:]\s*|\s+|(?=[“「《]))|(?:博客|专栏)(?:\s*[：:]\s*|\s+))?(?:https?://(?:www\.)?(?P<publisher9>(?:[a-z0-9-]+\.)+[a-z]{{2,}})[^\s，。；）)]*|(?:(?:个人|我的|本人)(?:博客|网站|主页|站点|公众号|专栏)|(?:微信)?公众号)(?=\s*(?:[，。；：:,;!！]|$))"
               rf"|[“「《【]?(?P<publisher>{_ZH_RUN})[”」》】]?)",
    "ZH_AUTHOR": rf"(?P<author>{_ZH_RUN})",
    "ZH_HOLDER": rf"(?P<holder>{_ZH_RUN})",
}  # fmt: skip
# the flags of a compiled row (re.UNICODE is implied for str patterns): a row's Source carries them
ROW_FLAGS = re.compile("", re.I | re.S).flags
_NUMERIC_DATE = r"\d{1,2}[./-]\d{1,2}[./-](?:\d{4}|\d{2})|\d{4}-\d\d-\d\d|\d{4}年\d{1,2}月\d{1,2}日"


@dataclass(frozen=True, slots=True)
class Language:
    """One language's table: its code, words that join names, month names, house accounts, stopwords."""

    code: str
    and_words: tuple[str, ...] = ()
    months: tuple[str, ...] = ()
    house_accounts: tuple[str, ...] = ()
    stopwords: tuple[str, ...] = ()
    # how the language names a place an article appeared in ({PLACE}): "le", "mon"…; "blog", "site web"…; "de"…
    place_determiners: tuple[str, ...] = ()
    place_words: tuple[str, ...] = ()
    place_of: tuple[str, ...] = ()
    place_adjectives: tuple[str, ...] = ()  # between determiner and place word: "meu antigo blog", "my old blog"

    @property
    def placeholders(self) -> dict[str, str]:
        joins = "|".join(["and", "&", ",", *(re.escape(w) for w in self.and_words)])
        people = rf"{_PERSON}(?:\s*(?:,|\b(?:{joins})\b|&)\s*{_PERSON})*?"  # lazy: "By Jane Doe, Outlet"
        months = "|".join(sorted({*_EN_MONTHS, *self.months}, key=lambda m: (-len(m), m)))  # same in every process
        date = (rf"(?P<date>{_NUMERIC_DATE}|(?:(?:{months})\.?\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}})"
                rf"|(?:\d{{1,2}}(?:er|º|\.)?\s+(?:de\s+)?(?:{months})\.?\s+(?:de\s+)?\d{{4}}))")
        return {**_BASE_PLACEHOLDERS, "AUTHOR": rf"(?P<author>{people})", "SECOND_AUTHOR": rf"(?P<author2>{people})",
                "DATE": date, "MONTH": rf"(?:{months})", "PLACE": self._place()}

    def _place(self) -> str:
        """``{PLACE}``: where a piece appeared, as sites write it. A name or a URL ({PUB}), after an optional
        determiner and a place word ("le blog de X", "no jornal X", "the X blog" is {PUB} itself); or, when
        the place is only described ("sur mon site web de blog personnel", "sur le compte Medium de
        l'auteur : URL"), the place word alone: nothing is captured, and the notice's link names the
        original (its host), as for any origin notice without a name."""
        def alternation(words: tuple[str, ...]) -> str:
            return "|".join(sorted((_spaced(w) for w in words), key=lambda w: (-len(w), w)))

        pub = _BASE_PLACEHOLDERS["PUB"]
        if not self.place_words:
            return pub
        # as written after a preposition, so case-sensitive: "in the Journal of Open Law" keeps its name whole
        det = rf"(?:(?-i:{alternation(self.place_determiners)})\b\s*)?" if self.place_determiners else ""
        words = rf"(?-i:{alternation(self.place_words)})"
        adj = rf"(?:(?-i:{alternation(self.place_adjectives)})\s+)?" if self.place_adjectives else ""
        of = rf"\s+(?:{alternation(self.place_of)})\b\s*{det}" if self.place_of else r"\s+"
        head = rf"{adj}(?:{words})(?:\s+|(?:\s+[\w'’.-]+){{0,3}}?{of})(?=[“\"«]?(?-i:[{_UPPER}0-9])|https?://|(?:[a-z0-9-]+\.)+[a-z]{{2,}}\b)"
        # a month after a place word is a date, never a name ("em meu antigo medium no dia 5 de Maio de 2023")
        head += rf"(?!(?:{alternation((*_EN_MONTHS[:12], *self.months))})\b)"
        # the place word alone is no name: "auf meinem Blog." is no outlet called "Blog" (only capitalised place
        # words can be read as a name; a domain that starts with one, "blog.example.com", stays a name)
        capitalised = any(word[:1].isupper() for word in self.place_words)
        not_a_word = rf"(?!(?:{words})(?![\w-]|\.[a-z0-9]))" if capitalised else ""
        return rf"{det}(?:(?:{head})?{not_a_word}{pub}|{adj}(?:{words})\b)"


def _spaced(word: str) -> str:
    """A phrase of the tables as a regex: its spaces match any run of spaces, an apostrophe either kind."""
    return re.sub(r"['’]", "[’']", r"\s+".join(re.escape(part) for part in word.split()))


_EN_MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
              "november", "december", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov",
              "dec")  # fmt: skip
_PLACEHOLDER = re.compile(r"\{([A-Z_]+)\}")


def expand(pattern: str, language: Language | None = None) -> str:
    """``pattern`` with its ``{PLACEHOLDERS}`` filled in (the language's names and dates)."""
    table = (language or Language("en")).placeholders
    return _PLACEHOLDER.sub(lambda m: table[m.group(1)], pattern)


@dataclass(frozen=True, slots=True)
class Recognizer:
    name: str  # unique: "<lang>.<id>" ("es.origin.publicado-originalmente"); each table is sorted by it
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
    author_role: str = "byline"  # "original": the named author is the original's (beats a house account)
    subject: str = "article"  # "image": what it credits or licenses is an image, never the article
    lang: str = "en"
    # the expanded pattern, read by the pre-check without compiling it; compiled when first searched with
    # (a process compiles only the rows a text ever gets past the pre-check: start-up pays for no others)
    source: Source = field(init=False, repr=False, compare=False)
    _regex: re.Pattern[str] | None = field(init=False, repr=False, compare=False, default=None)

    def __post_init__(self) -> None:
        object.__setattr__(self, "source", Source(expand(self.pattern, _language(self.lang)), ROW_FLAGS))

    @property
    def regex(self) -> re.Pattern[str]:
        """The row's compiled regex (case-insensitive, ``.`` matching line breaks), compiled on first use."""
        found = self._regex
        if found is None:
            found = re.compile(self.source.pattern, self.source.flags)
            object.__setattr__(self, "_regex", found)
        return found

    @property
    def row_id(self) -> str:
        return self.name.split(".", 1)[1] if "." in self.name else self.name


class RowError(ValueError):
    """A recognizer row that is malformed (a bad field, a pattern that does not compile or match its example)."""


_ROW_FIELDS = frozenset({
    "id", "kind", "pattern", "example", "scope", "where", "license", "conditions", "notice",
    "republished", "grant_conditions", "needs_link", "author_role", "subject", "lang",
})  # fmt: skip


def row_from_mapping(data: Mapping[str, Any], lang: str, *, check_example: bool = False) -> Recognizer:
    """One row of a phrases file or of a ``[[recognizer]]`` configuration table, validated."""
    unknown = sorted(set(data) - _ROW_FIELDS)
    if unknown:
        raise RowError(f"unknown field(s) {', '.join(unknown)}")
    row_id = data.get("id")
    if not isinstance(row_id, str) or not re.fullmatch(r"[a-z0-9][a-z0-9.-]*", row_id):
        raise RowError(f"id {row_id!r}: lower-case letters, digits, '.' and '-'")
    lang = str(data.get("lang") or lang)
    where = f"{lang}.{row_id}"
    for key, allowed in (("kind", KINDS), ("scope", SCOPES), ("where", WHERES), ("notice", NOTICE_KINDS),
                         ("author_role", AUTHOR_ROLES), ("subject", SUBJECTS)):  # fmt: skip
        value = data.get(key)
        if value is not None and value not in allowed:
            raise RowError(f"{where}: {key} {value!r} is not one of {', '.join(allowed)}")
    if "kind" not in data or not isinstance(data.get("pattern"), str) or not isinstance(data.get("example"), str):
        raise RowError(f"{where}: kind, pattern and example are required")
    conditions = tuple(data.get("conditions") or ())
    bad = [c for c in conditions if c not in CONDITIONS]
    if bad:
        raise RowError(f"{where}: unknown condition(s) {', '.join(map(str, bad))}")
    try:
        row = Recognizer(
            name=f"{lang}.{row_id}",
            kind=data["kind"],
            pattern=data["pattern"],
            example=data["example"],
            scope=data.get("scope", "sentence"),
            where=data.get("where", "any"),
            license=data.get("license"),
            conditions=conditions,
            notice=data.get("notice"),
            republished=bool(data.get("republished", False)),
            grant_conditions=bool(data.get("grant_conditions", False)),
            needs_link=bool(data.get("needs_link", False)),
            author_role=data.get("author_role", "byline"),
            subject=data.get("subject", "article"),
            lang=lang,
        )
        if check_example:  # a configuration's row is compiled now: a bad pattern is a load error
            row.regex  # noqa: B018
    except KeyError as exc:
        raise RowError(f"{where}: unknown placeholder {{{exc.args[0]}}} in its pattern") from None
    except re.error as exc:
        raise RowError(f"{where}: its pattern does not compile ({exc})") from None
    if check_example and not row.regex.search(row.example):
        raise RowError(f"{where}: its pattern does not match its example {row.example!r}")
    return row


def _read(path: Path) -> dict[str, Any]:
    with path.open("rb") as handle:
        return tomllib.load(handle)


@cache
def languages() -> dict[str, Language]:
    """Every language with a phrases file, by code."""
    found: dict[str, Language] = {}
    for path in sorted(PHRASES_DIR.glob("*.toml")):
        data = _read(path)
        code = str(data.get("lang") or path.stem)
        found[code] = Language(
            code=code,
            and_words=tuple(data.get("and", ())),
            months=tuple(data.get("months", ())),
            house_accounts=tuple(data.get("house_accounts", ())),
            stopwords=tuple(data.get("stopwords", ())),
            place_determiners=tuple(data.get("place_determiners", ())),
            place_words=tuple(data.get("place_words", ())),
            place_of=tuple(data.get("place_of", ())),
            place_adjectives=tuple(data.get("place_adjectives", ())),
        )
    return found


def _language(code: str) -> Language:
    return languages().get(code) or Language(code)


def load_table(paths: Iterable[Path] | None = None) -> tuple[Recognizer, ...]:
    """The built-in rows: every phrases file's ``[[row]]`` tables, languages in order of their code."""
    rows: list[Recognizer] = []
    for path in sorted(paths if paths is not None else PHRASES_DIR.glob("*.toml")):
        data = _read(path)
        lang = str(data.get("lang") or path.stem)
        for entry in data.get("row", ()):
            rows.append(row_from_mapping(entry, lang))
    return tuple(sorted(rows, key=lambda row: row.name))  # a file may end with a block of rows added later


def rows_from_config(entries: Iterable[Mapping[str, Any]]) -> tuple[Recognizer, ...]:
    """``[[recognizer]]`` rows of a configuration (``lang`` defaults to "en"), each checked against its example."""
    rows = []
    for number, entry in enumerate(entries, 1):
        try:
            rows.append(row_from_mapping(entry, str(entry.get("lang") or "en"), check_example=True))
        except RowError as exc:
            raise RowError(f"[[recognizer]] #{number} {exc}") from None
    return tuple(rows)


def _agency_rows() -> tuple[Recognizer, ...]:
    """The wire-credit rows built from the news agencies' list (see :mod:`syndicate.attribution.agencies`)."""
    from syndicate.attribution import agencies

    return tuple(row_from_mapping(entry, "en", check_example=True) for entry in agencies.rows())


RECOGNIZERS: tuple[Recognizer, ...] = tuple(sorted((*load_table(), *_agency_rows()), key=lambda row: row.name))
HOUSE_ACCOUNTS: frozenset[str] = frozenset(
    name.casefold() for language in languages().values() for name in language.house_accounts
)

# conditions a grant's own wording states (read from the text of rows with grant_conditions=True)
CONDITION_PHRASES: tuple[tuple[str, str], ...] = (
    ("attribution",
     r"\b(?:source|author|copyright|byline)s?\b.{0,40}\b(?:acknowledged|credited|cited|retained|kept)"
     r"|\b(?:credit|attribute|acknowledge)\b|\battribution\b"),
    ("link-to-original", r"\b(?:hyper)?link(?:ed|ing)?\b.{0,20}\b(?:to|back)\b.{0,30}\boriginal\b|\bhyperlink\b"
     r"|\blink(?:ing)? back\b"),
    ("no-derivatives", r"\bin (?:their|its) entirety\b|\bwithout (?:any )?(?:changes|modifications|alterations|edits)"
     r"|\bmay not be (?:edited|altered|modified|changed)\b|\bunaltered\b|\bunedited\b|\bexactly as is\b"
     r"|\bchanges\b.{0,80}\bmust be approved\b"),
    ("noncommercial", r"\bnon-?commercial\b|\bcommunity (?:internet )?sites?\b|\bnot for (?:commercial|profit)\b"
     r"|\bfree of charge\b|\bwithout (?:any )?charge\b"
     r"|\bcommercial\b.{0,60}\b(?:contact|permission|not permitted|prohibited|excluded|not allowed)\b"),
    ("permission-required", r"\bmust (?:request|obtain|ask for|seek) (?:written )?permission\b"),
)  # fmt: skip
CONDITION_REGEXES: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (condition, re.compile(pattern, re.I | re.S)) for condition, pattern in CONDITION_PHRASES
)


def conditions_in(text: str) -> tuple[str, ...]:
    """The conditions a grant's wording states, sorted."""
    return tuple(sorted({condition for condition, regex in CONDITION_REGEXES if regex.search(text)}))
