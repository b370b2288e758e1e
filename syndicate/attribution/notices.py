"""Finding notices in a body: which paragraphs are notices or appeals, and what they say.

:func:`scan_block` decides one paragraph (remove it? which recognizers hit?);
:func:`findings` turns the hits of removed paragraphs into facts (publishers, original
URLs, authors, a rights claim). :func:`claim_from_statement` reads a feed's rights
statement (``dc:rights``, ``atom:rights``) with the same table.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from syndicate.attribution import agencies, licenses, prefilter
from syndicate.attribution.prefilter import AnchoredPrefilter, TablePrefilter
from syndicate.attribution.recognizers import (
    LEAD_BLOCKS,
    MAX_BLOCK_CHARS,
    MAX_SENTENCE_CHARS,
    MAX_WHOLE_CHARS,
    RECOGNIZERS,
    TRIVIAL_REMAINDER,
    Recognizer,
    conditions_in,
    languages,
    rows_from_config,
)
from syndicate.attribution.rights import RightsClaim, license_rank, sorted_conditions, unique_notices
from syndicate.models import Evidence, Notice
from syndicate.normalize.authors import split_names
from syndicate.normalize.text import (
    MAY_PRECEDE_TAIL_SENTENCE,
    edge_sentence,
    fold,
    may_start_tail_sentence,
    sentence_spans,
)
from syndicate.normalize.urls import host_of, is_absolute_http, is_site_root

_ALNUM = re.compile(r"[^\W_]")
Native = Callable[[], "str | None"]  # the article's language, worked out when first asked
_IMAGE_REACH = 80  # characters after an image credit that a grant may sit in and still be the image's
_BADGE_TEXT = re.compile(
    r"^\W*(?:(?:this work is licen[cs]ed under an?\s+)?creative commons(?:\s+licen[cs]e)?)?\W*$", re.I
)
# hosts whose links are never the original article
_NOT_ORIGINAL_HOSTS = ("creativecommons.org", "patreon.com", "paypal.com", "paypal.me", "buymeacoffee.com",
                       "ko-fi.com", "facebook.com", "twitter.com", "x.com", "linkedin.com", "t.me")



@dataclass(frozen=True, slots=True, eq=False)
class Table:
    """Recognizer rows with their pre-checks (see attribution/prefilter.py): for each place a paragraph
    may sit in (lead, tail, both, neither; short enough for whole rows or not), the rows that apply
    there and the literal text their matches must contain where they are tried. Built when first asked."""

    rows: tuple[Recognizer, ...]
    _places: dict[tuple[bool, bool, bool | None], _Place] = field(default_factory=dict)

    @classmethod
    def of(cls, rows: Sequence[Recognizer]) -> Table:
        return cls(tuple(rows))

    @property
    def prefilter(self) -> TablePrefilter:
        """The pre-check of every row at once, wherever it is tried (each row needs its literals anywhere)."""
        found = self._places.get(_ANY_PLACE)
        if found is None:
            check = prefilter.TablePrefilter(rec.source for rec in self.rows)
            found = self._places[_ANY_PLACE] = _Place(self.rows, check)
        return found.check  # type: ignore[return-value]

    def candidates(self, text: str, *, lead: bool, tail: bool) -> list[Recognizer]:
        """The rows that may match ``text`` in this place, in table order; every other row cannot."""
        key = (lead, tail, len(text) <= MAX_WHOLE_CHARS)
        place = self._places.get(key)
        if place is None:
            place = self._places[key] = _place(self.rows, *key)
        return list(map(place.rows.__getitem__, place.check.possible_rows(text)))


_ANY_PLACE = (True, True, None)  # the key of the place-less pre-check (Table.prefilter)


@dataclass(frozen=True, slots=True)
class _Place:
    rows: tuple[Recognizer, ...]
    check: AnchoredPrefilter | TablePrefilter


def _place(rows: Sequence[Recognizer], lead: bool, tail: bool, short: bool) -> _Place:
    """The rows that apply to a paragraph in this place, each with where find_hits tries its regex."""
    here = tuple(rec for rec in rows if applies(rec, lead=lead, tail=tail) and (short or rec.scope != "whole"))
    tried = [_tried(rec, lead=lead, tail=tail) for rec in here]
    check = AnchoredPrefilter([rec.source for rec in here], tried, may_start_tail_sentence, MAY_PRECEDE_TAIL_SENTENCE)
    return _Place(here, check)


def _tried(rec: Recognizer, *, lead: bool, tail: bool) -> str:
    """Where find_hits tries the row's regex in a paragraph in this place (must follow find_hits)."""
    if rec.scope == "block" or (rec.scope == "clause" and rec.where == "lead"):
        return prefilter.START  # the paragraph; a lead clause row its first CLAUSE_REACH characters
    if rec.scope == "whole":
        if tail and rec.where != "any":
            return prefilter.START_OR_LAST  # the paragraph, and its last sentence (_whole_sentences)
        return prefilter.START  # the paragraph, and in the lead its first sentence (from the start too)
    return prefilter.ANYWHERE  # its sentences, or a tail clause row its last CLAUSE_REACH characters


