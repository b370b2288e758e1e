"""The HTTP application the CLI serves: feeds, index, OPML, health and metrics."""

from __future__ import annotations

import logging
from typing import Any

from syndicate.pipeline.context import Context
from syndicate.pipeline.render import expand_outputs

log = logging.getLogger("syndicate.daemon")


def build_app(ctx: Context, *, daemon: Any = None) -> Any:
    from syndicate.metrics import render_metrics
    from syndicate.serve import make_app
    from syndicate.websub.subscriber import callback_app

    config = ctx.config
    outputs = [output for output, _names in expand_outputs(config)]
    health = daemon.healthy if daemon is not None else None

    def metrics() -> bytes:
        return render_metrics(ctx, daemon)

    extra: dict[str, Any] = {}
    if daemon is not None:
        extra["/websub/"] = callback_app(ctx, daemon)
    app = make_app(
        config.feeds_dir,
        hubs=config.syndicate.hubs,
        base_url=config.syndicate.base_url,
        outputs=outputs,
        health=health,
        metrics=metrics,
        extra_routes=extra or None,
        title=config.syndicate.title,
    )
    if config.syndicate.serve.from_database:  # scale-out: stateless instances answer from the documents table
        from syndicate.distributed.serving import serve_from_database

        serve_from_database(app, ctx.engine)
    return app


def serve_beside(ctx: Context, daemon: Any, host: str | None, port: int | None) -> Any:
    """Serve :func:`build_app` for ``daemon`` (the local daemon or the Celery scheduler) in a thread,
    on ``host``/``port`` or the configured ``[syndicate.serve]`` ones; the server handle."""
    from syndicate.serve import start_in_thread

    settings = ctx.config.syndicate.serve
    server = start_in_thread(
        build_app(ctx, daemon=daemon), host or settings.host, port if port is not None else settings.port
    )
    log.warning("serving feeds on http://%s:%s/", host or settings.host, server.port)
    return server
