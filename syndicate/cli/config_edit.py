"""Editing ``syndicate.toml`` in place: add and remove ``[[source]]`` tables, keeping comments and layout.

Every edit is validated as a whole configuration before the file is replaced
(atomically, keeping its permissions); an edit that would make the file invalid
leaves it untouched and raises :class:`~syndicate.errors.ConfigError`.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import tomlkit
from tomlkit.items import AoT, Table

from syndicate.atomic import replace_file
from syndicate.config import Config, config_from_dict
from syndicate.errors import ConfigError


@dataclass(frozen=True, slots=True)
class NewSource:
    name: str
    url: str
    interval: str | None = None
    tags: Sequence[str] = field(default_factory=tuple)
    comment: str | None = None  # e.g. the title an OPML file gave it
    publisher: str | None = None
    rights: Mapping[str, Any] | None = None  # the [source].rights table, as data
    language: str | None = None
    enabled: bool | None = None
    rules: Mapping[str, Any] | None = None


def _read(path: Path) -> Any:
    try:
        return tomlkit.parse(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such configuration file (pass --config or set SYNDICATE_CONFIG)") from None
    except tomlkit.exceptions.ParseError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None


def _sources(doc: Any) -> AoT:
    existing = doc.get("source")
    if existing is None:
        aot = tomlkit.aot()
        doc.append("source", aot)
        return doc["source"]  # type: ignore[no-any-return]
    if not isinstance(existing, AoT):
        raise ConfigError("source: expected [[source]] tables")
    return existing


def _table(source: NewSource) -> Table:
    table = tomlkit.table()
    table.add("name", source.name)
    if source.comment:
        table["name"].comment(" ".join(source.comment.split())[:100])
    table.add("url", source.url)
    if source.interval:
        table.add("interval", source.interval)
    if source.tags:
        table.add("tags", list(source.tags))
    if source.publisher:
        table.add("publisher", source.publisher)
    if source.language:
        table.add("language", source.language)
    if source.enabled is False:
        table.add("enabled", False)
    for key, value in (("rights", source.rights), ("rules", source.rules)):
        if value:
            inline = tomlkit.inline_table()
            inline.update(dict(value))
            table.add(key, inline)
    table.add(tomlkit.nl())
    return table


def _write(path: Path, doc: Any) -> Config:
    """Validate the edited document as a configuration, then replace the file atomically."""
    text = tomlkit.dumps(doc)
    config = config_from_dict(tomllib.loads(text), path, missing_secrets="note")
    replace_file(path, text.encode("utf-8"), mode=path.stat().st_mode & 0o7777)
    return config


def add_sources(path: Path, new: Sequence[NewSource]) -> Config:
    """Append ``[[source]]`` tables for ``new`` (validated together; nothing written on error)."""
    if not new:
        return config_from_dict(tomllib.loads(path.read_text(encoding="utf-8")), path, missing_secrets="note")
    doc = _read(path)
    aot = _sources(doc)
    if len(aot) and not aot[-1].as_string().endswith("\n\n"):
        aot[-1].add(tomlkit.nl())  # a blank line between the last table and the new ones
    for source in new:
        aot.append(_table(source))
    return _write(path, doc)


def remove_source(path: Path, name: str) -> Config:
    """Delete the ``[[source]]`` table named ``name``."""
    doc = _read(path)
    aot = doc.get("source")
    index = next((i for i, t in enumerate(aot or []) if t.get("name") == name), None)
    if aot is None or index is None:
        raise ConfigError(f"{path}: no source named {name!r}")
    del aot[index]
    return _write(path, doc)
