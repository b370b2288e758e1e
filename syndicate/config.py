"""Loading and validating ``syndicate.toml``.

The file is parsed with :mod:`tomllib`, ``${VAR}`` references are filled in from
the environment, ``*_file`` keys are read from their files, and the result is
validated by pydantic models that forbid unknown keys. Every problem becomes a
one-line :class:`~syndicate.errors.ConfigError` naming the file, the key and
what is wrong. Values that came from the environment or a secret file are
registered with :mod:`syndicate.redact` so they never reach a log or an output.
"""

from __future__ import annotations

import fnmatch
import logging
import os
import re
import tomllib
from pathlib import Path
from typing import Any, Literal, NamedTuple

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, field_validator, model_validator

from syndicate import redact
from syndicate.errors import ConfigError

DEFAULT_CONFIG = Path("config/syndicate.toml")
FeedFormat = Literal["atom", "rss", "json"]
FEED_FORMATS: tuple[FeedFormat, ...] = ("atom", "rss", "json")
DEFAULT_INTERVAL = 30 * 60
DEFAULT_MAX_BYTES = 10 * 1024 * 1024

_DURATION = re.compile(r"(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)")
_UNITS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(b|k|kb|kib|m|mb|mib|g|gb|gib)?\s*$", re.I)
_SIZE_UNITS = {
    None: 1,
    "b": 1,
    "k": 1024,
    "kb": 1000,
    "kib": 1024,
    "m": 1024**2,
    "mb": 1000**2,
    "mib": 1024**2,
    "g": 1024**3,
    "gb": 1000**3,
    "gib": 1024**3,
}
_ENV_REF = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]*$")
# desk passwords are resolved when the desk is served (syndicate.desk.accounts), not at load
_DEFERRED_KEY = re.compile(r"^desk\.user\[\d+\]( \([^)]*\))?\.password(_file)?$")  # item keys may carry the name


def parse_duration(value: str | int | float) -> float:
    """``"1h30m"`` → 5400.0 seconds. Plain numbers are seconds."""
    if isinstance(value, bool):
        raise ValueError('expected a duration such as "30m"')
    if isinstance(value, (int, float)):
        if value < 0:
            raise ValueError("a duration cannot be negative")
        return float(value)
    text = value.strip().lower()
    pos, total = 0, 0.0
    for match in _DURATION.finditer(text):
        if text[pos : match.start()].strip():
            break
        total += float(match.group(1)) * _UNITS[match.group(2)]
        pos = match.end()
    if pos == 0 or text[pos:].strip():
        raise ValueError(f'{value!r} is not a duration (use e.g. "45s", "30m", "1h30m", "2d")')
    return total


def parse_size(value: str | int) -> int:
    """``"10MiB"`` → 10485760 bytes. Plain numbers are bytes."""
    if isinstance(value, bool):
        raise ValueError('expected a size such as "10MiB"')
    if isinstance(value, int):
        if value <= 0:
            raise ValueError("a size must be positive")
        return value
    match = _SIZE.match(value)
    if not match:
        raise ValueError(f'{value!r} is not a size (use e.g. "512KiB", "10MiB")')
    unit = match.group(2).lower() if match.group(2) else None
    return int(float(match.group(1)) * _SIZE_UNITS[unit])


# the keys holding durations: in the file each needs a unit ("30m"); a bare number is refused
SETTINGS_DURATIONS = ("interval", "connect_timeout", "read_timeout", "deadline", "max_backoff", "tombstone_ttl")
SOURCE_DURATIONS = ("interval",)


def _refuse_bare_numbers(raw: dict[str, Any], file: Path) -> None:
    """``interval = 30`` is ambiguous (seconds? minutes?): the file must say, e.g. ``"30s"`` or ``"30m"``."""
    sections: list[tuple[str, Any, tuple[str, ...]]] = [("syndicate", raw.get("syndicate"), SETTINGS_DURATIONS)]
    sources = raw.get("source")
    if isinstance(sources, list):
        for index, source in enumerate(sources):
            name = source.get("name") if isinstance(source, dict) else None
            sections.append((f"source[{index}]" + (f" ({name})" if name else ""), source, SOURCE_DURATIONS))
    for where, table, keys in sections:
        if not isinstance(table, dict):
            continue
        for key in keys:
            value = table.get(key)
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                number = f"{value:g}"
                raise ConfigError(f'{file}: {where}.{key}: {number} has no unit: write "{number}s" or "{number}m"')


