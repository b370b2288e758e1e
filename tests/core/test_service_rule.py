"""A missing service skips a test outside CI and fails it in CI; `.ci/run` stops when a service it must
start does not start (tests/helpers/services.py, .ci/run's "== services" block)."""

from __future__ import annotations

import subprocess
import textwrap
from pathlib import Path

import pytest

from tests.helpers.services import require_service

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("value", ["true", "1", "TRUE"])
def test_in_ci_a_missing_service_fails_the_test(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    """Mutation killed: ``require_service`` skipping whatever CI says (the issue's "CI stays green")."""
    monkeypatch.setenv("CI", value)
    with pytest.raises(pytest.fail.Exception, match=r"PostgreSQL is not available: port 5432 is closed.*CI=true"):
        require_service("PostgreSQL", "port 5432 is closed")


@pytest.mark.parametrize("value", [None, "", "false"])
def test_outside_ci_a_missing_service_skips_with_its_reason(monkeypatch: pytest.MonkeyPatch, value: str | None) -> None:
    """Mutation killed: ``require_service`` failing outside CI too (a fresh clone without services goes red)."""
    if value is None:
        monkeypatch.delenv("CI", raising=False)
    else:
        monkeypatch.setenv("CI", value)
    with pytest.raises(pytest.skip.Exception, match=r"^WordPress is not available: wordpress-up.sh failed$"):
        require_service("WordPress", "wordpress-up.sh failed")


def test_an_unknown_service_name_is_a_mistake_in_the_test() -> None:
    with pytest.raises(ValueError, match="unknown service 'Postgres'"):
        require_service("Postgres", "typo")


def _services_block() -> str:
    text = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    start, end = text.index('echo "== services"'), text.index('echo "== install"')
    return text[start:end]


def _stub(directory: Path, name: str, exit_code: int) -> None:
    path = directory / name
    path.write_text(f"#!/bin/sh\nexit {exit_code}\n", encoding="utf-8")
    path.chmod(0o755)


def _run_services_block(tmp_path: Path, stubs: dict[str, int]) -> subprocess.CompletedProcess[str]:
    """`.ci/run`'s service block on a PATH where each service command is a stub exiting as told."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for name, code in stubs.items():
        _stub(bin_dir, name, code)
    for tool in ("date", "sleep", "ls", "head", "mkdir"):  # the shell tools the block uses, nothing else
        found = subprocess.run(["sh", "-c", f"command -v {tool}"], capture_output=True, text=True).stdout.strip()
        (bin_dir / tool).symlink_to(found)
    script = "set -euo pipefail\n" + _services_block() + 'echo "services are up"\n'
    # shorter deadlines: a stub that fails once fails every time
    script = script.replace("wait_until 60 ", "wait_until 2 ").replace("wait_until 30 ", "wait_until 2 ")
    bash = subprocess.run(["sh", "-c", "command -v bash"], capture_output=True, text=True).stdout.strip()
    return subprocess.run([bash, "-c", script], capture_output=True, text=True, timeout=60,
                          env={"PATH": str(bin_dir), "HOME": str(tmp_path)})


def test_ci_stops_when_postgresql_does_not_start(tmp_path: Path) -> None:
    """Mutation killed: the old ``pg_ctlcluster … || echo "could not start PostgreSQL"`` (CI carried on)."""
    done = _run_services_block(tmp_path, {"pg_isready": 1, "pg_ctlcluster": 1, "redis-cli": 0, "redis-server": 0})
    assert done.returncode == 1
    assert "services are up" not in done.stdout
    assert "CI stops: could not start PostgreSQL" in done.stderr


def test_ci_stops_when_postgresql_starts_but_never_answers(tmp_path: Path) -> None:
    """Mutation killed: dropping the wait for ``pg_isready`` after the start command."""
    done = _run_services_block(tmp_path, {"pg_isready": 1, "pg_ctlcluster": 0, "redis-cli": 0, "redis-server": 0})
    assert done.returncode == 1
    assert "CI stops: PostgreSQL does not answer on 127.0.0.1:5432" in done.stderr


def test_ci_stops_when_redis_does_not_start(tmp_path: Path) -> None:
    """Mutation killed: the old ``redis-server … || echo "could not start Redis"``."""
    done = _run_services_block(tmp_path, {"pg_isready": 0, "pg_ctlcluster": 0, "redis-cli": 1, "redis-server": 1})
    assert done.returncode == 1
    assert "CI stops: could not start Redis" in done.stderr


def test_ci_stops_when_a_service_is_not_installed(tmp_path: Path) -> None:
    done = _run_services_block(tmp_path, {"redis-cli": 0, "redis-server": 0})
    assert done.returncode == 1
    assert "CI stops: PostgreSQL is not installed" in done.stderr


def test_the_rule_is_used_instead_of_bare_skips_for_services() -> None:
    """No test skips by itself for a missing service: the fixtures go through ``require_service``."""
    offenders = []
    for path in sorted((REPO / "tests").rglob("*.py")):
        if path == Path(__file__).resolve():
            continue
        text = path.read_text(encoding="utf-8")
        for line_no, line in enumerate(text.splitlines(), 1):
            if "pytest.skip(" in line and any(s in line for s in ("PostgreSQL", "Redis", "WordPress", "Ghost",
                                                                  "RabbitMQ", "wordpress-up", "ghost-up")):
                offenders.append(f"{path.relative_to(REPO)}:{line_no}")
    assert offenders == [], textwrap.shorten(" ".join(offenders), 300)
