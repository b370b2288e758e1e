"""Desk users: resolving their passwords when the desk is served, and checking a login.

A user's password comes from ``password`` (``${VAR}`` read from the environment now, not when
the configuration was loaded, so commands that do not serve never need it), ``password_file``
(relative paths start from the configuration's folder) or ``password_hash`` (argon2). A user
whose password cannot be resolved is left out, with one warning line naming what is missing;
a secret never appears in a message.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from syndicate import redact
from syndicate.config import Config, DeskUserConfig

log = logging.getLogger("syndicate.desk")
_ENV_REF = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
_hasher = PasswordHasher()
# verified when the user name is unknown, so a wrong name costs as much time as a wrong password
_DUMMY_HASH = _hasher.hash("not a password of anyone")


@dataclass(frozen=True, slots=True)
class User:
    name: str
    role: str  # "editor" | "viewer"
    secret: str  # the plain password, or an argon2 hash when hashed
    hashed: bool

    @property
    def can_change(self) -> bool:
        return self.role == "editor"

    def verify(self, password: str) -> bool:
        if self.hashed:
            return _argon2_ok(self.secret, password)
        given = hashlib.sha256(password.encode()).digest()
        return hmac.compare_digest(given, hashlib.sha256(self.secret.encode()).digest())


def _argon2_ok(hashed: str, password: str) -> bool:
    try:
        return _hasher.verify(hashed, password)
    except (VerificationError, InvalidHashError):
        return False


class UnresolvedPassword(ValueError):
    """A desk user's password could not be read (variable unset, file missing)."""


def resolve_password(user: DeskUserConfig, base_dir: Path, environ: Mapping[str, str]) -> tuple[str, bool]:
    """(secret, hashed) of one configured user."""
    if user.password_hash:
        return user.password_hash, True
    if user.password_file:
        path = (base_dir / _expand(user.password_file, environ)).resolve()
        try:
            secret = path.read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise UnresolvedPassword(f"password_file {path}: {exc.strerror}") from None
    else:
        secret = _expand(user.password or "", environ)
    if not secret:
        raise UnresolvedPassword("the password is empty")
    redact.register(secret)
    return secret, False


def _expand(value: str, environ: Mapping[str, str]) -> str:
    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in environ:
            raise UnresolvedPassword(f"environment variable {name} is not set")
        return environ[name]

    return _ENV_REF.sub(replace, value)


def desk_users(config: Config, environ: Mapping[str, str] | None = None) -> dict[str, User]:
    """The users who can log in, by name (those whose password cannot be resolved are left out, with a warning)."""
    if config.desk is None:
        return {}
    environ = os.environ if environ is None else environ
    users: dict[str, User] = {}
    for index, user in enumerate(config.desk.user):
        try:
            secret, hashed = resolve_password(user, config.base_dir, environ)
        except UnresolvedPassword as exc:
            log.warning("%s: desk.user[%d] (%s): %s; this user cannot log in", config.path, index, user.name, exc)
            continue
        users[user.name] = User(name=user.name, role=user.role, secret=secret, hashed=hashed)
    return users


def check_login(users: Mapping[str, User], name: str, password: str) -> User | None:
    """The user when ``name`` and ``password`` match, else None (in about the same time either way)."""
    user = users.get(name)
    if user is None:
        _argon2_ok(_DUMMY_HASH, password)
        return None
    return user if user.verify(password) else None
