"""An article body, cleaned: sanitized, notices and appeals understood and removed.

Steps (each pure): per-source ``drop_selectors`` on the raw HTML (classes and ids are
still there), :func:`~syndicate.normalize.sanitize.sanitize`, top-level inline runs
wrapped in ``<p>``, every paragraph scanned with the recognizer table
(:mod:`syndicate.attribution.notices`) and the per-source ``drop_patterns``, notice and
appeal paragraphs removed, ``[email protected]`` placeholders and dangling separators
("*", "—", "***", ``<hr>``) at the end removed, and a final sanitize so the output is
canonical: cleaning a cleaned body changes nothing.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from html import escape

import lxml.html
from lxml import etree

from syndicate.attribution.language import guess, primary
from syndicate.attribution.lines import read_lines, tail_run
from syndicate.attribution.notices import (
    Block,
    Findings,
    Native,
    Table,
    Verdict,
    edge_cut,
    findings,
    scan_block,
    table_with,
    within,
)
from syndicate.attribution.recognizers import TAIL_BLOCKS
from syndicate.normalize.sanitize import resanitize, sanitize
from syndicate.normalize.text import collapse, html_to_text, strip_controls

log = logging.getLogger(__name__)

BLOCK_TAGS: frozenset[str] = frozenset(
    {"blockquote", "caption", "dd", "div", "dl", "dt", "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6",
     "hr", "li", "ol", "p", "pre", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul"}
)  # fmt: skip
CAPTION_TAGS: frozenset[str] = frozenset({"caption", "figcaption"})
# containers removed when a removal leaves them with nothing inside
_EMPTYABLE = frozenset({"blockquote", "div", "dl", "figure", "li", "ol", "ul", "p", "em", "i", "strong", "b", "span"})
_SEPARATOR = re.compile(r"^[\s*—–\-_~•·#=+.|/\\]*$")
_ONE_PLAIN_PARAGRAPH = re.compile(r"\s*<p>([^<&]*)</p>\s*")
_EMAIL_PLACEHOLDER = re.compile(r"\[\s*email[\s\u00a0]*protected\s*\]", re.I)


@dataclass(frozen=True, slots=True)
class Body:
    html: str  # sanitized, notices and appeals removed
    text: str  # its plain text on one line
    findings: Findings = field(default_factory=Findings)


MAX_PASSES = 8  # passes until the output is a fixed point (HTML5 re-parsing can reshape odd markup)


def clean_body(
    raw: str | None,
    base: str | None = None,
    rules: object | None = None,
    verdicts: dict[Block, Verdict] | None = None,
    language: str | None = None,
) -> Body:
    """Clean one body. ``rules`` is a ``SourceRules`` (``drop_selectors``, ``drop_patterns``) or None.

    ``verdicts`` remembers paragraph verdicts between bodies (an entry's summary and content
    often share paragraphs); :func:`~syndicate.attribution.notices.scan_block` is pure, so
    sharing it changes nothing but the time taken.

    The cleaning pass is repeated until its output no longer changes, so that cleaning a
    cleaned body is the identity (odd markup such as a ``<p>`` inside a ``<q>`` is reshaped
    by each HTML5 parse).
    """
    if not raw:
        return Body("", "")
    selectors: Sequence[str] = getattr(rules, "drop_selectors", None) or ()
    patterns = _compile(getattr(rules, "drop_patterns", None) or ())
    table = table_with(getattr(rules, "recognizers", None) or ())
    html = strip_controls(raw)
    native = _native(language, html)
    if selectors:  # re-serialized by lxml: an entity such as &#1; may come back as the character
        html = _drop_selectors(html, selectors)
    html = _squeeze_between_blocks(sanitize(html, base, controls_stripped=not selectors))
    scanned: list[tuple[Block, Verdict]] = []
    if verdicts is None:
        verdicts = {}  # a later pass sees mostly the same paragraphs: scan each once
    sanitized: dict[str, str] = {}  # and often serializes to the same markup: sanitize it once
    settled = False
    for _ in range(MAX_PASSES):
        out = _clean_pass(html, patterns, scanned, verdicts, sanitized, table, native)
        if out == html:
            settled = True
            break
        html = out
    if not settled:  # markup nested so oddly that every parse reshapes it: keep its text, flat
        text = html_to_text(html)
        html = f"<p>{escape(text)}</p>" if text else ""
        for _ in range(MAX_PASSES):  # one paragraph: settles in a pass or two
            out = _clean_pass(html, patterns, scanned, verdicts, sanitized, table, native)
            if out == html:
                break
            html = out
    return Body(html, html_to_text(html), findings(scanned))


def clean_text(
    raw: str | None,
    base: str | None = None,
    rules: object | None = None,
    verdicts: dict[Block, Verdict] | None = None,
    language: str | None = None,
) -> str:
    """``clean_body(raw, base, rules, verdicts, language).text``, without the HTML work for plain text.

    A summary is often one or two sentences with no markup at all, or in one ``<p>`` (an Atom
    text summary as the parse stage gives it): then the body would be one paragraph whose text
    is the input's, collapsed, unless that paragraph is a notice (scanned here the same way) or
    something the cleaning pass trims (a separator, an e-mail placeholder, a source's own drop
    rules), which go the long way. ``tests/normalize/test_clean_text.py`` holds the two equal.
    """
    if not raw:
        return ""
    paragraph = _ONE_PLAIN_PARAGRAPH.fullmatch(raw)
    inner = paragraph.group(1) if paragraph else raw
    plain = "<" not in inner and "&" not in inner and "protected" not in inner
    if not plain or getattr(rules, "drop_selectors", None) or getattr(rules, "drop_patterns", None):
        return clean_body(raw, base, rules, verdicts, language).text
    text = collapse(strip_controls(inner))
    if not text:
        return ""
    if _SEPARATOR.match(text):
        return clean_body(raw, base, rules, verdicts, language).text
    block = Block(text, (), 0, tail=True)
    table = table_with(getattr(rules, "recognizers", None) or ())
    verdict = _scan(block, verdicts, table)
    if verdict.remove:
        return ""
    if ("\n" in inner or "\r" in inner) and (verdict.hits or any(
        _scan(Block(line, (), 0, tail=True), verdicts, table).hits for line in map(collapse, inner.splitlines()) if line
    )):  # a notice over several lines is read line by line (a CR is a line break too): the long way
        return clean_body(raw, base, rules, verdicts, language).text
    if verdict.hits and (edge_cut(block, verdict, "lead") or edge_cut(block, verdict, "tail")):
        return clean_body(raw, base, rules, verdicts, language).text  # a notice sentence opens or ends it
    return text


# whitespace between a block's end or start and the next block's start or end: never shown
# (a <pre> is matched whole first, so the whitespace inside it is kept)
_BLOCKS = "|".join(sorted(BLOCK_TAGS))
_BLOCK_TAG = re.compile(rf"</?(?:{_BLOCKS}|pre)[\s>]")
_GAP_BETWEEN_BLOCKS = re.compile(rf"(</?(?:{_BLOCKS})(?:\s[^<>]*)?>)\s+(?=</?(?:{_BLOCKS})[\s>])")  # no <pre> about
_PRE_OR_GAP = re.compile(r"(<pre[\s>].*?</pre(?=>))|>\s+(?=<)", re.S)
_NESTED_PRE = re.compile(r"<pre[\s>](?:(?!</pre>).)*<pre[\s>]", re.S)  # a second <pre before the first </pre>


def _squeeze_between_blocks(html: str) -> str:
    """Sanitized HTML without the whitespace-only text between block tags (``</p>\n<p>``).

    The cleaning pass drops it at the top level anyway; dropping it first (everywhere but
    inside ``<pre>``, where it shows) lets a body without notices come out of the first pass
    unchanged, so the pass that checks for a fixed point is the only other one.
    """
    if "<" not in html:  # plain text: the pass makes it one paragraph
        return f"<p>{html}</p>" if html.strip() else html
    pres = html.count("<pre")
    if not pres:
        return _GAP_BETWEEN_BLOCKS.sub(r"\1", html)
    if pres != html.count("</pre>") or _NESTED_PRE.search(html):
        return html  # an unclosed or nested <pre>: leave it all

    def squeeze(gap: re.Match[str]) -> str:
        if gap.group(1) is not None:  # a whole <pre>…</pre>: kept as it is
            return gap.group(1)
        before = html.rfind("<", 0, gap.start())
        if _BLOCK_TAG.match(html, before) and not html.startswith("<pre", before) and _BLOCK_TAG.match(
            html, gap.end()
        ):
            return ">"
        return gap.group(0)

    return _PRE_OR_GAP.sub(squeeze, html)


def _clean_pass(
    html: str,
    patterns: Sequence[re.Pattern[str]],
    scanned: list[tuple[Block, Verdict]],
    verdicts: dict[Block, Verdict] | None = None,
    sanitized: dict[str, str] | None = None,
    table: Table | None = None,
    native: Native | None = None,
) -> str:
    """One pass over sanitized HTML: paragraphs scanned and removed, the end trimmed, sanitized again."""
    root = _parse(html, _SANITIZED_PARSER)  # html is sanitize's output here
    if root is None:
        return html
    _wrap_inline_runs(root)
    index = 0
    # a caption credits an image, never the article (nor does a paragraph inside one: Markdown's <p> in a <figcaption>)
    leaves = [element for element in _leaf_blocks(root) if element.tag not in CAPTION_TAGS]
    if "caption" in html:
        leaves = [element for element in leaves if not any(a.tag in CAPTION_TAGS for a in element.iterancestors())]
    kept: list[tuple[lxml.html.HtmlElement, Block, Verdict]] = []
    order: list[tuple[lxml.html.HtmlElement | None, Block, Verdict]] = []  # every paragraph, None once removed
    for position, element in enumerate(leaves):
        raw_text = _text_of(element)
        text = collapse(raw_text)
        if not text and element.find(".//a") is None:
            continue
        links = tuple(
            (collapse(a.text_content()), a.get("href", "")) for a in element.iter("a") if a.get("href")
        )
        block = Block(text, links, index, tail=position >= len(leaves) - TAIL_BLOCKS)
        index += 1
        verdict = _scan(block, verdicts, table, native)
        if not verdict.remove and any(p.search(text) for p in patterns):
            verdict = Verdict(True, verdict.hits, verdict.license_badge)
        if "\n" in raw_text and (block.lead or block.tail) and (verdict.hits or not verdict.remove):
            # a notice over several lines (a Markdown blockquote): read line by line, its facts are the lines'
            lined = read_lines(raw_text, block, lambda line: _scan(line, verdicts, table, native), scanned)
            verdict = lined if lined.remove else verdict
        order.append((None if verdict.remove else element, block, verdict))
        if verdict.remove:
            scanned.append((block, verdict))
            _remove(element, root)
        elif element.find("br") is not None:
            _clean_lines(element, block.index, scanned, verdicts, table, native)
            if not _has_content(element):
                _remove(element, root)
        else:
            kept.append((element, block, verdict))
    joined = tail_run([(b, v, e is not None) for e, b, v in order], lambda block: _scan(block, verdicts, table, native))
    if joined is not None and len(kept) > 1:  # a notice split over the last few paragraphs: one unit
        count, block, verdict = joined
        parts = {part for _, part, _ in order[-count:]}  # read again as one: their facts are the joined block's
        scanned[:] = [item for item in scanned if item[0] not in parts]
        scanned.append((block, verdict))
        run = [element for element, _, _ in order[-count:] if element is not None]
        for element in run:
            _remove(element, root)
        kept = [item for item in kept if item[0] not in run]
    if kept:  # the first and last kept paragraphs may open or end with a notice glued to the article's text
        cut = _cut_edge(*kept[0], "lead", root, scanned)
        if len(kept) > 1 or not cut:  # one paragraph cut at its start is read again in the next pass
            _cut_edge(*kept[-1], "tail", root, scanned)
    if "protected" in html or "&#" in html:  # sanitize's output spells every letter of its text out
        _strip_placeholders(root)
    _trim(root)
    markup = _serialize(root)
    if sanitized is None:
        return resanitize(markup)
    out = sanitized.get(markup)
    if out is None:  # sanitize is pure: the same markup always gives the same output
        out = sanitized[markup] = resanitize(markup)
    return out


def _cut_edge(element: lxml.html.HtmlElement, block: Block, verdict: Verdict, side: str,
              root: lxml.html.HtmlElement, scanned: list[tuple[Block, Verdict]]) -> bool:
    """Remove the notice sentences or clauses a lead or tail paragraph opens or ends with (True if any)."""
    if not verdict.hits:
        return False
    span = edge_cut(block, verdict, side)
    if span is None:
        return False
    scanned.append((block, within(verdict, span)))
    _cut_text(element, *span)
    if not _has_content(element):
        _remove(element, root)
    return True


def _cut_text(element: lxml.html.HtmlElement, start: int, end: int) -> None:
    """Remove the characters ``start``–``end`` of the element's collapsed text (``collapse(_text_of(…))``)
    from its text nodes, dropping the line breaks inside the cut and inline elements it leaves empty."""
    slots: list[tuple[lxml.html.HtmlElement, str, int]] = []  # (node, "text"|"tail", raw offset)
    breaks: list[tuple[lxml.html.HtmlElement, int]] = []
    raw: list[str] = []
    offset = 0

    def walk(node: lxml.html.HtmlElement) -> None:
        nonlocal offset
        if node.text:
            slots.append((node, "text", offset))
            raw.append(node.text)
            offset += len(node.text)
        for child in node:
            if child.tag == "br":
                breaks.append((child, offset))
                raw.append(" ")
                offset += 1
            elif isinstance(child, lxml.html.HtmlElement):
                walk(child)
            if child.tail:
                slots.append((child, "tail", offset))
                raw.append(child.tail)
                offset += len(child.tail)

    walk(element)
    text = "".join(raw)
    visible: list[int] = []  # raw offset of each character of the collapsed text
    space: int | None = None
    for i, ch in enumerate(text):
        if ch.isspace():
            if visible and space is None:
                space = i
            continue
        if space is not None:
            visible.append(space)
            space = None
        visible.append(i)
    if start >= len(visible) or end <= start:
        return
    raw_start = visible[start]
    raw_end = visible[end - 1] + 1 if end <= len(visible) else len(text)
    touched: list[lxml.html.HtmlElement] = []
    for owner, attr, at in slots:
        value = getattr(owner, attr)
        lo, hi = max(raw_start - at, 0), min(raw_end - at, len(value))
        if lo < hi:
            setattr(owner, attr, (value[:lo] + value[hi:]) or None)
            touched.append(owner if attr == "text" else owner.getparent())
    for br, at in breaks:
        if raw_start <= at < raw_end:
            br.drop_tree()
    for node in touched:  # inline elements the cut emptied ("<a>first published on X</a>")
        while node is not None and node is not element and not _has_content(node):
            parent = node.getparent()
            node.drop_tree()
            node = parent
    element.text = (element.text or "").lstrip() or None
    if len(element):
        element[-1].tail = (element[-1].tail or "").rstrip() or None
    else:
        element.text = (element.text or "").rstrip() or None


def _native(language: str | None, html: str) -> Native:
    """The article's language when first asked: the declared one, else guessed from its text."""
    found: list[str | None] = []

    def native() -> str | None:
        if not found:
            found.append(primary(language) or guess(html_to_text(html[:4000])))
        return found[0]

    return native


