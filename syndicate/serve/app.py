"""The WSGI application that serves the generated feeds.

Only ``GET`` and ``HEAD``. A feed is ``/NAME.atom|.rss|.json`` where NAME is a
configuration name (lower-case letters, digits, ``.``, ``_``, ``-``); any
other path is 404, so no encoding of ``..``, slashes, backslashes or NUL can
reach outside ``feeds_dir`` (and a symlink leading out of it is refused too).
Feeds get strong ETags, Last-Modified, 304 answers, gzip when accepted and
WebSub discovery ``Link`` headers.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from werkzeug.datastructures import ETags
from werkzeug.http import http_date, parse_date, parse_etags
from werkzeug.wrappers import Request, Response

from syndicate.config import OutputConfig
from syndicate.outputs.archive import is_archive_file
from syndicate.outputs.facts import MEDIA_TYPES
from syndicate.serve.filecache import CachedFile, FileCache
from syndicate.serve.pages import opml, served_outputs
from syndicate.serve.public import (
    ASSETS_PATH,
    NEGOTIATED,
    IndexPage,
    asset,
    feed_page,
    links_stylesheet,
    site_title,
    wants_html,
)

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment
else:
    WSGIApplication = Callable[..., Iterable[bytes]]
    StartResponse = Callable[..., Any]
    WSGIEnvironment = dict[str, Any]

log = logging.getLogger("syndicate.serve")

FEED_PATH = re.compile(r"^/([a-z0-9][a-z0-9._-]*)\.(atom|rss|json)$")
CONTENT_TYPES: dict[str, str] = {fmt: f"{media}; charset=utf-8" for fmt, media in MEDIA_TYPES.items()}
ALLOWED_METHODS = ("GET", "HEAD")
CACHE_CONTROL = "public, max-age=60"
# RFC 5005 archive pages do not change once written (docs/outputs.md says when one may): a week, immutable
ARCHIVE_CACHE_CONTROL = "public, max-age=604800, immutable"
METRICS_TYPE = "text/plain; version=0.0.4; charset=utf-8"
GZIP_MIN_BYTES = 512  # smaller bodies are not worth compressing


class FeedServer:
    """A WSGI callable; build it with :func:`make_app`."""

    def __init__(
        self,
        feeds_dir: Path,
        *,
        hubs: Sequence[str],
        base_url: str,
        outputs: Sequence[OutputConfig],
        health: Callable[[], tuple[bool, str]] | None = None,
        metrics: Callable[[], bytes] | None = None,
        extra_routes: Mapping[str, WSGIApplication] | None = None,
        title: str | None = None,
    ):
        self.feeds_dir = Path(feeds_dir).resolve()
        self.base_url = base_url if base_url.endswith("/") else base_url + "/"
        self.hubs = tuple(hubs)
        self.outputs = sorted(outputs, key=lambda o: len(o.name), reverse=True)  # longest name first
        self.health = health
        self.metrics = metrics
        self.extra_routes = dict(extra_routes or {})
        self.cache = FileCache()
        announced = served_outputs(outputs, self.base_url)
        self.title = site_title(title, self.base_url)
        self.index = IndexPage(announced, [o.formats for o in outputs], self.title)
        self.opml_page = opml(announced, title=self.title)

    # -- WSGI ----------------------------------------------------------------

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "") or "/"
        extra = self._extra_route(path)
        if extra is not None:
            return extra(environ, start_response)
        request = Request(environ)
        try:
            response = self._respond(request, path)
        except Exception:  # a bug here must not take the server down; say it in one line
            log.exception("serving %s failed", path)
            response = _plain(500, "internal error\n")
        return response(environ, start_response)

    def _extra_route(self, path: str) -> WSGIApplication | None:
        for prefix, app in self.extra_routes.items():
            if path == prefix or (prefix.endswith("/") and path.startswith(prefix)):
                return app
        return None

    def _respond(self, request: Request, path: str) -> Response:
        if request.method not in ALLOWED_METHODS:
            response = _plain(405, "method not allowed\n")
            response.headers["Allow"] = ", ".join(ALLOWED_METHODS)
            return response
        if path == "/":
            return Response(self.index.render(self._document), 200, content_type="text/html; charset=utf-8")
        if path.startswith(ASSETS_PATH):
            return _asset(path[len(ASSETS_PATH):])
        if path in ("/opml", "/opml.xml"):
            return Response(self.opml_page, 200, content_type="text/x-opml; charset=utf-8")
        if path == "/healthz":
            return self._health()
        if path == "/metrics" and self.metrics is not None:
            return Response(self.metrics(), 200, content_type=METRICS_TYPE)
        match = FEED_PATH.match(path)
        if match is None:
            return _not_found()
        return self._feed(request, match.group(1), match.group(2))

    # -- routes --------------------------------------------------------------

    def _health(self) -> Response:
        if self.health is None:
            return _plain(200, "ok\n")
        try:
            ok, reason = self.health()
        except Exception as exc:  # the check itself failing means unhealthy
            ok, reason = False, f"health check failed: {type(exc).__name__}"
        if ok:
            return _plain(200, "ok\n")
        return _plain(503, " ".join(str(reason).split()) + "\n")

    def _feed(self, request: Request, name: str, fmt: str) -> Response:
        filename = f"{name}.{fmt}"
        path = self.feeds_dir / filename
        if not self._inside_feeds_dir(path):
            return _not_found()
        cached = self.cache.get(path)
        if cached is None:
            return _not_found()
        styled = fmt != "json" and links_stylesheet(cached.data)
        vary = "Accept, Accept-Encoding" if styled else "Accept-Encoding"
        if styled and wants_html(request.accept_mimetypes.best_match(NEGOTIATED)):
            # a person clicked the feed link: its stylesheet applied here, as browsers are dropping XSLT
            page = feed_page(cached.data, cached.etag)
            return Response(page, 200, content_type="text/html; charset=utf-8",
                            headers={"Vary": vary, "Cache-Control": CACHE_CONTROL})
        use_gzip = len(cached.data) >= GZIP_MIN_BYTES and request.accept_encodings["gzip"] > 0
        etag = cached.gzip_etag if use_gzip else cached.etag
        headers = {
            "ETag": etag,
            "Last-Modified": http_date(cached.mtime),
            "Vary": vary,
            "Cache-Control": ARCHIVE_CACHE_CONTROL if is_archive_file(name, self.outputs) else CACHE_CONTROL,
        }
        if _not_modified(request, cached):
            return Response(b"", 304, headers=headers)
        body = cached.gzipped() if use_gzip else cached.data
        response = Response(body, 200, content_type=CONTENT_TYPES[fmt], headers=headers)
        if use_gzip:
            response.headers["Content-Encoding"] = "gzip"
        response.headers["Link"] = self._link_header(name, filename)
        return response

    def _document(self, filename: str) -> CachedFile | None:
        """A rendered document by file name, from the cache (None when absent or outside feeds_dir)."""
        path = self.feeds_dir / filename
        return self.cache.get(path) if self._inside_feeds_dir(path) else None

    def _inside_feeds_dir(self, path: Path) -> bool:
        """Refuse a file that is, or resolves through a symlink to, anything outside ``feeds_dir``."""
        try:
            real = Path(os.path.realpath(path))
        except (OSError, ValueError):
            return False
        return real.parent == self.feeds_dir

    def _link_header(self, name: str, filename: str) -> str:
        """WebSub discovery: ``<hub>; rel="hub"`` for each hub and exactly one ``<self>; rel="self"``."""
        hubs, base = self.hubs, self.base_url
        for output in self.outputs:  # the output this file belongs to: NAME, NAME-SOURCE, NAME-archive-N
            if name == output.name or name.startswith(output.name + "-"):
                if output.hubs is not None:
                    hubs = tuple(output.hubs)
                if output.base_url:
                    base = output.base_url if output.base_url.endswith("/") else output.base_url + "/"
                break
        parts = [f'<{hub}>; rel="hub"' for hub in hubs]
        parts.append(f'<{base}{filename}>; rel="self"')
        return ", ".join(parts)


def _not_modified(request: Request, cached: CachedFile) -> bool:
    """RFC 9110 §13.2.2: If-None-Match decides when present; else If-Modified-Since."""
    header = request.headers.get("If-None-Match")
    if header is not None:
        tags: ETags = parse_etags(header)
        if tags.star_tag:
            return True
        return any(tags.contains_weak(tag.strip('"')) for tag in (cached.etag, cached.gzip_etag))
    since = request.headers.get("If-Modified-Since")
    if since is not None:
        when = parse_date(since)
        return when is not None and int(cached.mtime) <= int(when.timestamp())
    return False


def _asset(name: str) -> Response:
    found = asset(name)
    if found is None:
        return _not_found()
    data, content_type = found
    return Response(data, 200, content_type=content_type, headers={"Cache-Control": "public, max-age=3600"})


def _plain(status: int, text: str) -> Response:
    return Response(text.encode("utf-8"), status, content_type="text/plain; charset=utf-8")


def _not_found() -> Response:
    return _plain(404, "not found\n")
