"""Targets register themselves here by type name; nothing dispatches on a central if-chain."""

from __future__ import annotations

import importlib
import pkgutil
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from syndicate.targets.base import Target

_REGISTRY: dict[str, type[Target]] = {}
_loaded = False


def register(cls: type[Target]) -> type[Target]:
    """Class decorator: make a target type available to the configuration."""
    _REGISTRY[cls.type_name] = cls
    return cls


def _load_all() -> None:
    global _loaded
    if _loaded:
        return
    import syndicate.targets as package

    for module in pkgutil.iter_modules(package.__path__):
        if module.name not in ("base", "registry", "http"):
            importlib.import_module(f"syndicate.targets.{module.name}")
    _loaded = True


def target_class(type_name: str) -> type[Target]:
    _load_all()
    try:
        return _REGISTRY[type_name]
    except KeyError:
        known = ", ".join(sorted(_REGISTRY)) or "none"
        raise KeyError(f"unknown target type {type_name!r} (known: {known})") from None


def target_types() -> list[str]:
    _load_all()
    return sorted(_REGISTRY)
