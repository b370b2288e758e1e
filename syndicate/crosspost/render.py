"""Rendering a crosspost: the article's body plus an attribution block, per target format.

The attribution block follows TASL (Title, Author, Source with a link to the
original, License with its link), adds the copyright line and, when the terms
ask for a link, the link to the copy it was republished from. Blocks are Jinja2
templates shipped in ``syndicate/crosspost/templates`` (HTML autoescaped),
replaceable per target with ``template`` (inline) or ``template_file``.

Formats: HTML (blogs, webhook), Markdown (forums), plain text within the
target's length limit (microblogs: a URL counts as 23 characters), and
``email`` (HTML body plus a plain-text alternative).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import jinja2
import lxml.html
from lxml import etree
from markupsafe import escape

from syndicate.config import TargetConfig
from syndicate.crosspost.terms import EffectiveTerms
from syndicate.models import Article
from syndicate.targets.base import BlockFormat, ContentMode, Post, slug_for

TEMPLATES = Path(__file__).with_name("templates")
TEMPLATE_FILES: dict[str, str] = {
    "html": "attribution.html.j2",
    "markdown": "attribution.md.j2",
    "text": "attribution.txt.j2",
}
URL_WEIGHT = 23  # a URL counts as 23 characters on Mastodon
MIN_TITLE = 30  # a microblog title is not cut shorter than this while the attribution has text to spare
_URL = re.compile(r"https?://\S+")
EXCERPT_CHARS = 400

# licence id -> (name shown, URL) when the article gives no URL of its own
LICENSES: dict[str, tuple[str, str | None]] = {
    "CC0-1.0": ("CC0 1.0", "https://creativecommons.org/publicdomain/zero/1.0/"),
    "CC-BY-4.0": ("CC BY 4.0", "https://creativecommons.org/licenses/by/4.0/"),
    "CC-BY-SA-4.0": ("CC BY-SA 4.0", "https://creativecommons.org/licenses/by-sa/4.0/"),
    "CC-BY-ND-4.0": ("CC BY-ND 4.0", "https://creativecommons.org/licenses/by-nd/4.0/"),
    "CC-BY-NC-4.0": ("CC BY-NC 4.0", "https://creativecommons.org/licenses/by-nc/4.0/"),
    "CC-BY-NC-SA-4.0": ("CC BY-NC-SA 4.0", "https://creativecommons.org/licenses/by-nc-sa/4.0/"),
    "CC-BY-NC-ND-4.0": ("CC BY-NC-ND 4.0", "https://creativecommons.org/licenses/by-nc-nd/4.0/"),
    "CC-BY-3.0": ("CC BY 3.0", "https://creativecommons.org/licenses/by/3.0/"),
    "CC-BY-3.0-US": ("CC BY 3.0 US", "https://creativecommons.org/licenses/by/3.0/us/"),
    "CC-BY-NC-ND-3.0": ("CC BY-NC-ND 3.0", "https://creativecommons.org/licenses/by-nc-nd/3.0/"),
    "LicenseRef-CC-BY-NC-ND-3.0-US": ("CC BY-NC-ND 3.0 US", "https://creativecommons.org/licenses/by-nc-nd/3.0/us/"),
    "CC-PDDC": ("Public domain", "https://creativecommons.org/licenses/publicdomain/"),
    "permission": ("Republished with permission", None),
    "all-rights-reserved": ("All rights reserved", None),
    "LicenseRef-All-Rights-Reserved": ("All rights reserved", None),
}


@dataclass(frozen=True, slots=True)
class TemplateSpec:
    """Where a target's attribution template comes from."""

    inline: str | None = None
    file: Path | None = None


def template_spec(target: TargetConfig, base_dir: Path | None) -> TemplateSpec:
    if target.template:
        return TemplateSpec(inline=target.template)
    if target.template_file:
        path = Path(target.template_file)
        return TemplateSpec(file=path if path.is_absolute() or base_dir is None else base_dir / path)
    return TemplateSpec()


def md_escape(value: Any) -> str:
    return re.sub(r"([\\`*_\[\]<>#|])", r"\\\1", str(value))


@lru_cache(maxsize=4)
def _environment(autoescape: bool) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        autoescape=autoescape,
        keep_trailing_newline=True,
        undefined=jinja2.ChainableUndefined,
    )
    env.filters["md"] = md_escape
    return env


