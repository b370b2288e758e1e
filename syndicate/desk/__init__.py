"""The editor's desk: review, preview and release crossposts in a browser (docs/desk.md).

:func:`make_desk` builds the WSGI app for ``/desk/`` from a context whose configuration has a
``[desk]`` with at least one user who can log in; None otherwise.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from syndicate.desk.accounts import desk_users

log = logging.getLogger("syndicate.desk")


def make_desk(ctx: Any, environ: Mapping[str, str] | None = None) -> Any:
    """The desk app for ``ctx`` (its engine and configuration), or None when no user can log in."""
    config = ctx.config
    if config.desk is None or not config.desk.user:
        return None
    users = desk_users(config, environ)
    if not users:
        log.warning("%s: [desk] has no user who can log in; the desk is off", config.path)
        return None
    from syndicate.desk.app import DeskApp

    return DeskApp(ctx.engine, config, users)


def desk_listen(ctx: Any) -> tuple[str, int] | None:
    """``(host, port)`` of ``[desk] listen``: the desk and /metrics on their own address."""
    desk = ctx.config.desk
    if desk is None or not desk.listen:
        return None
    host, _, port = desk.listen.rpartition(":")
    return host.strip("[]"), int(port)


__all__ = ["desk_listen", "make_desk"]