def _scan(
    block: Block, verdicts: dict[Block, Verdict] | None, table: Table | None = None, native: Native | None = None
) -> Verdict:
    verdict = verdicts.get(block) if verdicts is not None else None
    if verdict is None:
        verdict = scan_block(block, table, native)  # pure for one article: the same paragraph, the same verdict
        if verdicts is not None:
            verdicts[block] = verdict
    return verdict


def _text_of(element: lxml.html.HtmlElement) -> str:
    """The text of an element, a line break counted as a space ("ships.<br>This" → "ships. This")."""
    if element.tag == "br":
        return " "
    return "".join(_text_parts(element))


def _text_parts(element: lxml.html.HtmlElement) -> list[str]:
    parts = [element.text or ""]
    for child in element:
        if child.tag == "br":
            parts.append(" ")
        elif isinstance(child, lxml.html.HtmlElement):
            parts.extend(_text_parts(child))
        parts.append(child.tail or "")
    return parts


def _lines(element: lxml.html.HtmlElement) -> tuple[list[list[lxml.html.HtmlElement]], list[lxml.html.HtmlElement]]:
    """The children of a paragraph split at its ``<br>`` children: (lines, the ``<br>`` between them)."""
    lines: list[list[lxml.html.HtmlElement]] = [[]]
    breaks: list[lxml.html.HtmlElement] = []
    for child in element:
        if child.tag == "br":
            breaks.append(child)
            lines.append([])
        else:
            lines[-1].append(child)
    return lines, breaks


