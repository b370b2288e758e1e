"""Serving the generated feeds over HTTP (WSGI app + waitress).

:func:`make_app` builds the WSGI application, :func:`serve` runs it in the
foreground (``syndicate serve``) and :func:`start_in_thread` runs it beside
the daemon (``syndicate run``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from syndicate.config import OutputConfig
from syndicate.serve.app import CONTENT_TYPES, FeedServer
from syndicate.serve.server import ServerHandle, WSGIApp, serve, start_in_thread

__all__ = ["CONTENT_TYPES", "FeedServer", "ServerHandle", "WSGIApp", "make_app", "serve", "start_in_thread"]


def make_app(
    feeds_dir: Path,
    *,
    hubs: Sequence[str],
    base_url: str,
    outputs: Sequence[OutputConfig],
    health: Callable[[], tuple[bool, str]] | None = None,
    metrics: Callable[[], bytes] | None = None,
    extra_routes: Mapping[str, WSGIApp] | None = None,
    title: str | None = None,
) -> FeedServer:
    """The WSGI app serving ``feeds_dir``.

    ``health`` returns ``(ok, reason)`` for ``/healthz``; ``metrics`` returns the
    Prometheus text for ``/metrics``; ``extra_routes`` maps a path (or a prefix
    ending in ``/``) to another WSGI app that receives the request unchanged,
    any method (e.g. the daemon's ``/websub/`` callback); ``title`` is the site's name on the
    index page (``[syndicate] title``).
    """
    return FeedServer(
        feeds_dir, hubs=hubs, base_url=base_url, outputs=outputs, health=health, metrics=metrics,
        extra_routes=extra_routes, title=title,
    )
