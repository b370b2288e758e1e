"""Whether an output carries an article's whole text, and the excerpt it carries when not.

``[[output]] full_text``: ``"allowed"`` (the default) republishes in full only what the
terms allow: an article whose terms forbid republication (all rights reserved or
permission required, with no agreement in ``[source].rights`` granting it; the same
rule crossposts follow, :mod:`syndicate.reuse`) goes out as its title, a link to the
original and a short excerpt. ``"always"`` is the operator answering for it, as a
source's ``rights`` agreement is; ``"never"`` sends excerpts only. Pure.
"""

from __future__ import annotations

from collections.abc import Mapping
from html import escape
from urllib.parse import urlsplit

from syndicate.config import RightsConfig
from syndicate.models import Article
from syndicate.normalize.text import html_to_text, sentences, truncate
from syndicate.outputs.text import clean, clean_or_none
from syndicate.reuse import effective_terms, terms_of_sources

EXCERPT_CHARS = 280  # "a short excerpt": at most the first sentence, and never the whole text
READ_MORE = "Read the full article at {where}"


def in_full(mode: str, article: Article, rights_by_source: Mapping[str, RightsConfig]) -> bool:
    """True when an output with ``full_text = mode`` may carry ``article``'s whole body."""
    if mode == "always":
        return True
    if mode == "never":
        return False
    terms = effective_terms(article, terms_of_sources(article, rights_by_source))
    return not terms.forbids_republication


def excerpt_text(article: Article) -> str:
    """The body's (or else the summary's) first sentence, at most EXCERPT_CHARS, and never all of it.

    The body is read first: a source's summary is sometimes its whole text. An article of one
    short sentence gives its first half, so an excerpt never republishes an article whole.
    """
    text = html_to_text(clean(article.content_html)) or html_to_text(clean(article.summary))
    first = sentences(text)[:1]
    excerpt = truncate(first[0] if first else text, EXCERPT_CHARS)
    if len(excerpt) >= len(text) and len(text.split()) > 1:
        excerpt = truncate(text, len(text) // 2)
    return excerpt


def original_url(article: Article) -> str:
    return clean_or_none(article.attribution.original_url) or clean_or_none(article.url) or ""


def excerpt_html(article: Article, excerpt: str) -> str:
    """The excerpt as a paragraph, then a link to the original naming where it is."""
    url = original_url(article)
    parts = [f"<p>{escape(excerpt)}</p>"] if excerpt else []
    if url.startswith(("http://", "https://")):
        where = clean_or_none(article.attribution.original_publisher) or urlsplit(url).netloc or url
        parts.append(f'<p><a href="{escape(url)}">{escape(READ_MORE.format(where=where))}</a></p>')
    return "\n".join(parts)