def _line_text(element: lxml.html.HtmlElement, lines: list[list[lxml.html.HtmlElement]],
               breaks: list[lxml.html.HtmlElement], k: int) -> str:
    parts = [(element.text if k == 0 else breaks[k - 1].tail) or ""]
    for child in lines[k]:
        parts.append(_text_of(child) + (child.tail or ""))
    return collapse("".join(parts))


def _clean_lines(element: lxml.html.HtmlElement, index: int, scanned: list[tuple[Block, Verdict]],
                 verdicts: dict[Block, Verdict] | None = None, table: Table | None = None,
                 native: Native | None = None) -> None:
    """Lines of a kept paragraph (split at ``<br>``) that are notices: an italic footer line,
    a byline above the first sentence. Each is read and removed on its own."""
    k = len(_lines(element)[0]) - 1
    while k >= 0:
        lines, breaks = _lines(element)
        if len(lines) < 2 or k >= len(lines):
            return
        text = _line_text(element, lines, breaks, k)
        if text:
            links = tuple(
                (collapse(a.text_content()), a.get("href", ""))
                for child in lines[k] for a in child.iter("a") if a.get("href")
            )
            block = Block(text, links, index)
            verdict = _scan(block, verdicts, table, native)
            if verdict.remove:
                scanned.append((block, verdict))
                _remove_line(element, lines, breaks, k)
        k -= 1


