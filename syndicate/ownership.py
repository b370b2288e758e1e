"""Who owns a piece of work, and whether that owner still lives.

An owner is a process, written ``host:pid:start:token``:

* ``start`` pins the process down beyond its pid, which the kernel hands out again: on Linux
  ``<boot id>.<pid namespace>.<start time in clock ticks since boot>`` (read from /proc),
  elsewhere empty;
* ``token`` tells apart several owners inside one process (a lease object, a delivery pass).

Holders written before ``start`` existed (``host:pid:token``) are still read.

:func:`owner_state` judges an owner from here:

* ``unknown`` — another host, or this host name seen from another pid namespace (another
  container): nothing here can see that process, so callers fall back to a timeout;
* ``dead`` — this host but another boot; or this host and namespace and no process with that
  pid, a zombie, or a process that started at another time (the pid was reused); or this very
  process, when the caller says which of its tokens are live and this one is not;
* ``alive`` — otherwise (without /proc: a process with that pid exists).

The scheduler's lease (:mod:`syndicate.daemon.lease`) and the crosspost ledger's ``sending``
rows (:mod:`syndicate.crosspost.ledger`) both use it.
"""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Collection
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Literal

OwnerState = Literal["alive", "dead", "unknown"]
HOST = socket.gethostname()
PROC = Path("/proc")


@dataclass(frozen=True, slots=True)
class Owner:
    host: str
    pid: int
    start: str  # "<boot id>.<pid namespace>.<start ticks>", or "" where /proc is not there
    token: str

    def __str__(self) -> str:
        return f"{self.host}:{self.pid}:{self.start}:{self.token}"


def parse_owner(text: str) -> Owner | None:
    """An owner from its text (``host:pid:start:token`` or the older ``host:pid:token``); None if unreadable."""
    parts = text.split(":")
    if len(parts) == 4:
        host, pid, start, token = parts
    elif len(parts) == 3:
        host, pid, token = parts
        start = ""
    else:
        return None
    if not pid.isdigit():
        return None
    return Owner(host, int(pid), start, token)


def new_owner() -> Owner:
    """This process, with a fresh token."""
    return Owner(HOST, os.getpid(), process_start(os.getpid()), uuid.uuid4().hex[:12])


def owner_state(text: str, *, live_tokens: Collection[str] | None = None) -> OwnerState:
    """Whether the owner written as ``text`` lives, judged from this process (see the module's notes).

    ``live_tokens``: when given, an owner in this very process lives only if its token is among them
    (work left behind by an earlier pass of a long-running process is orphaned).
    """
    owner = parse_owner(text)
    if owner is None or owner.host != HOST:
        return "unknown"
    if owner.start:
        boot, _, rest = owner.start.partition(".")
        namespace = rest.partition(".")[0]
        if not _boot_id() or not _pid_namespace():
            return "unknown"  # written where /proc is, read where it is not
        if boot != _boot_id():
            return "dead"  # this host has rebooted since
        if namespace != _pid_namespace():
            return "unknown"  # a container with our host name: its pids are not ours
        if process_start(owner.pid) != owner.start:
            return "dead"  # gone, a zombie, or its pid now belongs to another process
    elif not _pid_alive(owner.pid):
        return "dead"
    if owner.pid == os.getpid() and live_tokens is not None and owner.token not in live_tokens:
        return "dead"
    return "alive"


def process_start(pid: int) -> str:
    """``<boot id>.<pid namespace>.<start ticks>`` of a running process; "" when unknown or not running.

    A zombie (killed, not yet reaped) counts as not running.
    """
    boot, namespace = _boot_id(), _pid_namespace()
    if not boot or not namespace:
        return ""
    try:
        stat = (PROC / str(pid) / "stat").read_text()
    except OSError:
        return ""
    fields = stat.rpartition(")")[2].split()  # the command name, in parentheses, may hold spaces
    if len(fields) < 20 or fields[0] in ("Z", "X"):
        return ""
    return f"{boot}.{namespace}.{fields[19]}"  # field 22 of stat: start time in clock ticks since boot


@cache
def _boot_id() -> str:
    try:
        return (PROC / "sys/kernel/random/boot_id").read_text().strip()
    except OSError:
        return ""


def _pid_namespace() -> str:
    try:
        link = os.readlink(PROC / "self/ns/pid")  # "pid:[4026531836]"
    except OSError:
        return ""
    return link.partition("[")[2].rstrip("]")


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def describe_owner(text: str) -> str:
    owner = parse_owner(text)
    return f"pid {owner.pid} on {owner.host}" if owner else text