TABLE = Table.of(RECOGNIZERS)


def table_with(rows: Sequence[Mapping[str, Any]]) -> Table:
    """The built-in table with a configuration's own ``[[recognizer]]`` rows added (validated at load)."""
    if not rows:
        return TABLE
    return _table_with(tuple(json.dumps(row, sort_keys=True, ensure_ascii=False) for row in rows))


@lru_cache(maxsize=64)
def _table_with(rows: tuple[str, ...]) -> Table:
    return Table.of((*RECOGNIZERS, *rows_from_config(json.loads(row) for row in rows)))


@dataclass(frozen=True, slots=True)
class Block:
    """One paragraph of a body: its text on one line and its links (anchor text, href)."""

    text: str
    links: tuple[tuple[str, str], ...] = ()
    index: int = 0  # position among the body's paragraphs
    tail: bool = False  # one of the body's last TAIL_BLOCKS paragraphs

    @property
    def lead(self) -> bool:
        return self.index < LEAD_BLOCKS

    @property
    def where(self) -> str:
        """Where the paragraph sits, as evidence records it: lead, tail or body."""
        if self.lead and not (self.tail and self.index > 0):
            return "lead"
        return "tail" if self.tail else "body"


@dataclass(frozen=True, slots=True)
class Hit:
    recognizer: Recognizer
    start: int
    end: int
    text: str  # the covered text, as written
    groups: tuple[tuple[str, str], ...] = ()

    def group(self, name: str) -> str | None:
        for key, value in self.groups:
            if key == name:
                return value
        return None

    def every(self, name: str) -> list[str]:
        """Every value of the groups named ``name`` ("author" and "author2" are both authors)."""
        return [value for key, value in self.groups if key == name]


@dataclass(frozen=True, slots=True)
class Verdict:
    remove: bool
    hits: tuple[Hit, ...]
    license_badge: licenses.License | None = None


def _hit(rec: Recognizer, match: re.Match[str], start: int, end: int, text: str) -> Hit:
    # "publisher2" is a second spelling of "publisher" in an alternation (regex group names are unique)
    groups = tuple((k.rstrip("0123456789"), v.strip()) for k, v in match.groupdict().items() if v and v.strip())
    return Hit(rec, start, end, text[start:end].strip(), groups)


def _alnum(text: str) -> int:
    return len(_ALNUM.findall(text))


def _outside(text: str, spans: Iterable[tuple[int, int]]) -> str:
    covered = [False] * len(text)
    for start, end in spans:
        for i in range(max(start, 0), min(end, len(text))):
            covered[i] = True
    return "".join(ch for ch, c in zip(text, covered, strict=True) if not c)