def _remove_line(element: lxml.html.HtmlElement, lines: list[list[lxml.html.HtmlElement]],
                 breaks: list[lxml.html.HtmlElement], k: int) -> None:
    for child in lines[k]:
        child.tail = None
        element.remove(child)
    if k == 0:
        element.text = breaks[0].tail
        breaks[0].tail = None
        element.remove(breaks[0])
    else:
        breaks[k - 1].tail = None
        element.remove(breaks[k - 1])


def _compile(patterns: Sequence[str]) -> list[re.Pattern[str]]:
    compiled = []
    for pattern in patterns:
        try:
            compiled.append(re.compile(pattern, re.I))
        except re.error:  # config validation reports it; never fail a body over it
            log.warning("ignoring bad drop pattern %r", pattern)
    return compiled


def _fast_parser() -> lxml.html.HTMLParser:
    """lxml.html's parser with the element classes chosen in C: every element an ``HtmlElement``.

    lxml.html's own lookup runs Python code for every element proxy, to give form controls
    their own classes; sanitized markup has no form controls, so the result is the same.
    """
    parser = lxml.html.HTMLParser()
    parser.set_element_class_lookup(
        etree.ElementDefaultClassLookup(
            element=lxml.html.HtmlElement,
            comment=lxml.html.HtmlComment,
            pi=lxml.html.HtmlProcessingInstruction,
            entity=lxml.html.HtmlEntity,
        )
    )
    return parser


