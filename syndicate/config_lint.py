"""What ``syndicate check`` finds beyond a file that loads: mistakes that would only show at sync.

Errors: a source URL with no scheme that is no local file (``council.example/feed``), a name
in an output's or a target's ``sources`` that no source has. Warnings: a glob there that
matches no source, a secret that is not in the environment. Pure, apart from looking at the
file system for local sources.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from syndicate.config import Config, OutputConfig, TargetConfig

_SCHEMES = ("http://", "https://", "file://")
_GLOB = re.compile(r"[*?\[]")
_HOST_LIKE = re.compile(r"^(www\.)?[a-z0-9-]+(\.[a-z0-9-]+)+(:\d+)?(/|$)", re.I)


@dataclass(frozen=True, slots=True)
class Finding:
    level: Literal["error", "warning"]
    key: str  # e.g. "source[2] (council).url"
    message: str

    def line(self, config: Config) -> str:
        return f"syndicate: {self.level}: {config.path}: {self.key}: {self.message}"


def url_problem(config: Config, url: str) -> str | None:
    """Why ``url`` cannot be a source (None: it can): no scheme, and no local file either."""
    if url.startswith(_SCHEMES) or (config.base_dir / url).exists():
        return None
    hint = f'; did you mean "https://{url}"?' if _HOST_LIKE.match(url) else ""
    return f"{url!r} has no scheme (http:// or https://) and is no local file{hint}"


def lint(config: Config) -> list[Finding]:
    findings: list[Finding] = []
    names = [source.name for source in config.source]
    for index, source in enumerate(config.source):
        problem = url_problem(config, source.url)
        if problem:
            findings.append(Finding("error", f"source[{index}] ({source.name}).url", problem))
    sections: tuple[tuple[str, Sequence[OutputConfig | TargetConfig]], ...] = (
        ("output", config.output),
        ("target", config.target),
    )
    for section, items in sections:
        for index, item in enumerate(items):
            key = f"{section}[{index}] ({item.name}).sources"
            for pattern in item.sources:
                if _GLOB.search(pattern):
                    if names and not any(fnmatch.fnmatchcase(name, pattern) for name in names):
                        findings.append(Finding("warning", key, f"{pattern!r} matches no source"))
                elif pattern not in names:
                    findings.append(Finding("error", key, f"no source named {pattern!r}"))
    for missing in config.missing_secrets:
        message = f"environment variable {missing.variable} is not set (sync and run refuse to send)"
        findings.append(Finding("warning", missing.key, message))
    return findings
