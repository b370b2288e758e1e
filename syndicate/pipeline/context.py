"""What every command works with: the validated configuration and the database."""

from __future__ import annotations

import os
from dataclasses import dataclass

from sqlalchemy import Engine

from syndicate.config import Config, load_config
from syndicate.store import open_engine


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
