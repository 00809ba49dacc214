"""One typed view of a browser session's state, instead of string keys scattered about.

``st.session_state`` is a dict of strings; :class:`Session` names what the app
keeps there, with types, so a page or a callback writes ``session().filters``
and never spells a key. Each attribute is a :class:`_Key`: reading an unset
one gives its default, deleting it forgets it.

The storage keys stay what they were (``"filters"``, ``"w_<filter>"``), so
tests may still set ``at.session_state["filters"]`` directly.
"""

from __future__ import annotations

from collections.abc import Mapping, MutableMapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Generic, Literal, TypeVar

import streamlit as st

from geo.views.filters import Filters

__all__ = ["Playback", "Session", "session"]

T = TypeVar("T")
Reroute = Literal["asked", "standalone"]


class _Key(Generic[T]):
    """A typed attribute stored in the session under ``key``."""

    def __init__(self, key: str, default: T) -> None:
        self.key, self.default = key, default

    def __get__(self, obj: Session | None, owner: type) -> T:
        if obj is None:
            return self  # type: ignore[return-value]
        return obj.state.get(self.key, self.default)

    def __set__(self, obj: Session, value: T) -> None:
        obj.state[self.key] = value

    def __delete__(self, obj: Session) -> None:
        obj.state.pop(self.key, None)


@dataclass(frozen=True)
class Playback:
    """A map stepping through time: which map, when (``time.time()``) it last stepped, and
    whether a run has drawn that step yet (the pause before the next counts from then)."""

    map_key: str
    stepped_at: float
    drawn: bool = False


class Session:
    """What one browser session keeps between runs.

    Parameters
    ----------
    state : MutableMapping, optional
        ``st.session_state`` (the default) or a plain dict in a test.
    """

    #: The shared filters in force (``None`` until the URL has been read).
    filters: _Key[Filters | None] = _Key("filters", None)
    #: The URL values the filters left out when the session began (named in a warning).
    url_dropped: _Key[tuple[str, ...]] = _Key("url_dropped", ())
    #: First and last event date in the store, per date-range widget (for its callback).
    date_bounds: _Key[Mapping[str, tuple[Any, Any]]] = _Key("w_date_bounds", MappingProxyType({}))
    #: Where :func:`ui.frame.ensure_frame` is in re-running a page through app.py.
    reroute: _Key[Reroute | None] = _Key("frame_reroute", None)
    #: The view each map was last set to (a geo.views.mapview.MapView per map key).
    map_views: _Key[Mapping[str, Any]] = _Key("map_views", MappingProxyType({}))
    #: The map whose time window is playing, and when it last stepped.
    playback: _Key[Playback | None] = _Key("map_playback", None)
    #: Claims uploads committed so far (a new uploader key after each, so it empties).
    claims_round: _Key[int] = _Key("claims_round", 0)
    #: The last claims commit, shown once: (upload id, statements added, rows rejected).
    claims_result: _Key[tuple[str, int, int] | None] = _Key("claims_result", None)
    #: Why the last claims commit or check stored nothing, shown once.
    claims_refused: _Key[str | None] = _Key("claims_refused", None)
    #: The statement form's last check (a geo.ingest.claims.PreparedClaims).
    claims_checked: _Key[Any | None] = _Key("claims_form_checked", None)

    def __init__(self, state: MutableMapping[str, Any] | None = None) -> None:
        self.state: MutableMapping[str, Any] = st.session_state if state is None else state

    @staticmethod
    def widget_key(filter_name: str) -> str:
        """The key of the sidebar widget of a filter (``w_countries``)."""
        return f"w_{filter_name}"

    def widget(self, filter_name: str) -> Any:
        """The value the sidebar widget of a filter holds (``None`` before it is drawn)."""
        return self.state.get(self.widget_key(filter_name))

    def set_widget(self, filter_name: str, value: Any) -> None:
        """Set what the sidebar widget of a filter shows (before it is drawn)."""
        self.state[self.widget_key(filter_name)] = value


def session() -> Session:
    """This browser session's state."""
    return Session()