def attribution_context(article: Article, terms: EffectiveTerms) -> dict[str, Any]:
    """The values an attribution template can use."""
    attribution = article.attribution
    rights = article.rights
    original_url = attribution.original_url or article.url
    publisher = attribution.original_publisher or rights.holder
    feed = attribution.original_feed
    publisher_url = (feed.link if feed and feed.link else None) or _site_of(original_url)
    license_id = terms.license
    known = LICENSES.get(license_id or "")
    license_name = known[0] if known else license_id
    license_url = terms.license_url or (known[1] if known else None)
    holder = rights.holder or publisher
    copyright_line = rights.statement or (f"© {holder}" if holder and license_id not in (None, "CC0-1.0") else None)
    republisher = attribution.republishers[0] if attribution.republishers else None
    return {
        "title": article.title,
        "original_url": original_url,
        "author": attribution.original_author or ", ".join(article.authors) or None,
        "publisher": publisher,
        "publisher_url": publisher_url,
        "license": license_id,
        "license_name": license_name,
        "license_url": license_url,
        "copyright": copyright_line,
        "republisher": republisher.name if republisher else None,
        "republisher_url": republisher.url if republisher else None,
        "link_copy": "link-to-original" in terms.conditions or license_id == "permission",
        "conditions": sorted(terms.conditions),
        "published": article.published,
    }


def render_block(fmt: str, context: Mapping[str, Any], spec: TemplateSpec = TemplateSpec()) -> str:
    """The attribution block in ``fmt`` ("html", "markdown" or "text")."""
    autoescape = fmt == "html"
    env = _environment(autoescape)
    if spec.inline is not None:
        template = env.from_string(spec.inline)
    elif spec.file is not None:
        template = env.from_string(spec.file.read_text(encoding="utf-8"))
    else:
        template = env.get_template(TEMPLATE_FILES[fmt])
    return template.render(**context).strip()


# -- the body ------------------------------------------------------------------


# elements that stand on their own lines: text before and after them is another paragraph
_TEXT_BLOCKS = (
    *("p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "dl", "dt", "dd", "blockquote", "pre"),
    *("table", "tr", "figure", "figcaption", "section", "article", "header", "footer", "aside", "hr"),
)


def html_to_text(html: str) -> str:
    """Plain text of an HTML fragment, one paragraph per block (a line break inside one is a space)."""
    if not html.strip():
        return ""
    root = lxml.html.fragment_fromstring(html, create_parent="div")
    for br in root.iter("br"):
        br.tail = "\n" + (br.tail or "")
    for node in root.iter(*_TEXT_BLOCKS):
        if node is root:
            continue
        _break_before(node)
        node.tail = "\n\n" + (node.tail or "")
    for cell in root.iter("td", "th"):
        cell.tail = " " + (cell.tail or "")
    blocks = []
    for part in re.split(r"\n\s*\n", root.text_content()):
        cleaned = " ".join(part.split())
        if cleaned:
            blocks.append(cleaned)
    return "\n\n".join(blocks)


def _break_before(node: Any) -> None:
    """End the paragraph before ``node``: loose text or an inline element just before a block is its own paragraph."""
    previous = node.getprevious()
    if previous is not None:
        previous.tail = (previous.tail or "") + "\n\n"
    else:
        parent = node.getparent()
        parent.text = (parent.text or "") + "\n\n"


_MD_BLOCK = {"p": "", "div": "", "h1": "# ", "h2": "## ", "h3": "### ", "h4": "#### ", "h5": "##### ", "h6": "###### "}


def html_to_markdown(html: str) -> str:
    """A Markdown rendering of sanitized article HTML (paragraphs, headings, lists, quotes, links, emphasis)."""
    if not html.strip():
        return ""
    root = lxml.html.fragment_fromstring(html, create_parent="div")
    text = _md_children(root)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def _md_children(node: Any) -> str:
    out = [md_escape(node.text) if node.text else ""]
    for child in node:
        if isinstance(child, etree._Element) and isinstance(child.tag, str):
            out.append(_md_node(child))
        if child.tail:
            out.append(md_escape(child.tail))
    return "".join(out)


def _md_node(node: Any) -> str:
    tag = node.tag.lower()
    inner = _md_children(node)
    if tag in _MD_BLOCK:
        return f"\n\n{_MD_BLOCK[tag]}{' '.join(inner.split()) if tag != 'div' else inner.strip()}\n\n"
    if tag in ("strong", "b"):
        return f"**{inner}**" if inner.strip() else inner
    if tag in ("em", "i"):
        return f"*{inner}*" if inner.strip() else inner
    if tag == "a":
        href = node.get("href")
        return f"[{inner}]({href})" if href else inner
    if tag == "img":
        src = node.get("src")
        return f"![{md_escape(node.get('alt') or '')}]({src})" if src else ""
    if tag == "br":
        return "  \n"
    if tag == "code":
        return f"`{node.text_content()}`"
    if tag == "pre":
        return "\n\n```\n" + node.text_content().strip("\n") + "\n```\n\n"
    if tag == "blockquote":
        lines = inner.strip().splitlines()
        return "\n\n" + "\n".join(f"> {line}".rstrip() for line in lines) + "\n\n"
    if tag in ("ul", "ol"):
        items = [child for child in node if isinstance(child.tag, str) and child.tag.lower() == "li"]
        marks = [f"{i + 1}." if tag == "ol" else "-" for i in range(len(items))]
        body = "\n".join(f"{mark} {' '.join(_md_children(li).split())}" for mark, li in zip(marks, items, strict=True))
        return f"\n\n{body}\n\n"
    if tag == "hr":
        return "\n\n---\n\n"
    return inner


def weighted_length(text: str) -> int:
    """Length as Mastodon counts it: every URL weighs 23 characters."""
    total = 0
    last = 0
    for match in _URL.finditer(text):
        total += len(text[last : match.start()]) + URL_WEIGHT
        last = match.end()
    return total + len(text[last:])


def fit_microblog(title: str, attribution: str, limit: int, excerpt: str = "") -> str:
    """Title (+ excerpt) and the attribution block within ``limit``.

    What gives way, in order: the excerpt, the republisher line, the title (down to
    :data:`MIN_TITLE` characters), then the block's longest text lines. A line holding a
    URL (the link to the original) is never cut.
    """
    lines = [line for line in attribution.splitlines() if line.strip()]

    def compose(head: str, kept: list[str]) -> str:
        return (head.strip() + "\n\n" + "\n".join(kept)).strip()

    def fits(text: str) -> bool:
        return weighted_length(text) <= limit

    heads = [f"{title}\n\n{excerpt}", title] if excerpt else [title]
    for head in heads:
        if fits(compose(head, lines)):
            return compose(head, lines)
    kept = [line for line in lines if not line.startswith("Via ")]
    if fits(compose(title, kept)):
        return compose(title, kept)
    room = limit - weighted_length(compose("", kept)) - 2
    if room >= MIN_TITLE:
        return compose(_truncate(title, room), kept)
    head = _truncate(title, MIN_TITLE)
    while not fits(compose(head, kept)):
        cuttable = [i for i, line in enumerate(kept) if not _URL.search(line) and len(line) > 1]
        if not cuttable:
            break
        index = max(cuttable, key=lambda i: len(kept[i]))
        excess = weighted_length(compose(head, kept)) - limit
        keep = len(kept[index]) - excess - 1
        if keep < 2:
            kept.pop(index)
        else:
            kept[index] = kept[index][:keep].rstrip() + "…"
    if not fits(compose(head, kept)):  # only the link lines are left: the title gives way
        room = limit - weighted_length(compose("", kept)) - 2
        head = _truncate(title, room) if room > 1 else ""
    text = compose(head, kept)
    return text if fits(text) else _truncate(text, limit)


def _truncate(text: str, limit: int) -> str:
    if weighted_length(text) <= limit:
        return text
    words = text.split(" ")
    while words and weighted_length(" ".join(words) + "…") > limit:
        words.pop()
    return (" ".join(words) + "…") if words else text[: max(0, limit - 1)] + "…"


def _site_of(url: str) -> str | None:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}/" if parts.scheme and parts.netloc else None


