"""geo.views.palette: one set of colours for the deck, the snapshots and the charts."""

from __future__ import annotations

import numpy as np

from geo.schema import CLAIM_STANCES, EVENT_TYPES
from geo.views import palette


def test_every_event_type_and_stance_has_a_colour():
    assert set(palette.EVENT_COLOURS) == set(EVENT_TYPES)
    assert list(palette.STANCE_COLOURS) == list(CLAIM_STANCES)


def test_rgb_and_hex_are_the_same_colours():
    for name, hex_colour in palette.EVENT_COLOURS.items():
        assert "#{:02X}{:02X}{:02X}".format(*palette.EVENT_RGB[name]) == hex_colour.upper()
    assert palette.BORDER_RGB == (0x7F, 0x1D, 0x1D) and palette.OTHER_RGB == (0x66,) * 3


def test_unknown_is_grey_never_the_colour_of_a_number():
    r, g, b = (int(palette.UNKNOWN_COLOUR[i : i + 2], 16) for i in (1, 3, 5))
    assert r == g == b
    assert palette.UNKNOWN_COLOUR.upper() != palette.KILLED_COLOUR.upper()


def test_sequential_scale_runs_light_to_dark():
    colours = palette.seq_colour(np.linspace(0, 1, 6), alpha=200)
    assert [c[:3] for c in colours] == palette.SEQUENTIAL_RGB.tolist()
    assert all(c[3] == 200 for c in colours)
    brightness = [sum(c[:3]) for c in colours]
    assert brightness == sorted(brightness, reverse=True)


def test_log_scale_of_counts():
    assert palette.log_frac([0, 0]).tolist() == [0.0, 0.0]
    frac = palette.log_frac([1, 10, 100])
    assert frac[-1] == 1.0 and 0 < frac[0] < frac[1] < 1
    assert palette.log_frac([]).tolist() == []
