"""The systemd units that ship in config/: what an operator copies to /etc/systemd/system."""

from __future__ import annotations

import configparser
import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
UNITS = sorted((REPO / "config").glob("*.service"))
DOCS_URL = "https://github.com/syndicate-feeds/syndicate/blob/main/"


def _unit(path: Path) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read_string(path.read_text())
    return parser


def test_units_are_found() -> None:
    assert {u.name for u in UNITS} >= {"syndicate.service", "syndicate-serve.service",
                                       "syndicate-scheduler.service", "syndicate-worker@.service"}


@pytest.mark.parametrize("unit", UNITS, ids=lambda p: p.name)
def test_documentation_points_at_a_page_that_exists(unit: Path) -> None:
    """Mutation killed: `Documentation=file:///opt/syndicate/docs/…`, a path pip never installs."""
    documentation = _unit(unit)["Unit"]["Documentation"]
    assert documentation.startswith(DOCS_URL), documentation
    assert (REPO / documentation.removeprefix(DOCS_URL)).is_file(), documentation


@pytest.mark.parametrize("unit", UNITS, ids=lambda p: p.name)
def test_nothing_listens_on_every_address(unit: Path) -> None:
    """Mutation killed: `serve --host 0.0.0.0`, which exposes /metrics (and the desk) to the world."""
    exec_start = _unit(unit)["Service"]["ExecStart"]
    assert not re.search(r"--host\s+(0\.0\.0\.0|::)\b", exec_start), exec_start


def test_the_scheduler_serves_the_websub_callback() -> None:
    """Mutation killed: the scheduler unit without `--serve`, which leaves WebSub callbacks nowhere to land."""
    exec_start = _unit(REPO / "config" / "syndicate-scheduler.service")["Service"]["ExecStart"]
    assert re.search(r"\brun\b.*--serve\b", exec_start), exec_start
