"""Regenerating the outbound feeds: select → render → write if changed → ping hubs."""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Literal

from sqlalchemy import Engine, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from syndicate import __version__
from syndicate.config import Config, OutputConfig, RightsConfig
from syndicate.models import Article
from syndicate.outputs import feed_filename
from syndicate.outputs.archive import archive_pages, current_links, page_links, stale_page_files
from syndicate.outputs.facts import ArchiveLinks
from syndicate.pipeline.context import Context
from syndicate.store import articles as article_store
from syndicate.store.schema import documents

log = logging.getLogger("syndicate.outputs")

EVERY_ARTICLE = 2**31 - 1  # the "limit" that reads all of an archived output's articles
RENDERING = "1"  # bump when rendering changes in a way the version number does not show
CONTENT_TYPES = {
    "atom": "application/atom+xml; charset=utf-8",
    "rss": "application/rss+xml; charset=utf-8",
    "json": "application/feed+json; charset=utf-8",
}


@dataclass
class RenderSummary:
    written: int = 0
    unchanged: int = 0
    files: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    pinged: int = 0


def expand_outputs(config: Config) -> list[tuple[OutputConfig, list[str] | None]]:
    """Every output to render with the sources it shows (None: all); ``per_source`` adds NAME-SOURCE outputs."""
    all_names = [s.name for s in config.source]
    expanded: list[tuple[OutputConfig, list[str] | None]] = []
    for output in config.output:
        names = [n for n in all_names if output.matches_source(n)]
        expanded.append((output, None if output.sources == ["*"] else names))
        if output.per_source:
            for name in names:
                title = f"{output.title or output.name}: {name}"
                expanded.append(
                    (
                        output.model_copy(
                            update={"name": f"{output.name}-{name}", "title": title, "per_source": False}
                        ),
                        [name],
                    )
                )
    return expanded


def render_outputs(ctx: Context, *, force: bool = False) -> RenderSummary:
    """Render every output; write (and push to hubs) only those whose bytes changed."""
    config = ctx.config
    summary = RenderSummary()
    feeds_dir = config.feeds_dir
    feeds_dir.mkdir(parents=True, exist_ok=True)
    tombstone_cutoff = datetime.now(UTC) - timedelta(seconds=config.syndicate.tombstone_ttl)
    changed_topics: dict[tuple[str, ...], list[str]] = {}
    rendered = _rendered_inputs(ctx.engine)
    source_rights = {s.name: s.rights for s in config.source if s.rights is not None}
    if any(o.stylesheet and set(o.formats) - {"json"} for o in config.output):
        _write_assets(feeds_dir)
    for output, names in expand_outputs(config):
        try:
            if output.archive:  # every article of the output: the archive pages hold the older ones
                history = article_store.articles_for_output(ctx.engine, output, names, limit=EVERY_ARTICLE)
                selected = history[: output.limit]
            else:
                history, selected = [], article_store.articles_for_output(ctx.engine, output, names, limit=output.limit)
            tombstones = article_store.articles_for_output(
                ctx.engine, output, names, limit=output.limit, deleted_since=tombstone_cutoff
            )
        except Exception as exc:  # a database failure for one output must not stop the others
            summary.errors.append(f"output {output.name}: {exc}")
            continue
        pages = archive_pages(output, history)
        for fmt in output.formats:
            documents: list[_Document] = [
                _Document(output, selected, tombstones, current_links(output, config.syndicate, fmt, len(pages)))
            ]
            documents += [
                _Document(page.output, list(page.articles), [],
                          page_links(output, config.syndicate, fmt, page.number, len(pages)))
                for page in pages
            ]
            for document in documents:
                _render_document(ctx, document, fmt, force, rendered, source_rights, summary, changed_topics)
            if output.archive:
                _remove_stale_pages(ctx.engine, feeds_dir, output.name, fmt, len(pages))
    if changed_topics:
        from syndicate.outputs.websub import publish

    for hubs, topics in changed_topics.items():
        errors = publish(hubs, topics)
        summary.pinged += len(topics) * len(hubs) - len(errors)
        for error in errors:
            log.warning("websub: %s", error)
    return summary


@dataclass(frozen=True)
class _Document:
    """One document to render: an output (or an archive page of one), its articles, tombstones and links."""

    output: OutputConfig
    articles: list[Article]
    tombstones: list[Article]
    archive: ArchiveLinks | None


