"""The long-running daemon (`syndicate run`)."""

from syndicate.daemon.runner import run_daemon

__all__ = ["run_daemon"]
