"""The frame every page runs in: the list of pages, and the check that a page ran inside it.

``app.py`` is the router and the frame: it calls ``st.navigation`` over
:data:`PAGES`, draws the shared sidebar, then runs the page inside
:func:`running`.

Why a page can run outside the frame: the pages live in a folder named
``pages/`` next to ``app.py``, and a Streamlit process that sees that folder
starts in its old multipage mode, in which it runs a page file on its own,
without ``app.py``. It leaves that mode for good the first time
``st.navigation`` is called in the process (Streamlit's own rule: calling
``st.navigation`` opts the app out of the ``pages/`` directory behaviour).
Normally ``app.py`` makes that call on the first request; but when the first
request after a start is a bookmarked ``/map``, Streamlit runs ``pages/map.py``
alone. :func:`ensure_frame`, which every page calls first, notices it is not
inside the frame, makes the ``st.navigation`` call itself and reruns: the
rerun goes through ``app.py`` to the same page. Only public Streamlit calls.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path

import streamlit as st

from geo.store.auth import Action, User, can
from ui.session import session

__all__ = ["PAGES", "PageSpec", "ensure_frame", "navigation", "running", "usable"]

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class PageSpec:
    """One page of the app (its URL path is the file's stem)."""

    path: str
    title: str
    icon: str
    default: bool = False
    #: What a user must be allowed to see the page in the navigation (None: everyone).
    needs: Action | None = None


PAGES: tuple[PageSpec, ...] = (
    PageSpec("pages/overview.py", "Overview", ":material/dashboard:", default=True),
    PageSpec("pages/map.py", "Map", ":material/map:"),
    PageSpec("pages/cross_border.py", "Cross-border", ":material/swap_horiz:"),
    PageSpec("pages/casualties.py", "Casualties", ":material/monitor_heart:"),
    PageSpec("pages/claims.py", "Claims", ":material/campaign:"),
    PageSpec("pages/data.py", "Data", ":material/upload_file:", needs=Action.UPLOAD),
    PageSpec("pages/export.py", "Export", ":material/download:"),
    PageSpec("pages/about.py", "About", ":material/info:"),
)

# Set while app.py runs a page: a page that finds it unset ran outside the frame.
_IN_FRAME: ContextVar[bool] = ContextVar("atlas_in_frame", default=False)


def _pages(user: User | None = None) -> list[st.Page]:
    # absolute paths: the same list works whichever script Streamlit took as the main one
    # a page the user may not use is hidden from the menu; its URL runs the page, whose
    # guard (ui.auth.guard) says "not allowed"
    return [
        st.Page(
            str(ROOT / p.path),
            title=p.title,
            icon=p.icon,
            default=p.default,
            visibility="visible" if usable(p, user) else "hidden",
        )
        for p in PAGES
    ]


def usable(spec: PageSpec, user: User | None) -> bool:
    """Whether ``user`` may use the page (None: no user known yet, every page listed)."""
    return user is None or spec.needs is None or can(user, spec.needs)


def navigation(user: User | None = None) -> st.Page:
    """``st.navigation`` over :data:`PAGES`, the pages ``user`` may not use hidden from
    the menu: the page this run should show (no menu while nobody is signed in)."""
    return st.navigation(_pages(user), position="sidebar" if user is not None else "hidden")


@contextmanager
def running() -> Iterator[None]:
    """Mark the code inside (the sidebar and the page) as running in the frame."""
    token = _IN_FRAME.set(True)
    try:
        yield
    finally:
        _IN_FRAME.reset(token)


def ensure_frame() -> None:
    """Rerun through app.py when Streamlit ran a page file on its own.

    The first time, it calls ``st.navigation`` (which ends Streamlit's old
    ``pages/`` mode for the process) and reruns, so the rerun goes through
    ``app.py``. Should the page come back outside the frame again, the page
    file is itself the app's main script (an AppTest of one page): it then
    runs as it is, and is never rerun in a loop.
    """
    s = session()
    if _IN_FRAME.get():
        if s.reroute is not None:
            del s.reroute
        return
    if s.reroute is not None:
        s.reroute = "standalone"
        return
    s.reroute = "asked"
    st.navigation(_pages(), position="hidden")
    st.rerun()
