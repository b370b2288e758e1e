"""Running the real ``syndicate`` command in a subprocess, as a user would."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]


def run_cli(
    *args: str, config: Path | None = None, env: dict[str, str] | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "syndicate", *args]
    if config is not None:
        command += ["--config", str(config)]
    environment = {**os.environ, "PYTHONPATH": str(REPO), **(env or {})}
    return subprocess.run(command, capture_output=True, text=True, timeout=timeout, env=environment, cwd=REPO)


def articles_json(config: Path, *extra: str) -> list[dict[str, Any]]:
    result = run_cli("articles", "--json", *extra, config=config)
    assert result.returncode == 0, result.stderr
    return [json.loads(line) for line in result.stdout.splitlines() if line.strip()]


def write_config(directory: Path, body: str, *, feeds_dir: str = "feeds", database: str = "syndicate.db") -> Path:
    path = directory / "syndicate.toml"
    header = f'[syndicate]\nfeeds_dir = "{feeds_dir}"\ndatabase = "sqlite:///{database}"\nbase_url = "http://localhost:8080/"\n'
    path.write_text(header + body, encoding="utf-8")
    return path