def _excerpt_text(article: Article) -> str:
    text = article.summary or html_to_text(article.content_html)
    return _truncate(" ".join(text.split()), EXCERPT_CHARS)


def render_post(
    article: Article,
    target: TargetConfig,
    *,
    delivery_id: str,
    block_format: BlockFormat,
    content_mode: ContentMode,
    terms: EffectiveTerms,
    spec: TemplateSpec = TemplateSpec(),
    max_chars: int | None = None,
) -> Post:
    """The crosspost of ``article`` for ``target``, in the target's format."""
    context = attribution_context(article, terms)
    html_spec = spec if block_format in ("html", "email") else TemplateSpec()
    md_spec = spec if block_format == "markdown" else TemplateSpec()
    text_spec = spec if block_format == "text" else TemplateSpec()
    html_block = render_block("html", context, html_spec)
    text_block = render_block("text", context, text_spec)
    original = context["original_url"]

    if content_mode == "full":
        html_content = article.content_html
        text_content = html_to_text(article.content_html)
    elif content_mode == "excerpt":
        excerpt = _excerpt_text(article)
        html_content = f"<p>{escape(excerpt)}</p>\n<p><a href=\"{escape(original)}\">Read the whole article</a></p>"
        text_content = f"{excerpt}\n\n{original}"
    else:
        html_content = ""
        text_content = ""
    html = (html_content.strip() + "\n" + html_block).strip()
    text = (text_content.strip() + "\n\n-- \n" + text_block).strip()

    body: str
    attribution: str
    if block_format in ("html", "email"):
        body, attribution = html, html_block
    elif block_format == "markdown":
        attribution = render_block("markdown", context, md_spec)
        body = (html_to_markdown(html_content) + "\n\n" + attribution).strip()
    else:
        attribution = text_block
        excerpt = _excerpt_text(article) if content_mode == "excerpt" else ""
        if max_chars:
            body = fit_microblog(article.title, text_block, max_chars, excerpt)
        else:
            body = (article.title + ("\n\n" + excerpt if excerpt else "") + "\n\n" + text_block).strip()
    return Post(
        delivery_id=delivery_id,
        article=article,
        title=article.title,
        body=body,
        html=html,
        text=text,
        attribution=attribution,
        slug=slug_for(delivery_id),
        canonical_url=original,
        tags=article.tags,
        status=target.status,
        content_hash=article.content_hash,
        updated_at=article.updated,
    )
