"""Local accounts: a name, a role and an argon2id hash of the password, kept in the store.

Passwords are never stored or printed: :func:`add` keeps only the argon2
hash (argon2-cffi's defaults), :func:`authenticate` checks one against it.
The CLI (``python -m geo users add|remove|list``) reads a password from a
prompt or from standard input, never from an argument.
"""

from __future__ import annotations

import pandas as pd
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.engine import Connection

from geo.store import audit
from geo.store.auth import LOCAL, Action, Role, User, require
from geo.store.core import Store
from geo.store.storage import utc_now
from geo.store.transactions import run

__all__ = ["BadCredentials", "UserExists", "add", "authenticate", "listing", "remove"]

_HASHER = PasswordHasher()
#: Shortest password :func:`add` accepts.
MIN_PASSWORD = 8


class BadCredentials(ValueError):
    """Unknown name or wrong password (deliberately not saying which)."""


class UserExists(ValueError):
    """An account of that name exists already."""


def add(store: Store, name: str, role: Role | str, password: str, *, actor: User = LOCAL) -> User:
    """Create a local account (only an admin may).

    Raises
    ------
    UserExists
        The name is taken.
    ValueError
        The password is shorter than :data:`MIN_PASSWORD` or the role is unknown.
    geo.store.auth.NotAllowed
        ``actor`` may not manage users.
    """
    require(actor, Action.MANAGE_USERS)
    user = User(name.strip(), Role(role))
    if len(password) < MIN_PASSWORD:
        raise ValueError(f"a password needs at least {MIN_PASSWORD} characters")
    digest = _HASHER.hash(password)

    def write(conn: Connection) -> None:
        if _hash_of(conn, user.name) is not None:
            raise UserExists(f"a user named {user.name!r} exists already")
        run(
            conn,
            "INSERT INTO users (name, role, password_hash, created_at) VALUES (:n, :r, :h, :at)",
            n=user.name,
            r=user.role.value,
            h=digest,
            at=utc_now(),
        )
        audit.record(conn, actor, "user add", None, f"{user.name} ({user.role.value})")

    store._write(write)
    return user


def remove(store: Store, name: str, *, actor: User = LOCAL) -> bool:
    """Delete a local account; False when there was none of that name."""
    require(actor, Action.MANAGE_USERS)

    def write(conn: Connection) -> bool:
        gone = run(conn, "DELETE FROM users WHERE name = :n", n=name).rowcount > 0
        if gone:
            audit.record(conn, actor, "user remove", None, name)
        return gone

    return store._write(write)


def listing(store: Store) -> pd.DataFrame:
    """The accounts (``name``, ``role``, ``created_at``; never the hashes), by name."""
    rows = store._read(
        lambda c: run(c, "SELECT name, role, created_at FROM users ORDER BY name").fetchall()
    )
    return pd.DataFrame([tuple(r) for r in rows], columns=["name", "role", "created_at"])


def authenticate(store: Store, name: str, password: str) -> User:
    """The account's :class:`~geo.store.auth.User` when the password is right.

    Raises
    ------
    BadCredentials
        Unknown name or wrong password (the same message for both).
    """

    def read(conn: Connection) -> tuple[str, str] | None:
        row = run(
            conn, "SELECT role, password_hash FROM users WHERE name = :n", n=name.strip()
        ).first()
        return None if row is None else (row[0], row[1])

    found = store._read(read)
    if found is None:
        _HASHER.hash(password)  # about the same time as a wrong password
        raise BadCredentials("wrong user name or password")
    role, digest = found
    try:
        _HASHER.verify(digest, password)
    except (VerificationError, InvalidHashError):
        raise BadCredentials("wrong user name or password") from None
    return User(name.strip(), Role(role))


def _hash_of(conn: Connection, name: str) -> str | None:
    return run(conn, "SELECT password_hash FROM users WHERE name = :n", n=name).scalar()