_SANITIZED_PARSER = _fast_parser()


def _parse(html: str, parser: lxml.html.HTMLParser | None = None) -> lxml.html.HtmlElement | None:
    if not html.strip():
        return None
    try:
        if parser is None:
            root = lxml.html.fragment_fromstring(html, create_parent="div")
        else:  # as fragment_fromstring does, with the parent made by the same parser
            elements = lxml.html.fragments_fromstring(html, parser=parser, no_leading_text=False)
            root = parser.makeelement("div")
            if elements:
                if isinstance(elements[0], str):
                    root.text = elements[0]
                    del elements[0]
                root.extend(elements)
    except (etree.ParserError, ValueError):
        return None
    return root


def _drop_selectors(html: str, selectors: Sequence[str]) -> str:
    root = _parse(html)
    if root is None:
        return html
    from lxml.cssselect import CSSSelector

    for selector in selectors:
        try:
            matcher = CSSSelector(selector)
        except Exception:  # cssselect raises its own SelectorError family
            log.warning("ignoring bad drop selector %r", selector)
            continue
        for element in matcher(root):
            if element is not root and element.getparent() is not None:
                element.drop_tree()
    return _serialize(root)


def _is_block(node: object) -> bool:
    return isinstance(node, lxml.html.HtmlElement) and node.tag in BLOCK_TAGS