def _render_document(
    ctx: Context,
    document: _Document,
    fmt: Literal["atom", "rss", "json"],
    force: bool,
    rendered: dict[str, str],
    source_rights: dict[str, RightsConfig],
    summary: RenderSummary,
    changed_topics: dict[tuple[str, ...], list[str]],
) -> None:
    """Render one document unless its inputs are those it was last rendered from; write it if its bytes changed."""
    config, output = ctx.config, document.output
    feeds_dir = config.feeds_dir
    filename = feed_filename(output.name, fmt)
    inputs = _inputs_digest(config, output, fmt, document.articles, document.tombstones, document.archive)
    if not force and rendered.get(filename) == inputs and (feeds_dir / filename).is_file():
        summary.unchanged += 1  # rendered from exactly these inputs before: the same bytes
        return
    from syndicate.outputs import render_feed, write_if_changed

    try:
        data = render_feed(
            output, fmt, document.articles, settings=config.syndicate, tombstones=document.tombstones,
            archive=document.archive, source_rights=source_rights,
        )
    except Exception as exc:
        summary.errors.append(f"output {filename}: cannot render: {exc}")
        log.error("output %s: cannot render: %s", filename, exc)
        return
    if write_if_changed(feeds_dir / filename, data) or force:
        summary.written += 1
        summary.files.append(filename)
        _store_document(ctx.engine, filename, fmt, data, inputs)
        hubs = tuple(output.hubs if output.hubs is not None else config.syndicate.hubs)
        if hubs:
            base = output.base_url or config.syndicate.base_url
            changed_topics.setdefault(hubs, []).append(base.rstrip("/") + "/" + filename)
    else:
        summary.unchanged += 1
        _store_document(ctx.engine, filename, fmt, data, inputs)  # the same bytes, new inputs


def _write_assets(feeds_dir: Path) -> None:
    """The stylesheet the feeds link (and its CSS) in feeds_dir/assets/, for a server that serves feeds_dir as is."""
    from syndicate.outputs import write_if_changed
    from syndicate.outputs.stylesheet import ASSETS, asset_bytes

    for name in ASSETS:
        write_if_changed(feeds_dir / "assets" / name, asset_bytes(name))


def _remove_stale_pages(engine: Engine, feeds_dir: Path, output_name: str, fmt: str, count: int) -> None:
    """Archive pages beyond the ``count`` an output now has (its articles were withdrawn) are removed."""
    names = [p.name for p in feeds_dir.glob(f"{output_name}-archive-*.{fmt}")]
    for filename in stale_page_files(output_name, fmt, count, names):
        (feeds_dir / filename).unlink(missing_ok=True)
        with engine.begin() as conn:
            conn.execute(delete(documents).where(documents.c.path == filename))
        log.info("output %s: archive page removed (fewer pages now)", filename)


def _inputs_digest(
    config: Config,
    output: OutputConfig,
    fmt: str,
    selected: list[Article],
    tombstones: list[Article],
    archive: ArchiveLinks | None = None,
) -> str:
    """A digest of everything a document is rendered from: the code's version, the output's and
    the global settings, the sources' agreed terms, the format, and every field of every article
    and tombstone in it."""
    digest = hashlib.blake2b(digest_size=24)
    terms = repr([(s.name, s.rights) for s in config.source if s.rights is not None])
    parts = (__version__, RENDERING, fmt, output.model_dump_json(), config.syndicate.model_dump_json(), terms,
             repr(archive))
    for part in parts:
        digest.update(part.encode("utf-8", "surrogatepass") + b"\0")
    for article in (*selected, None, *tombstones):
        digest.update(repr(article).encode("utf-8", "surrogatepass") + b"\0")
    return digest.hexdigest()


def _rendered_inputs(engine: Engine) -> dict[str, str]:
    """path → the inputs digest each stored document was rendered from."""
    with engine.connect() as conn:
        return {r.path: r.inputs for r in conn.execute(select(documents.c.path, documents.c.inputs)) if r.inputs}


def _store_document(engine: Engine, path: str, fmt: str, data: bytes, inputs: str) -> None:
    etag = '"' + hashlib.blake2b(data, digest_size=16).hexdigest() + '"'
    values = {
        "body": data,
        "etag": etag,
        "content_type": CONTENT_TYPES[fmt],
        "updated_at": datetime.now(UTC),
        "inputs": inputs,
    }
    with engine.begin() as conn:
        if conn.execute(update(documents).where(documents.c.path == path).values(**values)).rowcount:
            return
        try:  # two renders on two workers may store a new document at the same moment
            with conn.begin_nested():
                conn.execute(insert(documents).values(path=path, **values))
        except IntegrityError:
            conn.execute(update(documents).where(documents.c.path == path).values(**values))


def select_for(ctx: Context, output: OutputConfig) -> list[Article]:
    names = None if output.sources == ["*"] else article_store.output_sources(ctx.config, output)
    return article_store.articles_for_output(ctx.engine, output, names, limit=output.limit)
