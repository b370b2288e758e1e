"""The bench farm's documents, generated in memory (bench/feedfarm.py is deterministic)."""

from __future__ import annotations

import importlib.util
import sys
from functools import lru_cache
from pathlib import Path
from types import ModuleType

FEEDFARM = Path(__file__).resolve().parents[2] / "bench" / "feedfarm.py"


@lru_cache(maxsize=1)
def feedfarm() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_feedfarm", FEEDFARM)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("bench_feedfarm", module)
    spec.loader.exec_module(module)
    return module


def farm_documents(feeds: int = 40, entries: int = 10, seed: int = 1) -> list[tuple[int, str, bytes]]:
    """[(index, format, body)] of a farm's initial state: RSS 2.0, Atom and RDF mixed like the bench's."""
    return list(feedfarm().build_documents(feeds, entries, seed))