def _wrap_inline_runs(root: lxml.html.HtmlElement) -> None:
    """Top-level text and inline elements between blocks become paragraphs."""
    children = list(root)
    if not children and not (root.text or "").strip():
        return
    leading = root.text
    root.text = None
    run: list[lxml.html.HtmlElement] = []
    new_children: list[lxml.html.HtmlElement] = []
    pending_text = leading

    def flush() -> None:
        nonlocal pending_text, run
        has_text = bool((pending_text or "").strip()) or any(
            collapse(el.text_content()) or el.tag == "img" or el.find(".//img") is not None for el in run
        )
        if has_text:
            paragraph = lxml.html.Element("p")
            paragraph.text = pending_text
            for el in run:
                paragraph.append(el)
            new_children.append(paragraph)
        pending_text = None
        run = []

    for child in children:
        root.remove(child)
        if not isinstance(child, lxml.html.HtmlElement):  # comments, processing instructions
            continue
        if _is_block(child):
            flush()
            tail, child.tail = child.tail, None
            new_children.append(child)
            pending_text = tail
        else:
            if not run and pending_text is None:
                pending_text = ""
            run.append(child)
    flush()
    for child in new_children:
        root.append(child)


def _leaf_blocks(root: lxml.html.HtmlElement) -> list[lxml.html.HtmlElement]:
    leaves = []
    for element in root.iter():
        if element is root or not _is_block(element) or element.tag == "hr":
            continue
        if any(_is_block(d) for d in element.iterdescendants()):
            continue
        leaves.append(element)
    return leaves


def _has_content(element: lxml.html.HtmlElement) -> bool:
    return bool(collapse(element.text_content())) or element.find(".//img") is not None


def _remove(element: lxml.html.HtmlElement, root: lxml.html.HtmlElement) -> None:
    parent = element.getparent()
    element.drop_tree()
    while parent is not None and parent is not root and parent.tag in _EMPTYABLE and not _has_content(parent):
        grandparent = parent.getparent()
        parent.drop_tree()
        parent = grandparent


def _strip_placeholders(root: lxml.html.HtmlElement) -> None:
    for element in root.iter():
        if not isinstance(element, lxml.html.HtmlElement):
            continue
        if element.text and "protected" in element.text:
            element.text = _EMAIL_PLACEHOLDER.sub("", element.text)
        if element is not root and element.tail and "protected" in element.tail:
            element.tail = _EMAIL_PLACEHOLDER.sub("", element.tail)


def _is_separator(element: lxml.html.HtmlElement) -> bool:
    if element.tag == "hr":
        return True
    if element.tag not in BLOCK_TAGS or element.find(".//img") is not None:
        return False
    return bool(_SEPARATOR.match(element.text_content()))


def _trim(root: lxml.html.HtmlElement) -> None:
    """Dangling separators and empty blocks at the end, empty blocks at the start."""
    while len(root):
        last = root[-1]
        if not isinstance(last, lxml.html.HtmlElement) or _is_separator(last) or (
            last.tag in BLOCK_TAGS and not _has_content(last) and last.tag not in ("table",)
        ):
            root.remove(last)
            continue
        break
    while len(root):
        first = root[0]
        if isinstance(first, lxml.html.HtmlElement) and (
            first.tag == "hr" or (first.tag in BLOCK_TAGS and first.tag != "table" and not _has_content(first))
        ):
            root.remove(first)
            continue
        break
    if len(root) and (root[-1].tail or "").strip() == "":
        root[-1].tail = None


def _serialize(root: lxml.html.HtmlElement) -> str:
    if not root.text and root.tag == "div" and not root.attrib:  # one call for the whole tree
        whole = lxml.html.tostring(root, encoding="unicode", with_tail=False)
        if whole.startswith("<div>") and whole.endswith("</div>"):
            return whole[5:-6]
    parts = [escape(root.text or "", quote=False)]  # text as lxml writes it ("&lt;b&gt;" stays text)
    for child in root:
        parts.append(lxml.html.tostring(child, encoding="unicode", with_tail=True))
    return "".join(parts)
