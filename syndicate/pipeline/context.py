"""What every command works with: the validated configuration and the database."""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass

from sqlalchemy import Engine

from syndicate.config import Config, load_config
from syndicate.errors import SyndicateError
from syndicate.store import open_engine

log = logging.getLogger("syndicate.daemon")


@dataclass
class Context:
    config: Config
    engine: Engine

    @classmethod
    def open(cls, path: str | os.PathLike[str] | None = None, *, config: Config | None = None) -> Context:
        config = config or load_config(path)
        return cls(config=config, engine=open_engine(config.database_url))

    def close(self) -> None:
        self.engine.dispose()

    def reloaded(self, config_path: str | os.PathLike[str] | None, *, what: str) -> Context | None:
        """A context with the configuration read again (SIGHUP), sharing this database; None, with
        the reason logged, when the new file is invalid or names another database, executor or broker."""
        try:
            config = load_config(config_path)
        except SyndicateError as exc:
            log.error("reload refused, keeping the running configuration: %s", exc)
            return None
        if config.database_url != self.config.database_url:
            log.error("reload refused: the database cannot change while the %s runs", what)
            return None
        old, new = self.config.syndicate, config.syndicate
        if (new.executor, new.broker) != (old.executor, old.broker):  # Celery keeps its first broker's connections
            log.error("reload refused: the executor and the broker cannot change while the %s runs", what)
            return None
        return Context(config=config, engine=self.engine)
