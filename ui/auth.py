"""Sign-in for the app: who is using it, the sign-in form, and the page guard.

Off by default (``make run``): everyone is :data:`geo.store.auth.LOCAL`, one local
user with every right, and the sidebar says so. ``ATLAS_AUTH=required``, or an
``[auth]`` section in ``.streamlit/secrets.toml`` (an OIDC provider for
``st.login``), turns it on: nothing is drawn until the user signs in, with a
local account (:mod:`geo.store.users`) or through the provider. The role of an OIDC
user comes from :func:`geo.store.auth.role_from_claims`.

The checks that matter are in the store (:mod:`geo.store.auth`); the navigation
and :func:`guard` only keep a user from pages they cannot use.
"""

from __future__ import annotations

import os
import time

import streamlit as st

from geo.store import users
from geo.store.auth import LOCAL, Action, NotAllowed, User, can, role_from_claims
from ui import cache

__all__ = ["actor", "current_user", "enabled", "gate", "guard", "sidebar"]

_KEY = "atlas_user"
_AT = "atlas_signed_in_at"
_MESSAGE = "atlas_auth_message"


def _oidc_configured() -> bool:
    try:
        return "auth" in st.secrets
    except (FileNotFoundError, st.errors.StreamlitSecretNotFoundError):
        return False


def enabled() -> bool:
    """Whether sign-in is on (``ATLAS_AUTH=required`` or an OIDC provider configured)."""
    return os.environ.get("ATLAS_AUTH", "").strip().lower() == "required" or _oidc_configured()


def _session_hours() -> float:
    return float(os.environ.get("ATLAS_SESSION_HOURS", "8"))


def current_user() -> User | None:
    """The signed-in user; :data:`geo.store.auth.LOCAL` when sign-in is off; None when nobody
    is signed in (or the session expired)."""
    if not enabled():
        return LOCAL
    ss = st.session_state
    user = ss.get(_KEY)
    if user is not None:
        if time.time() - ss.get(_AT, 0) > _session_hours() * 3600:
            _forget("Your session expired; sign in again.")
            return None
        return user
    if _oidc_configured() and st.user.is_logged_in:
        claims = dict(st.user.to_dict())
        user = User(
            str(claims.get("email") or claims.get("sub")),
            role_from_claims(
                claims, os.environ.get("ATLAS_ROLE_CLAIM"), os.environ.get("ATLAS_ROLE_MAP")
            ),
        )
        ss[_KEY], ss[_AT] = user, time.time()
        return user
    return None


def _forget(message: str | None = None) -> None:
    ss = st.session_state
    ss.pop(_KEY, None)
    ss.pop(_AT, None)
    if message:
        ss[_MESSAGE] = message


def _sign_in_local() -> None:
    ss = st.session_state
    try:
        user = users.authenticate(
            cache.get_store(), ss.get("signin_name", ""), ss.get("signin_password", "")
        )
    except users.BadCredentials:
        ss[_MESSAGE] = "Wrong user name or password."
        return
    ss[_KEY], ss[_AT] = user, time.time()
    ss.pop(_MESSAGE, None)


def _sign_out() -> None:
    _forget("Signed out.")
    if _oidc_configured() and st.user.is_logged_in:
        st.logout()


def gate() -> User:
    """The acting user; when sign-in is on and nobody is signed in, draw the sign-in
    form and stop the run (no page and no data are drawn)."""
    user = current_user()
    if user is not None:
        return user
    st.title("Incident Atlas: sign in")
    if _MESSAGE in st.session_state:
        st.warning(st.session_state[_MESSAGE])
    with st.form("signin"):
        st.text_input("User name", key="signin_name")
        st.text_input("Password", type="password", key="signin_password")
        st.form_submit_button("Sign in", on_click=_sign_in_local)
    if _oidc_configured() and st.button("Sign in with your organisation"):
        st.login()
    st.stop()
    raise AssertionError("unreachable")  # st.stop raises


def sidebar(user: User) -> None:
    """One line saying who is signed in (or that this is the local single-user mode)."""
    if not enabled():
        st.caption("Local mode: one local user with all rights (no sign-in).")
        return
    st.text(f"Signed in as {user.name} ({user.role.value})")  # plain text: no markdown
    st.button("Sign out", key="signout", on_click=_sign_out)


def guard(action: Action) -> User:
    """Stop a page the current user may not use, with a "not allowed" message."""
    user = gate()
    if not can(user, action):
        st.error(f"Not allowed: {user.name} ({user.role.value}) may not {action.value}.")
        st.stop()
    return user


def actor() -> User:
    """The acting user for a write callback; raises when nobody is signed in."""
    user = current_user()
    if user is None:
        raise NotAllowed("nobody is signed in; nothing was changed")
    return user
