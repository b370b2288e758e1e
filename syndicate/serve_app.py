"""The HTTP application the CLI serves: feeds, index, OPML, health and metrics."""

from __future__ import annotations

import logging
import threading
from typing import Any

from syndicate.pipeline.context import Context
from syndicate.pipeline.render import expand_outputs

log = logging.getLogger("syndicate.daemon")


def build_app(ctx: Context, *, daemon: Any = None, desk: Any = None) -> Any:
    """The public app: feeds, index, OPML, health, WebSub callback; with ``desk`` (the editor's desk,
    when it has no address of its own) mounted at ``/desk/`` and ``/metrics``. Without ``desk``,
    /metrics is served unless the desk and /metrics have their own address (``[desk] listen``)."""
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
    if desk is not None:
        extra["/desk/"] = extra["/desk"] = desk
    own_address = config.desk is not None and config.desk.listen is not None and desk is None
    app = make_app(
        config.feeds_dir,
        hubs=config.syndicate.hubs,
        base_url=config.syndicate.base_url,
        outputs=outputs,
        health=health,
        metrics=None if own_address else metrics,
        extra_routes=extra or None,
        title=config.syndicate.title,
    )
    if config.syndicate.serve.from_database:  # scale-out: stateless instances answer from the documents table
        from syndicate.distributed.serving import serve_from_database

        serve_from_database(app, ctx.engine)
    return app


def build_apps(ctx: Context, *, daemon: Any = None) -> tuple[Any, Any]:
    """(the public app, the app for ``[desk] listen`` or None): the desk beside the feeds, or on its own address."""
    from syndicate.desk import make_desk

    return apps_with_desk(ctx, make_desk(ctx), daemon=daemon)


def apps_with_desk(ctx: Context, desk: Any, *, daemon: Any = None) -> tuple[Any, Any]:
    """:func:`build_apps` with the desk app made already (or None)."""
    from syndicate.desk import desk_listen

    if desk is None or desk_listen(ctx) is None:
        return build_app(ctx, daemon=daemon, desk=desk), None
    return build_app(ctx, daemon=daemon), desk_side_app(ctx, desk, daemon)


def desk_side_app(ctx: Context, desk: Any, daemon: Any = None) -> Any:
    """What ``[desk] listen`` serves: the desk, ``/metrics`` and ``/healthz``; ``/`` leads to the desk."""
    from syndicate.metrics import render_metrics
    from syndicate.serve import make_app

    probes = make_app(
        ctx.config.feeds_dir, hubs=(), base_url=ctx.config.syndicate.base_url, outputs=(),
        health=daemon.healthy if daemon is not None else None, metrics=lambda: render_metrics(ctx, daemon),
    )

    def app(environ: dict[str, Any], start_response: Any) -> Any:
        path = environ.get("PATH_INFO") or "/"
        if path == "/desk" or path.startswith("/desk/"):
            return desk(environ, start_response)
        if path in ("/metrics", "/healthz"):
            return probes(environ, start_response)
        if path == "/":
            start_response("303 See Other", [("Location", "/desk/"), ("Content-Length", "0")])
            return [b""]
        start_response("404 Not Found", [("Content-Type", "text/plain; charset=utf-8")])
        return [b"not found\n"]

    return app


def start_desk_side(ctx: Context, app: Any) -> Any:
    """Serve the ``[desk] listen`` app in a thread; the server handle."""
    from syndicate.desk import desk_listen
    from syndicate.serve import start_in_thread

    where = desk_listen(ctx)
    assert where is not None
    server = start_in_thread(app, where[0], where[1])
    log.warning("serving the editor's desk on http://%s:%s/desk/", where[0], server.port)
    return server


def serve_beside(ctx: Context, daemon: Any, host: str | None, port: int | None) -> Any:
    """Serve :func:`build_app` for ``daemon`` (the local daemon or the Celery scheduler) in a thread,
    on ``host``/``port`` or the configured ``[syndicate.serve]`` ones; the server handle.
    The desk comes along: mounted at ``/desk/``, or on ``[desk] listen`` (stopped with the feeds).
    Both follow the daemon's configuration reloads."""
    from syndicate.desk import make_desk
    from syndicate.serve import start_in_thread

    settings = ctx.config.syndicate.serve
    desk = make_desk(ctx)
    public, desk_side = apps_with_desk(ctx, desk, daemon=daemon)
    if daemon is not None:
        follower = _ReloadFollower(daemon, ctx, public, desk, desk_apart=desk_side is not None)
        public = follower.public_app
        desk_side = follower.wrap(desk_side) if desk_side is not None else None
    server = start_in_thread(public, host or settings.host, port if port is not None else settings.port)
    log.warning("serving feeds on http://%s:%s/", host or settings.host, server.port)
    if desk_side is not None:
        return _Pair(server, start_desk_side(ctx, desk_side))
    return server


class _ReloadFollower:
    """What a daemon serves, following its configuration reloads (SIGHUP gives the daemon a new
    context): the feeds' list, index and OPML are built again from the new one, and the desk takes its
    new sources, targets and users (its sessions stay). Addresses and ports stay until a restart."""

    def __init__(self, daemon: Any, ctx: Context, public: Any, desk: Any, *, desk_apart: bool):
        self.daemon, self.ctx, self.public, self.desk, self.desk_apart = daemon, ctx, public, desk, desk_apart
        self.lock = threading.Lock()

    def check(self) -> None:
        ctx = getattr(self.daemon, "ctx", self.ctx)
        if ctx is self.ctx:
            return
        with self.lock:
            if ctx is not self.ctx:
                self._take(ctx)

    def public_app(self, environ: dict[str, Any], start_response: Any) -> Any:
        self.check()
        return self.public(environ, start_response)

    def wrap(self, app: Any) -> Any:
        def following(environ: dict[str, Any], start_response: Any) -> Any:
            self.check()
            return app(environ, start_response)

        return following

    def _take(self, ctx: Context) -> None:
        from syndicate.desk.accounts import desk_users

        if self.desk is not None:
            self.desk.follow(ctx.config, desk_users(ctx.config) if ctx.config.desk is not None else {})
        self.public = build_app(ctx, daemon=self.daemon, desk=None if self.desk_apart else self.desk)
        self.ctx = ctx
        log.info("serving the reloaded configuration")


class _Pair:
    """The feeds' server and the desk's, stopped together."""

    def __init__(self, main: Any, side: Any):
        self.main, self.side = main, side
        self.host, self.port = main.host, main.port

    def stop(self) -> None:
        self.side.stop()
        self.main.stop()
