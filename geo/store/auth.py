"""Who may do what: the three roles, the acting user and the checks the writes make.

Every write function of :mod:`geo` (:meth:`geo.store.core.Store.commit`, ``undo``,
``redo``, the ingest entry :func:`geo.ingest.pipeline.commit`) takes the acting
:class:`User` and calls the checks here *inside the store*, so a page that
forgot a check, or a widget event replayed by hand, still cannot write.

=========  ====================================================================
role       may
=========  ====================================================================
viewer     read everything; write nothing
analyst    read; upload; undo and redo the uploads they made themselves
admin      all of the analyst's rights on anyone's upload; undo the curated
           seed; manage the local accounts
=========  ====================================================================

With no sign-in configured (``make run``, no ``ATLAS_AUTH``) the app runs as
:data:`LOCAL`, one local user with every right; the app says so on screen.
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

__all__ = [
    "LOCAL",
    "PERMISSIONS",
    "Action",
    "NotAllowed",
    "Role",
    "User",
    "can",
    "require",
    "require_on_upload",
    "role_from_claims",
]


class Role(StrEnum):
    """A user's role (the permission table is :data:`PERMISSIONS`)."""

    VIEWER = "viewer"
    ANALYST = "analyst"
    ADMIN = "admin"


class Action(StrEnum):
    """Something a user may or may not do."""

    READ = "read"
    UPLOAD = "upload"
    UNDO_OWN = "undo own uploads"
    UNDO_ANY = "undo anyone's uploads"
    UNDO_SEED = "undo the curated seed"
    MANAGE_USERS = "manage users"


#: What each role may do.
PERMISSIONS: dict[Role, frozenset[Action]] = {
    Role.VIEWER: frozenset({Action.READ}),
    Role.ANALYST: frozenset({Action.READ, Action.UPLOAD, Action.UNDO_OWN}),
    Role.ADMIN: frozenset(Action),
}


class NotAllowed(PermissionError):
    """The acting user's role does not allow the write; nothing was changed."""


@dataclass(frozen=True)
class User:
    """The acting user: a name (as recorded in the history and audit) and a role."""

    name: str
    role: Role

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name.strip():
            raise ValueError("a user needs a name")
        object.__setattr__(self, "role", Role(self.role))


#: The embedded single-user mode: one local user with every right.
LOCAL = User("local", Role.ADMIN)


def can(user: User, action: Action) -> bool:
    """Whether ``user``'s role allows ``action``."""
    return action in PERMISSIONS[user.role]


def require(user: User, action: Action) -> None:
    """Raise :class:`NotAllowed` unless ``user`` may do ``action``.

    Raises
    ------
    NotAllowed
        With a message naming the user, the role and the action.
    """
    if not isinstance(user, User):
        raise NotAllowed(f"no signed-in user; {action.value} needs one")
    if not can(user, action):
        raise NotAllowed(
            f"{user.name} ({user.role.value}) may not {action.value}; nothing was changed"
        )


def require_on_upload(user: User, owner: str | None, *, seed: bool = False) -> None:
    """Raise :class:`NotAllowed` unless ``user`` may undo or redo an upload by ``owner``.

    Parameters
    ----------
    user : User
        The acting user.
    owner : str or None
        Who made the upload (``uploads.user``; None when not recorded).
    seed : bool
        The upload is the curated seed.
    """
    if seed:
        require(user, Action.UNDO_SEED)
        return
    if isinstance(user, User) and can(user, Action.UNDO_ANY):
        return
    require(user, Action.UNDO_OWN)
    if owner != user.name:
        raise NotAllowed(
            f"{user.name} ({user.role.value}) may undo or redo only their own uploads; "
            f"this one was made by {owner or 'an unrecorded user'}; nothing was changed"
        )


_RANK = [Role.VIEWER, Role.ANALYST, Role.ADMIN]


def role_from_claims(
    claims: Mapping[str, Any], claim: str | None = None, mapping_file: str | None = None
) -> Role:
    """The role of a user signed in through OIDC.

    Parameters
    ----------
    claims : mapping
        The identity token's claims (``st.user``).
    claim : str, optional
        The claim that holds the role or a list of roles (default ``"roles"``);
        the highest known role in it counts.
    mapping_file : str, optional
        A TOML or JSON file mapping e-mail addresses (or ``sub``) to roles; an
        entry there wins over the claim.

    Returns
    -------
    Role
        :attr:`Role.VIEWER` when neither names a known role: nobody writes by default.
    """
    if mapping_file:
        path = Path(mapping_file)
        text = path.read_text(encoding="utf-8")
        table = json.loads(text) if path.suffix == ".json" else tomllib.loads(text)
        for key in (claims.get("email"), claims.get("sub")):
            if key is not None and str(key) in table:
                return Role(str(table[str(key)]).lower())
    value = claims.get(claim or "roles")
    values = [value] if isinstance(value, str) else list(value or [])
    known = [Role(str(v).lower()) for v in values if str(v).lower() in set(Role)]
    return max(known, key=_RANK.index, default=Role.VIEWER)
