"""``syndicate explain ARTICLE_ID``: an article's body with the notices read from it marked, and
the facts each gave (which recognizer row matched which text: how a wrong fact gets fixed)."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any

import click
from sqlalchemy import select
from sqlalchemy.engine import Engine

from syndicate.cli.main import cli, config_option, friendly_errors, open_context
from syndicate.errors import SyndicateError
from syndicate.models import Article, Evidence
from syndicate.normalize.text import html_to_text

_PARAGRAPH_END = re.compile(r"(?i)</(?:p|li|h[1-6]|blockquote|pre|figcaption|td)>")


class ArticleNotFound(SyndicateError):
    """No article, or more than one, has the id (prefix) given."""


def find_article(engine: Engine, wanted: str) -> Article:
    """The article whose id is ``wanted`` or starts with it (when only one does)."""
    from syndicate.store.articles import get_article
    from syndicate.store.codec import row_to_article
    from syndicate.store.schema import articles

    exact = get_article(engine, wanted)
    if exact is not None:
        return exact
    if not wanted:
        raise ArticleNotFound("give an article id (or the start of one)")
    with engine.connect() as conn:
        rows = conn.execute(select(articles).where(articles.c.id.startswith(wanted, autoescape=True)).limit(2)).all()
    if not rows:
        raise ArticleNotFound(f"no article has an id starting with {wanted!r}")
    if len(rows) > 1:
        raise ArticleNotFound(f"more than one article has an id starting with {wanted!r}: give more of it")
    return row_to_article(rows[0]._mapping)


def notices_of(evidence: Sequence[Evidence]) -> list[dict[str, Any]]:
    """The notices read from a body, in order, each with where it sat and the facts it gave."""
    found: dict[tuple[str, str], dict[str, Any]] = {}
    for item in evidence:
        notice = found.setdefault((item.where, item.text), {"where": item.where, "text": item.text, "facts": []})
        notice["facts"].append({"fact": item.fact, "value": item.value, "recognizer": item.recognizer,
                                "lang": item.lang})  # fmt: skip
    order = {"lead": 0, "feed": 0, "body": 1, "caption": 1, "tail": 2}
    return sorted(found.values(), key=lambda n: order.get(n["where"], 1))


def explanation(article: Article) -> dict[str, Any]:
    paragraphs = [t for t in (html_to_text(p) for p in _PARAGRAPH_END.split(article.content_html)) if t]
    return {
        "id": article.id,
        "title": article.title,
        "url": article.url,
        "body": paragraphs,
        "notices": notices_of(article.attribution.evidence),
        "attribution": article.attribution.to_json(),
        "rights": article.rights.to_json(),
    }


def _facts_line(facts: Sequence[dict[str, Any]]) -> list[str]:
    lines = []
    for fact in facts:
        value = "" if fact["value"] is None else f" = {fact['value']}"
        lang = f", {fact['lang']}" if fact["lang"] else ""
        lines.append(f"      -> {fact['fact']}{value}  ({fact['recognizer']}{lang})")
    return lines


def render(data: dict[str, Any]) -> str:
    """The explanation as text: notices marked »…« where they sat, around the kept body."""
    out = [f"{data['title']}  [{data['id']}]", data["url"], ""]
    notices = data["notices"]
    for notice in (n for n in notices if n["where"] in ("lead", "feed")):
        out += [f"  [{notice['where']} notice] »{notice['text']}«", *_facts_line(notice["facts"])]
    out += ["", *(f"  {p}" for p in data["body"]), ""]
    for notice in (n for n in notices if n["where"] not in ("lead", "feed")):
        out += [f"  [{notice['where']} notice] »{notice['text']}«", *_facts_line(notice["facts"])]
    attribution, rights = data["attribution"], data["rights"]
    out += ["", "facts:"]
    for key in ("original_publisher", "original_author", "original_url"):
        out.append(f"  {key}: {attribution.get(key)}")
    out.append(f"  republishers: {', '.join(r['name'] for r in attribution.get('republishers') or []) or None}")
    out.append(f"  license: {rights.get('license')}  conditions: {', '.join(rights.get('conditions') or []) or None}")
    if not notices:
        out.append("  (no notice was read from this article's body)")
    return "\n".join(out)


@cli.command()
@config_option
@click.argument("article_id")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.pass_context
@friendly_errors
def explain(click_ctx: click.Context, config_path: str | None, article_id: str, as_json: bool) -> None:
    """An article's body with the notices read from it marked, and the facts each gave."""
    ctx = open_context(click_ctx, config_path)
    data = explanation(find_article(ctx.engine, article_id.strip()))
    click.echo(json.dumps(data, ensure_ascii=False, indent=2) if as_json else render(data))