def applies(rec: Recognizer, *, lead: bool, tail: bool) -> bool:
    """May the row match a paragraph in this position?"""
    where = rec.where
    return where == "any" or (where == "lead" and lead) or (where == "tail" and tail) or (
        where == "edge" and (lead or tail)
    )


def find_hits(
    text: str, *, lead: bool, tail: bool = False, table: Table | None = None, native: Native | None = None
) -> list[Hit]:
    """Every recognizer hit in one paragraph's text (``lead``/``tail``: where the paragraph sits).

    ``native`` gives the article's language (asked only when needed): in the middle of a body only
    English rows and that language's read a paragraph; at its edges every table does."""
    hits: list[Hit] = []
    if len(text) > MAX_BLOCK_CHARS:
        return hits
    table = table or TABLE
    edge = lead or tail
    original = text
    if "][" in text:  # Markdown reference links left unresolved: read "[blog de X][original]" as "blog de X"
        text = _MD_REFERENCE.sub(_blank_brackets, text)
    marker = _ALERT_MARKER.match(text) if "[!" in text or "!!!" in text or "???" in text else None
    if marker:  # a GitHub alert's marker ("> [!NOTE]") before the note's first sentence: read as spaces
        text = " " * marker.end() + text[marker.end() :]
    candidates = table.candidates(text, lead=lead, tail=tail)  # exact: skips rows that cannot match here
    if native is not None and not edge and any(rec.lang != "en" for rec in candidates):
        own = native()
        if own is not None:
            candidates = [rec for rec in candidates if rec.lang in ("en", own)]
    if not candidates:
        return hits
    edges: list[tuple[int, int]] | None = None  # the edge sentences whole rows also read, found once
    spans: list[tuple[int, int]] = []
    if any(rec.scope in ("sentence", "rest") or (rec.scope == "clause" and rec.where in ("any", "edge"))
           for rec in candidates):  # edge clause rows read one sentence, found on its own
        spans = sentence_spans(text)
        if marker:  # a blanked alert marker: the first sentence starts after it
            spans = [(start + len(text[start:end]) - len(text[start:end].lstrip()), end) for start, end in spans]
    for rec in candidates:
        if rec.scope == "rest":
            rest = _rest_hit(rec, text, spans)
            if rest is not None:
                hits.append(rest)
            continue
        if rec.scope in ("sentence", "clause"):
            for start, end in _clause_sentences(text, rec.where, spans) if rec.scope == "clause" else spans:
                if end - start > MAX_SENTENCE_CHARS:
                    continue
                match = rec.regex.search(text[start:end])
                if match and rec.scope == "clause":
                    hits.append(_hit(rec, match, start + match.start(), start + match.end(), text))
                elif match:
                    hits.append(_hit(rec, match, start, end, text))
            continue
        match = rec.regex.search(text)
        if rec.scope == "whole" and edge and rec.where != "any" and not (
            match and _alnum(_outside(text, [match.span()])) <= TRIVIAL_REMAINDER
        ):  # the first sentence of a lead paragraph may be a byline, the last of a tail one a widget label
            if edges is None:
                edges = _whole_sentences(text, lead=lead, tail=tail)
            for start, end in edges:
                found = rec.regex.search(text[start:end])
                if found and _alnum(text[start:end]) - _alnum(found.group(0)) <= TRIVIAL_REMAINDER:
                    hits.append(_hit(rec, found, start + found.start(), start + found.end(), text))
            continue
        if not match:
            continue
        if rec.scope == "block":
            hits.append(_hit(rec, match, 0, len(text), text))
        elif _alnum(_outside(text, [match.span()])) <= TRIVIAL_REMAINDER:  # whole
            hits.append(_hit(rec, match, match.start(), match.end(), text))
    hits.sort(key=lambda h: (h.start, h.recognizer.name))
    if text is not original:  # the covered text as written
        hits = [Hit(h.recognizer, h.start, h.end, original[h.start : h.end].strip(), h.groups) for h in hits]
    return hits