class MissingSecret(NamedTuple):
    key: str  # e.g. "target[0] (hook).secret"
    variable: str  # e.g. "HOOK_SECRET"

    def describe(self) -> str:
        return f"{self.key}: environment variable {self.variable} is not set"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


def _check_name(value: str) -> str:
    if not _NAME.match(value):
        raise ValueError(f"{value!r} is not a valid name (lower-case letters, digits, '.', '_', '-')")
    return value


def _duration_field(value: Any) -> float:
    return parse_duration(value)


class RightsConfig(_Model):
    """Terms agreed with a source; they override what its articles say."""

    license: str | None = None
    license_url: str | None = None
    holder: str | None = None
    statement: str | None = None
    conditions: list[
        Literal[
            "attribution", "link-to-original", "noncommercial", "no-derivatives", "share-alike", "permission-required"
        ]
    ] = Field(default_factory=list)


def _check_recognizers(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``[[recognizer]]`` rows: the built-in rows' fields, each pattern compiled and matching its example."""
    from syndicate.attribution.recognizers import RowError, rows_from_config

    try:
        rows_from_config(rows)
    except RowError as exc:
        raise ValueError(str(exc)) from None
    return rows


class SourceRules(_Model):
    """Per-source clean-up rules, applied before the built-in recognizers."""

    drop_selectors: list[str] = Field(default_factory=list)  # CSS selectors of elements to remove
    drop_patterns: list[str] = Field(default_factory=list)  # regexes; a paragraph matching one is removed
    # recognizer rows for this source's notices (the top-level [[recognizer]] rows are added to every source's)
    recognizers: list[dict[str, Any]] = Field(default_factory=list)

    _recognizers = field_validator("recognizers")(_check_recognizers)

    @field_validator("drop_patterns")
    @classmethod
    def _patterns_compile(cls, value: list[str]) -> list[str]:
        for pattern in value:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ValueError(f"bad regular expression {pattern!r}: {exc}") from None
        return value


class SourceConfig(_Model):
    name: str
    url: str
    interval: float | None = None
    publisher: str | None = None
    rights: RightsConfig | None = None
    tags: list[str] = Field(default_factory=list)
    language: str | None = None
    enabled: bool = True
    rules: SourceRules = Field(default_factory=SourceRules)
    headers: dict[str, str] = Field(default_factory=dict)  # extra request headers (e.g. auth)

    _name = field_validator("name")(_check_name)

    @field_validator("interval", mode="before")
    @classmethod
    def _interval(cls, value: Any) -> float | None:
        return None if value is None else parse_duration(value)

    @field_validator("url")
    @classmethod
    def _url(cls, value: str) -> str:
        if not value:
            raise ValueError("must not be empty")
        if "://" in value and not value.startswith(("http://", "https://", "file://")):
            raise ValueError(f"{value!r}: only http(s) URLs and local file paths are supported")
        return value

    @property
    def is_file(self) -> bool:
        return not self.url.startswith(("http://", "https://"))


class OutputConfig(_Model):
    name: str
    title: str | None = None
    subtitle: str | None = None
    icon: str | None = None
    link: str | None = None  # the site these feeds belong to
    formats: list[FeedFormat] = Field(default_factory=lambda: list(FEED_FORMATS))
    sources: list[str] = Field(default_factory=lambda: ["*"])
    tags: list[str] = Field(default_factory=list)
    authors: list[str] = Field(default_factory=list)
    languages: list[str] = Field(default_factory=list)
    limit: int = Field(default=50, ge=1, le=10000)
    per_source: bool = False  # also one output per matching source: NAME-SOURCE
    base_url: str | None = None  # defaults to [syndicate].base_url
    hubs: list[str] | None = None  # defaults to [syndicate].hubs
    archive: bool = False  # RFC 5005 archive documents beyond `limit`
    # full text only where the terms allow it ("allowed"), always (the operator answers for it) or never
    full_text: Literal["allowed", "always", "never"] = "allowed"
    stylesheet: bool = True  # Atom/RSS link assets/feed.xsl: a browser shows a readable page

    _name = field_validator("name")(_check_name)

    def matches_source(self, source: str) -> bool:
        return any(fnmatch.fnmatchcase(source, pattern) for pattern in self.sources)


class ArticleFilter(_Model):
    """``include`` / ``exclude`` of a target: tags (categories), authors, words in the title."""

    tags: list[str] = Field(default_factory=list)
    categories: list[str] = Field(default_factory=list)  # stored as tags: the same test
    authors: list[str] = Field(default_factory=list)
    title_words: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _not_empty(self) -> ArticleFilter:
        values = [*self.tags, *self.categories, *self.authors, *self.title_words]
        if not values:
            raise ValueError("give at least one of tags, categories, authors, title_words")
        if any(not value.strip() for value in values):
            raise ValueError("an empty string matches nothing")
        return self


class TargetConfig(_Model):
    """Common keys of every ``[[target]]``; the rest is the target type's own options."""

    model_config = ConfigDict(extra="allow", frozen=True, str_strip_whitespace=True)

    name: str
    type: str
    sources: list[str] = Field(default_factory=lambda: ["*"])
    enabled: bool = True
    commercial: bool = False
    on_unknown_rights: Literal["allow", "hold"] = "allow"
    backfill: int = Field(default=0, ge=0)
    max_per_hour: int | None = Field(default=None, ge=1)
    delete: bool = False  # propagate withdrawals at the source
    template: str | None = None  # Jinja2 text of the attribution block
    template_file: str | None = None
    status: Literal["publish", "draft"] = "publish"
    include: ArticleFilter | None = None  # only articles matching one of these (crosspost/filters.py)
    exclude: ArticleFilter | None = None  # never articles matching one of these

    _name = field_validator("name")(_check_name)

    @property
    def options(self) -> dict[str, Any]:
        """The type-specific keys (validated by the target's own model at load)."""
        return dict(self.model_extra or {})

    def matches_source(self, source: str) -> bool:
        return any(fnmatch.fnmatchcase(source, pattern) for pattern in self.sources)


class ServeConfig(_Model):
    host: str = "127.0.0.1"
    port: int = Field(default=8080, ge=0, le=65535)
    from_database: bool = False  # serve the rendered documents stored in the database (stateless instances)


class DeskUserConfig(_Model):
    """One ``[[desk.user]]``. ``password`` may hold ``${VAR}`` and ``password_file`` a path: both are
    read only when the desk is served, so other commands run without them."""

    name: str
    role: Literal["editor", "viewer"] = "viewer"
    password: str | None = None
    password_file: str | None = None
    password_hash: str | None = None  # an argon2 hash: "$argon2id$..."

    @model_validator(mode="after")
    def _one_password(self) -> DeskUserConfig:
        given = [k for k in ("password", "password_file", "password_hash") if getattr(self, k)]
        if len(given) != 1:
            raise ValueError(f"desk user {self.name!r}: give exactly one of password, password_file, password_hash")
        if self.password_hash and not self.password_hash.startswith("$argon2"):
            raise ValueError(f"desk user {self.name!r}: password_hash must be an argon2 hash ($argon2id$...)")
        return self


class DeskConfig(_Model):
    """``[desk]``: the editor's desk at ``/desk/`` (docs/desk.md)."""

    user: list[DeskUserConfig] = Field(default_factory=list)
    listen: str | None = None  # "host:port": the desk and /metrics there, not beside the public feeds
    session_ttl: float = 12 * 3600.0
    session_secret: str | None = None  # signs session cookies; default: a random key per process
    secure_cookies: Literal["auto", "always", "never"] = "auto"  # auto: Secure when the request came over https

    @field_validator("session_ttl", mode="before")
    @classmethod
    def _ttl(cls, value: Any) -> float:
        return parse_duration(value)

    @field_validator("listen")
    @classmethod
    def _listen(cls, value: str | None) -> str | None:
        if value is not None:
            host, _, port = value.rpartition(":")
            if not host or not port.isdigit() or not 0 <= int(port) <= 65535:
                raise ValueError(f'{value!r} is not "host:port" (e.g. "127.0.0.1:8081")')
        return value

    @model_validator(mode="after")
    def _unique_users(self) -> DeskConfig:
        names = [u.name for u in self.user]
        if len(names) != len(set(names)):
            raise ValueError("desk user names must be unique")
        return self


class Settings(_Model):
    title: str | None = None  # the site's name on the served index page (default: "Feeds from HOST")
    feeds_dir: str = "feeds"
    base_url: str = "http://localhost:8080/"
    database: str = "sqlite:///syndicate.db"
    executor: Literal["local", "celery"] = "local"
    broker: str | None = None
    interval: float = DEFAULT_INTERVAL
    jitter: float = 0.1  # fraction of the interval each schedule is shifted by, at random
    user_agent: str | None = None
    connect_timeout: float = 10.0
    read_timeout: float = 30.0
    deadline: float = 60.0  # total time one fetch may take, retries included
    max_bytes: int = DEFAULT_MAX_BYTES
    fetch_workers: int = Field(default=8, ge=1, le=256)
    per_host: int = Field(default=2, ge=1, le=64)
    process_workers: int = Field(default=0, ge=0, le=256)  # 0: one per core; 1: in-process
    max_failures: int = Field(default=10, ge=1)  # consecutive failures before a source is suspended
    max_backoff: float = 24 * 3600.0
    allow_private_networks: bool = False
    hubs: list[str] = Field(default_factory=list)  # WebSub hubs the outputs advertise
    tombstone_ttl: float = 7 * 86400.0
    log_format: Literal["text", "json"] = "text"
    websub_callback: str | None = None  # public URL of this daemon's /websub/ callback
    serve: ServeConfig = Field(default_factory=ServeConfig)

    @field_validator(*SETTINGS_DURATIONS, mode="before")
    @classmethod
    def _durations(cls, value: Any) -> float:
        return parse_duration(value)

    @field_validator("max_bytes", mode="before")
    @classmethod
    def _size(cls, value: Any) -> int:
        return parse_size(value)

    @field_validator("jitter", mode="before")
    @classmethod
    def _jitter(cls, value: Any) -> float:
        if isinstance(value, str) and value.strip().endswith("%"):
            value = float(value.strip()[:-1]) / 100
        if not isinstance(value, (int, float)) or not 0 <= value <= 1:
            raise ValueError('jitter is a fraction of the interval between 0 and 1 (or a percentage such as "10%")')
        return float(value)

    @model_validator(mode="after")
    def _celery_needs_broker(self) -> Settings:
        if self.executor == "celery" and not self.broker:
            raise ValueError('executor = "celery" needs a broker (e.g. broker = "redis://127.0.0.1:6379/0")')
        return self


class Config(_Model):
    syndicate: Settings = Field(default_factory=Settings)
    source: list[SourceConfig] = Field(default_factory=list)
    output: list[OutputConfig] = Field(default_factory=list)
    target: list[TargetConfig] = Field(default_factory=list)
    desk: DeskConfig | None = None
    # operators' own notice phrasings, in the built-in rows' format (docs/attribution-real-text.md)
    recognizer: list[dict[str, Any]] = Field(default_factory=list)

    _recognizer = field_validator("recognizer")(_check_recognizers)

    # where the file was (not a TOML key)
    path: Path = Field(default=Path("syndicate.toml"), exclude=True)
    # ``${VAR}`` references left unfilled (loaded with missing_secrets="note")
    _missing_secrets: tuple[MissingSecret, ...] = PrivateAttr(default=())

    @property
    def missing_secrets(self) -> tuple[MissingSecret, ...]:
        """The secrets not in the environment (empty: none)."""
        return self._missing_secrets

    def require_secrets(self) -> None:
        """Refuse to go on when a secret is missing: for the commands that send."""
        if self._missing_secrets:
            raise ConfigError(f"{self.path}: {self._missing_secrets[0].describe()}")

    @model_validator(mode="after")
    def _recognizers_to_sources(self) -> Config:
        """Every source reads the configured [[recognizer]] rows after its own."""
        if self.recognizer:
            for index, source in enumerate(self.source):
                rules = source.rules.model_copy(update={"recognizers": [*source.rules.recognizers, *self.recognizer]})
                self.source[index] = source.model_copy(update={"rules": rules})
        return self

    @model_validator(mode="after")
    def _unique_names(self) -> Config:
        for section in ("source", "output", "target"):
            seen: set[str] = set()
            for index, item in enumerate(getattr(self, section)):
                if item.name in seen:
                    raise _KeyError(f"{section}[{index}].name", f"duplicate {section} name {item.name!r}")
                seen.add(item.name)
        return self

    # -- derived paths ---------------------------------------------------

    @property
    def base_dir(self) -> Path:
        return self.path.resolve().parent

    @property
    def feeds_dir(self) -> Path:
        return (self.base_dir / self.syndicate.feeds_dir).resolve()

    @property
    def database_url(self) -> str:
        """The SQLAlchemy URL, relative SQLite paths resolved against the config's folder."""
        url = self.syndicate.database
        prefix = "sqlite:///"
        if url.startswith(prefix) and not url.startswith("sqlite:////") and url != "sqlite:///:memory:":
            return prefix + str((self.base_dir / url[len(prefix) :]).resolve())
        return url

    def source_path(self, source: SourceConfig) -> Path:
        """A file source's path (relative paths start from the config's folder)."""
        raw = source.url[len("file://") :] if source.url.startswith("file://") else source.url
        return (self.base_dir / raw).resolve()

    def source_by_name(self, name: str) -> SourceConfig:
        for source in self.source:
            if source.name == name:
                return source
        raise ConfigError(f"{self.path}: no source named {name!r}")

    def interval_for(self, source: SourceConfig) -> float:
        return source.interval if source.interval is not None else self.syndicate.interval


class _KeyError(ValueError):
    """A validation error that knows the key it is about."""

    def __init__(self, key: str, message: str):
        super().__init__(message)
        self.key = key
        self.message = message


# --------------------------------------------------------------------------
# loading
# --------------------------------------------------------------------------


def config_path(explicit: str | os.PathLike[str] | None = None) -> Path:
    if explicit:
        return Path(explicit)
    env = os.environ.get("SYNDICATE_CONFIG")
    return Path(env) if env else DEFAULT_CONFIG


MissingSecrets = Literal["refuse", "note"]


def load_config(
    path: str | os.PathLike[str] | None = None,
    *,
    environ: dict[str, str] | None = None,
    missing_secrets: MissingSecrets = "refuse",
) -> Config:
    """Read, interpolate and validate a configuration file.

    ``missing_secrets="note"``: an unset ``${VAR}`` is left as written and listed in
    :attr:`Config.missing_secrets` (for the commands that send nothing); the default refuses.
    """
    file = config_path(path)
    environ = dict(os.environ) if environ is None else environ
    try:
        text = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{file}: no such configuration file (pass --config or set SYNDICATE_CONFIG)") from None
    except OSError as exc:
        raise ConfigError(f"{file}: cannot read: {exc.strerror}") from None
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{file}: not valid TOML: {exc}") from None
    return config_from_dict(raw, file, environ=environ, missing_secrets=missing_secrets)


def config_from_dict(
    raw: dict[str, Any],
    file: Path,
    *,
    environ: dict[str, str] | None = None,
    missing_secrets: MissingSecrets = "refuse",
) -> Config:
    environ = dict(os.environ) if environ is None else environ
    _refuse_bare_numbers(raw, file)
    secrets: list[str] = []
    missing: list[MissingSecret] | None = [] if missing_secrets == "note" else None
    data = _interpolate(raw, file, environ, secrets, base=file.resolve().parent, key="", missing=missing)
    for secret in secrets:
        redact.register(secret)
    try:
        config = Config.model_validate({**data, "path": file})
    except ValidationError as exc:
        raise ConfigError(_describe(file, exc, data)) from None
    _validate_targets(config, file)
    config._missing_secrets = tuple(missing or ())
    return config


def _item_key(key: str, index: int, item: Any) -> str:
    """``target[0] (hook)``: a table in a list is named by its index and its ``name``."""
    name = item.get("name") if isinstance(item, dict) else None
    return f"{key}[{index}]" + (f" ({name})" if isinstance(name, str) and name else "")


def _interpolate(
    value: Any,
    file: Path,
    environ: dict[str, str],
    secrets: list[str],
    *,
    base: Path,
    key: str,
    missing: list[MissingSecret] | None = None,
) -> Any:
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for k, v in value.items():
            sub = f"{key}.{k}" if key else k
            if _DEFERRED_KEY.match(sub):
                out[k] = v
                continue
            if k.endswith("_file") and isinstance(v, str) and k not in ("template_file",):
                target_key = k[: -len("_file")]
                if target_key in value:
                    raise ConfigError(f"{file}: {sub}: give either {target_key} or {k}, not both")
                secret_path = (base / _expand(v, file, environ, secrets, sub, missing)).resolve()
                try:
                    secret = secret_path.read_text(encoding="utf-8").strip()
                except OSError as exc:
                    raise ConfigError(f"{file}: {sub}: cannot read {secret_path}: {exc.strerror}") from None
                secrets.append(secret)
                _warn_if_world_readable(secret_path, file, sub)
                out[target_key] = secret
                continue
            out[k] = _interpolate(v, file, environ, secrets, base=base, key=sub, missing=missing)
        return out
    if isinstance(value, list):
        return [
            _interpolate(v, file, environ, secrets, base=base, key=_item_key(key, i, v), missing=missing)
            for i, v in enumerate(value)
        ]
    if isinstance(value, str):
        return _expand(value, file, environ, secrets, key, missing)
    return value


def _expand(
    value: str,
    file: Path,
    environ: dict[str, str],
    secrets: list[str],
    key: str,
    missing: list[MissingSecret] | None = None,
) -> str:
    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in environ and missing is not None:
            missing.append(MissingSecret(key, name))
            return match.group(0)  # left as written: nothing is sent with it (require_secrets)
        if name not in environ:
            raise ConfigError(f"{file}: {MissingSecret(key, name).describe()}")
        secrets.append(environ[name])
        return environ[name]

    return _ENV_REF.sub(replace, value)


def _describe(file: Path, exc: ValidationError, data: dict[str, Any]) -> str:
    """The first validation error as ``FILE: key: problem``, with sections named by their ``name``."""
    error = exc.errors()[0]
    ctx_error = (error.get("ctx") or {}).get("error")
    if isinstance(ctx_error, _KeyError):
        return f"{file}: {ctx_error.key}: {ctx_error.message}"
    parts: list[str] = []
    node: Any = data
    for loc in error["loc"]:
        if isinstance(loc, int):
            name = node[loc].get("name") if isinstance(node, list) and isinstance(node[loc], dict) else None
            parts[-1] = f"{parts[-1]}[{loc}]" + (f" ({name})" if name else "")
            node = node[loc] if isinstance(node, list) and loc < len(node) else None
        else:
            parts.append(str(loc))
            node = node.get(loc) if isinstance(node, dict) else None
    key = ".".join(parts) or "(top level)"
    kind = error["type"]
    if kind == "extra_forbidden":
        problem = "unknown key (is it a typo?)"
    elif kind == "missing":
        problem = "missing required key"
    else:
        problem = error["msg"].removeprefix("Value error, ")
    return f"{file}: {key}: {problem}"


def _validate_targets(config: Config, file: Path) -> None:
    from syndicate.targets.registry import target_class  # late: targets import config types

    for index, target in enumerate(config.target):
        where = f"target[{index}] ({target.name})"
        try:
            cls = target_class(target.type)
        except KeyError as exc:
            raise ConfigError(f"{file}: {where}.type: {exc.args[0]}") from None
        try:
            cls.Options.model_validate(target.options)
        except ValidationError as exc:
            error = exc.errors()[0]
            key = ".".join(str(p) for p in error["loc"])
            problem = "unknown key (is it a typo?)" if error["type"] == "extra_forbidden" else error["msg"]
            if error["type"] == "missing":
                problem = "missing required key"
            raise ConfigError(f"{file}: {where}.{key}: {problem.removeprefix('Value error, ')}") from None
        if target.template_file:
            template_path = file.resolve().parent / target.template_file
            if not template_path.is_file():
                raise ConfigError(f"{file}: {where}.template_file: no such file {template_path}")


def _warn_if_world_readable(secret_path: Path, file: Path, key: str) -> None:
    """Secret files should be private to their owner; say so once when they are not."""
    try:
        mode = secret_path.stat().st_mode
    except OSError:
        return
    if mode & 0o077:
        logging.getLogger("syndicate.config").warning(
            "%s: %s: %s is readable by other users; chmod 600 it", file, key, secret_path
        )
