"""The W3C Feed Validation Service's own checker, run locally from ``../shared/tools/validate-feed``.

It exists where ``../shared`` does (CI). Elsewhere the tests that need it skip with the reason;
with ``CI=true`` a missing validator (or a missing lxml/html5lib/rdflib) is a failure, not a skip.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers.cli import REPO

VALIDATOR = REPO.parent / "shared" / "tools" / "validate-feed"
NEEDS = ("lxml", "html5lib", "rdflib")
# the one warning a file gives that the same feed served at its self URL does not
FILE_ONLY = "Self reference doesn't match document location"


def validator() -> Path:
    """The validator's path, or skip (fail under CI=true) saying what is missing."""
    problem = None
    if not VALIDATOR.is_file():
        problem = f"{VALIDATOR} is absent (../shared is there in CI)"
    else:
        missing = [name for name in NEEDS if importlib.util.find_spec(name) is None]
        if missing:
            problem = f"the W3C feed validator needs {', '.join(missing)} (pip install -e '.[test]')"
    if problem is None:
        return VALIDATOR
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI=true and {problem}")
    pytest.skip(problem)


def problems(*targets: str) -> list[str]:
    """Every error and warning the W3C validator reports for files or URLs, one line each,
    each prefixed with the document it is about."""
    result = subprocess.run(
        [sys.executable, str(validator()), *targets], capture_output=True, text=True, timeout=300, cwd=REPO
    )
    found, current = [], ""
    for line in result.stdout.splitlines():
        if line.startswith("  "):
            found.append(f"{current}: {line.strip()}")
        elif line.strip():
            current = line.split(": ", 1)[0]
    if result.returncode not in (0, 1) or (result.returncode == 1 and not found):
        raise AssertionError(f"validate-feed failed: {result.stdout}{result.stderr}")
    return found