def _whole_sentences(text: str, *, lead: bool, tail: bool) -> list[tuple[int, int]]:
    """The sentences a whole-paragraph row also reads at an edge: a lead paragraph's first, a tail one's last."""
    found = [edge_sentence(text, side) for side, here in (("lead", lead), ("tail", tail)) if here]
    return [span for span in dict.fromkeys(found) if span is not None and span != (0, len(text))]


CLAUSE_REACH = 300  # characters from a paragraph's start (lead) or end (tail) an edge clause row reads


def _clause_sentences(text: str, where: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The text a clause row reads: a lead paragraph's first, a tail one's last CLAUSE_REACH characters
    (a credit glued to the first or last sentence sits there), else every sentence."""
    if where == "lead":
        return [(0, min(len(text), CLAUSE_REACH))]
    if where == "tail":
        return [(max(0, len(text) - CLAUSE_REACH), len(text))]
    return spans


def unique_hits(hits: list[Hit]) -> list[Hit]:
    """Hits in order, without a second row reading the same facts from the same text (the French
    "Source : X" row and the English "Source: X" row on one line): the first by row id stays."""
    hits.sort(key=lambda h: (h.start, h.recognizer.name))
    seen: set[tuple[int, int, tuple[tuple[str, str], ...], str, str | None]] = set()
    out: list[Hit] = []
    for hit in hits:
        # a row stating a licence is not a twin of one that states none ("版权声明：…，未经授权不得转载")
        key = (hit.start, hit.end, hit.groups, hit.recognizer.kind, hit.recognizer.license)
        if key not in seen:
            seen.add(key)
            out.append(hit)
    return out


# a GitHub alert's marker ("> [!NOTE]") or an unrendered MkDocs admonition's head ('!!! info "Republication"')
_ALERT_MARKER = re.compile(
    r"^\W{0,3}(?:\[!(?:note|tip|important|warning|caution|info)\]"
    r'|(?<=!!!|\?\?\?)\s*(?:note|abstract|summary|info|tip|success|question|warning|failure|danger|bug|example|quote)'
    r'\b(?:\s+"[^"\n]{0,60}")?)', re.I)
_MD_REFERENCE = re.compile(r"\[([^\[\]]{1,200})\]\[[^\[\]]{0,40}\]")


def _blank_brackets(match: re.Match[str]) -> str:
    """``[text][ref]`` as `` text`` and spaces: the same length, so offsets stay the text's."""
    inner = match.group(1)
    return " " + inner + " " * (len(match.group(0)) - len(inner) - 1)


def _rest_hit(rec: Recognizer, text: str, spans: list[tuple[int, int]]) -> Hit | None:
    """A grant or an appeal and everything after it: from the first sentence the row matches
    (as a sentence, so ``^`` is where a sentence starts) to the paragraph's end."""
    for start, end in spans:
        if end - start <= MAX_SENTENCE_CHARS:
            found = rec.regex.search(text[start:end])
            if found:
                return _hit(rec, found, start, len(text), text)
    return None


def scan_block(block: Block, table: Table | None = None, native: Native | None = None) -> Verdict:
    """Is this paragraph a notice or an appeal (remove it), and which phrases does it hold?"""
    text = block.text
    hits = find_hits(text, lead=block.lead, tail=block.tail, table=table, native=native)
    if not hits and not block.links:  # most paragraphs: nothing to read, no badge
        return _NOTHING
    if any(h.recognizer.needs_link for h in hits) and not any(_is_article_link(href) for _, href in block.links):
        hits = [h for h in hits if not h.recognizer.needs_link]
    hits = unique_hits(hits)
    badge = _license_badge(block)
    if badge is not None:
        return Verdict(True, tuple(hits), badge)
    if not hits:
        return Verdict(False, ())
    remainder = _outside(text, [(h.start, h.end) for h in hits])
    remove = _alnum(remainder) <= TRIVIAL_REMAINDER or (block.tail and _origin_with_follow_up(block, hits))
    return Verdict(remove, tuple(hits))


_NOTHING = Verdict(False, ())


def covers_all(text: str, verdict: Verdict) -> bool:
    """Do the verdict's hits cover all of ``text`` (what is left is trivial)?"""
    return _alnum(_outside(text, [(h.start, h.end) for h in verdict.hits])) <= TRIVIAL_REMAINDER


FOLLOW_UP_ALNUM = 160  # letters and digits an origin notice's own follow-up may have at the end of a body


def _origin_with_follow_up(block: Block, hits: Sequence[Hit]) -> bool:
    """A tail paragraph that opens with an origin notice and ends with one or two short sentences of
    the same note ("… first published on X. Thanks to the edits of Y ♥", "… on the X blog. Please see
    the X web site for more information.", "… publié sur X, un site web qui … ! Consultez-le …"): the
    note is one unit. Only at the end of a body, and only when the notice comes first: a paragraph
    that ends with one (the article's last sentence, then a credit) is cut by edge_cut instead."""
    first = min(hits, key=lambda h: h.start)
    rec = first.recognizer
    if rec.kind != "attribution" or "origin" not in rec.row_id or _alnum(block.text[: first.start]) > 0:
        return False
    span = edge_cut(block, Verdict(False, tuple(hits)), "lead")
    if span is None or span[1] >= len(block.text):
        return False
    rest = block.text[span[1] :]
    return _alnum(rest) <= FOLLOW_UP_ALNUM and len(sentence_spans(rest)) <= 2


_OPENS_CLAUSE = re.compile(r"[\W_]*[A-Z0-9À-Þ\u4e00-\u9fff—–(\[]")  # a glued sentence or credit starts so


def edge_cut(block: Block, verdict: Verdict, side: str) -> tuple[int, int] | None:
    """The notice part of a kept lead (``side="lead"``) or tail paragraph: the span of its text
    covered by hits from its start (lead) or up to its end (tail), ending (starting) where a
    sentence or a glued clause does, so the article's own sentences stay whole; None when none."""
    text = block.text
    spans = sorted((h.start, h.end) for h in verdict.hits)
    if not spans:
        return None
    starts = {a for a, _ in sentence_spans(text)}
    if side == "lead":
        marker = _ALERT_MARKER.match(text)  # "[!NOTE] This article …": the note's marker goes with it
        pos = _skip(text, marker.end() if marker else 0, 1)
        while True:
            ends = [end for start, end in spans if start <= pos < end]
            if not ends:
                break
            pos = _skip(text, max(ends), 1)
        if pos == 0 or _alnum(text[:pos]) == 0:
            return None
        if pos < len(text) and pos not in starts and not _OPENS_CLAUSE.match(text, pos):
            return None
        return (0, pos)
    pos = len(text)
    cut = pos
    while True:
        probe = _skip(text, pos, -1)
        starts_here = [start for start, end in spans if start < probe <= end]
        if not starts_here:
            break
        cut = pos = min(starts_here)
    if cut == len(text) or _alnum(text[cut:]) == 0:
        return None
    if cut > 0 and cut not in starts and not (
        _OPENS_CLAUSE.match(text, cut) and not text[:cut].rstrip().endswith(("-", "'"))
    ):
        return None
    return (cut, len(text))


def _skip(text: str, pos: int, step: int) -> int:
    """``pos`` moved over spaces and punctuation (forward with ``step=1``, backward with -1)."""
    if step > 0:
        while pos < len(text) and not text[pos].isalnum():
            pos += 1
        return pos
    while pos > 0 and not text[pos - 1].isalnum():
        pos -= 1
    return pos


def within(verdict: Verdict, span: tuple[int, int]) -> Verdict:
    """The verdict for the removed part ``span`` of a paragraph: its hits that lie in it."""
    start, end = span
    return Verdict(True, tuple(h for h in verdict.hits if h.start >= start and h.end <= end + 1))


def _is_article_link(href: str) -> bool:
    return is_absolute_http(href) and not is_site_root(href) and licenses.from_url(href) is None


def _license_badge(block: Block) -> licenses.License | None:
    """A paragraph that is only a Creative Commons badge/link (``<a rel=license href=…><img></a>``)."""
    if not block.links or not _BADGE_TEXT.match(block.text):
        return None
    found = [licenses.from_url(href) for _, href in block.links]
    if all(f is not None for f in found):
        return found[0]
    return None


@dataclass(frozen=True, slots=True)
class Findings:
    """What the removed notices of one body say."""

    publishers: tuple[str, ...] = ()  # named original outlets, in document order
    original_urls: tuple[str, ...] = ()  # links in attribution notices
    authors: tuple[str, ...] = ()  # from bylines
    original_authors: tuple[str, ...] = ()  # from "Articles by:" lines
    republished: bool = False  # a fair-use claim or the like
    rights: RightsClaim = field(default_factory=RightsClaim)
    evidence: tuple[Evidence, ...] = ()  # which row read which text into which fact


def _people(names: str, lang: str) -> list[str]:
    """The people a name list holds, joined by "and" or the row language's own words ("y", "et", "und")."""
    words = languages()[lang].and_words if lang in languages() else ()
    for word in words:
        if word.isalpha() and word.casefold() != "and":
            names = re.sub(rf"\s+{re.escape(word)}\s+", " and ", names)
        elif not word.isalpha():
            names = names.replace(word, " and ")
    return split_names(names)


def clean_publisher(name: str | None) -> str | None:
    if not name:
        return None
    text = re.sub(r"^the\s+(?=[a-z])", "", name.strip())  # "the Guardian" -> "Guardian" only when lower-case
    text = text.strip(" ,;:.-–—\"'“”‘’")
    return text or None


def _original_url(hit: Hit, links: Sequence[tuple[str, str]]) -> str | None:
    publisher = fold(hit.group("publisher") or "")
    candidates: list[tuple[int, str]] = []
    for anchor, href in links:
        if not is_absolute_http(href) or is_site_root(href):
            continue
        host = host_of(href) or ""
        if any(host == h or host.endswith("." + h) for h in _NOT_ORIGINAL_HOSTS):
            continue
        anchor_folded = fold(anchor)
        score = 0
        if "original" in anchor_folded:
            score = 3
        elif publisher and anchor_folded and (anchor_folded in publisher or publisher in anchor_folded):
            score = 2
        elif anchor_folded and anchor_folded in fold(hit.text):
            score = 1
        else:
            continue
        candidates.append((-score, href))
    if not candidates:
        return None
    return min(candidates, key=lambda c: c[0])[1]


def findings(blocks: Sequence[tuple[Block, Verdict]]) -> Findings:
    """Facts from the hits of removed paragraphs (kept paragraphs say nothing)."""
    publishers: list[str] = []
    urls: list[str] = []
    authors: list[str] = []
    original_authors: list[str] = []
    republished = False
    license_hits: list[tuple[int, int, licenses.License | None, str, Hit | None]] = []
    holder: str | None = None
    statement: str | None = None
    notices: list[Notice] = []
    generic_cc = False
    order = 0
    evidence: list[Evidence] = []
    url_only: tuple[str, Evidence] | None = None  # an origin notice that names its original only by a link
    for block, verdict in blocks:
        if not verdict.remove:
            continue
        if verdict.license_badge is not None:
            badge = verdict.license_badge
            license_hits.append((license_rank(badge.id), order, badge, badge.id, None))
            order += 1
        images = [h for h in verdict.hits if h.recognizer.subject == "image"]
        where = block.where
        for hit in verdict.hits:
            rec = hit.recognizer

            def saw(fact: str, value: str | None) -> None:
                evidence.append(Evidence(fact, value, rec.name, rec.lang, hit.text, where))  # noqa: B023 (used at once)

            if rec.kind == "appeal":
                saw("appeal", None)
                continue
            if rec.subject == "image":  # a photo's or an infographic's credit and licence: never the article's
                named = licenses.from_name(hit.text)
                saw("image_credit", clean_publisher(hit.group("publisher")) or hit.text)
                if named is not None:
                    saw("image_license", named.id)
                continue
            republished = republished or rec.republished
            publisher = clean_publisher(hit.group("publisher"))
            if publisher and rec.lang == "zh":
                publisher = _titled_link_publisher(publisher, block.links)
            if publisher:
                if fold(publisher) not in map(fold, publishers):  # two rows reading one credit: one outlet
                    publishers.append(publisher)
                saw("original_publisher", publisher)
            if rec.kind == "attribution" or publisher or rec.row_id.startswith("origin."):
                url = _original_url(hit, block.links)
                if url:
                    urls.append(url)
                    saw("original_url", url)
                    if not publisher and url_only is None and "origin" in rec.row_id:
                        url_only = (url, Evidence("original_publisher", None, rec.name, rec.lang, hit.text, where))
            for author in hit.every("author"):
                people = _people(author, rec.lang)
                wires = [agencies.publisher_of(person) for person in people]  # "By A and B, Reuters"
                for wire in filter(None, wires):
                    if fold(wire) not in map(fold, publishers):
                        publishers.append(wire)
                    saw("original_publisher", wire)
                people = [person for person, wire in zip(people, wires, strict=True) if wire is None]
                (original_authors if rec.author_role == "original" else authors).extend(people)
                for person in people:
                    saw("original_author" if rec.author_role == "original" else "author", person)
            holder_wire = agencies.publisher_of(hit.group("holder"))
            if holder_wire and fold(holder_wire) not in map(fold, publishers):  # "Copyright 2014 AP.": the wire's
                publishers.append(holder_wire)
                saw("original_publisher", holder_wire)
            if hit.group("holder") and holder is None:
                holder = clean_publisher(hit.group("holder"))
                statement = statement or hit.text
                saw("copyright_holder", holder)
            if rec.notice:
                notices.append(Notice(rec.notice, _notice_text(hit, verdict.hits, block.text)))
                saw("notice", rec.notice)
            elif rec.kind == "notice":
                saw("notice", None)
            if rec.kind in ("rights", "attribution"):
                if any(g.start <= hit.start and hit.start - g.end <= _IMAGE_REACH for g in images):
                    saw("image_license", rec.license)  # "Infographics by X, republished with permission"
                    continue
                named = licenses.from_name(hit.text) or _license_from_links(block.links)
                if named is not None:
                    license_hits.append((license_rank(named.id), order, named, named.id, hit))
                    saw("license", named.id)
                elif rec.license:
                    license_hits.append((license_rank(rec.license), order, None, rec.license, hit))
                    saw("license", rec.license)
                elif licenses.mentions_creative_commons(hit.text):
                    generic_cc = True
                order += 1
    if not publishers and url_only is not None:  # "原文链接：[title](https://host/…)": the original's host names it
        host = (host_of(url_only[0]) or "").removeprefix("www.")
        if host:
            publishers.append(host)
            evidence.append(dataclasses.replace(url_only[1], value=host))
    claim = _license_claim(license_hits, generic_cc)
    return Findings(
        publishers=tuple(publishers),
        original_urls=tuple(dict.fromkeys(urls)),
        authors=tuple(dict.fromkeys(authors)),
        original_authors=tuple(dict.fromkeys(original_authors)),
        republished=republished,
        evidence=tuple(dict.fromkeys(evidence)),
        rights=RightsClaim(
            license=claim[0],
            license_url=claim[1],
            conditions=claim[2],
            holder=holder,
            statement=statement,
            notices=_widest(unique_notices(notices)),
        ),
    )


_TITLE_SITE = re.compile(r"\s(?:-|–|—|\|)\s+([^-–—|]{1,16})$")  # "TITLE - 掘金", "TITLE | SITE"


def _titled_link_publisher(publisher: str, links: Sequence[tuple[str, str]]) -> str:
    """A Chinese name is read up to a space, so a link whose text is the original's *title*
    ("文章转载自[Nginx启用Let’s Encrypt SSL证书](URL)", "本文首发于 [TITLE - 掘金](URL)") gives the title's
    first word. Then the site is the one the title names after a dash ("TITLE - 掘金"), else the link's host.
    A name and a word after it ("[LogRocket 博客](URL)") is no title: it stays."""
    for anchor, href in links:
        rest = anchor[len(publisher) :]
        if anchor.startswith(publisher) and rest[:1].isspace() and len(rest.split()) >= 2 and len(rest) > 6:
            named = _TITLE_SITE.search(anchor)
            if named:
                return named.group(1).strip()
            host = (host_of(href) or "").removeprefix("www.") if is_absolute_http(href) else ""
            return host or publisher
    return publisher


_PLACEHOLDER = re.compile(r"\s*\[\s*email[\s\u00a0]*protected\s*\]", re.I)


def _notice_text(hit: Hit, hits: Sequence[Hit], text: str) -> str:
    """A notice as written: a paragraph-wide hit stops where the next notice in it starts
    (a disclaimer followed by a grant are two notices); e-mail placeholders are dropped."""
    end = hit.end
    if hit.recognizer.scope in ("block", "rest"):
        later = [
            h.start for h in hits
            if h.start > hit.start and h.recognizer.notice and h.recognizer.notice != hit.recognizer.notice
        ]
        if later:
            end = min(end, *later)
    return _PLACEHOLDER.sub("", text[hit.start : end]).strip()


def _widest(notices: tuple[Notice, ...]) -> tuple[Notice, ...]:
    """Notices without those whose text is part of a longer notice of the same kind."""
    return tuple(
        n for n in notices
        if not any(o is not n and o.kind == n.kind and n.text in o.text and o.text != n.text for o in notices)
    )


def _license_from_links(links: Sequence[tuple[str, str]]) -> licenses.License | None:
    for _, href in links:
        found = licenses.from_url(href)
        if found is not None:
            return found
    return None


def _license_claim(
    hits: list[tuple[int, int, licenses.License | None, str, Hit | None]], generic_cc: bool
) -> tuple[str | None, str | None, tuple[str, ...]]:
    """The most specific licence stated (ties: the first), with the conditions its notices state."""
    if not hits:
        return (None, None, ("attribution",) if generic_cc else ())
    best = max(hits, key=lambda h: (h[0], -h[1]))
    license_id = best[3]
    license_url = best[2].url if best[2] is not None else None
    conditions: set[str] = set()
    for _rank, _order, named, hit_id, hit in hits:
        if hit_id != license_id:
            continue
        if named is not None:
            conditions.update(named.conditions)
        if hit is not None:
            conditions.update(hit.recognizer.conditions)
            if hit.recognizer.grant_conditions:
                conditions.update(conditions_in(hit.text))
    return (license_id, license_url, sorted_conditions(conditions))


@lru_cache(maxsize=1024)
def claim_from_statement(statement: str) -> RightsClaim:
    """A feed's rights statement (``dc:rights``, ``atom:rights``…) read with the recognizer table.

    Pure, so remembered: a feed-level statement is read again for every entry of its feed."""
    block = Block(statement, (), index=LEAD_BLOCKS)
    hits = find_hits(statement, lead=False)
    found = findings([(block, Verdict(True, tuple(hits)))])
    claim = found.rights
    named = licenses.from_name(statement)
    if named is not None and license_rank(named.id) > license_rank(claim.license):
        claim = RightsClaim(named.id, named.url, named.conditions, claim.holder, claim.statement, claim.notices)
    return claim
