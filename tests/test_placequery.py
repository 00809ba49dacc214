"""Free-text locations read into the names to look up (geo.places.placequery)."""

from __future__ import annotations

import pytest

from geo.places.placequery import PlaceQuery, place_queries


def names(text: str) -> list[str]:
    return [q.name for q in place_queries(text)]


def test_the_text_as_written_comes_first_and_is_not_qualified() -> None:
    first = place_queries("Bazar-e Panjvai")[0]
    assert first == PlaceQuery("Bazar-e Panjvai")
    assert first.qualified is False and first.offset_km is None


@pytest.mark.parametrize(
    ("text", "name", "note"),
    [
        ("Near Wana", "Wana", "near"),
        ("near wana", "wana", "near"),
        ("Outskirts of Khar", "Khar", "outskirts of"),
        ("Mir Ali (Near Afghan Border)", "Mir Ali", "with a qualifier in parentheses"),
        ("village in Wana", "Wana", "in or near"),
        ("Shawal area", "Shawal", "area"),
        ("Mir Ali Tehsil", "Mir Ali", "tehsil"),
        ("Kurram Agency", "Kurram", "agency"),
    ],
)
def test_qualifiers_are_stripped_and_mark_the_query(text: str, name: str, note: str) -> None:
    [query] = [q for q in place_queries(text) if q.name == name]
    assert query.qualified is True
    assert query.note == note


def test_a_qualifier_only_parenthesis_is_not_a_place() -> None:
    assert names("Mir Ali (Near Afghan Border)") == ["Mir Ali (Near Afghan Border)", "Mir Ali"]


def test_a_parenthesis_naming_places_adds_them_after_the_main_text() -> None:
    got = names("Shawal Valley/Datta Khel(Karwanda /Lawra Mandi area)")
    assert got.index("Datta Khel") < got.index("Karwanda") < got.index("Lawra Mandi")


@pytest.mark.parametrize(
    "text", ["Damadola Village", "Damadola village", "Damadola town", "Damadola Bazaar"]
)
def test_settlement_words_do_not_lower_the_precision(text: str) -> None:
    [query] = [q for q in place_queries(text) if q.name == "Damadola"]
    assert query.qualified is False


@pytest.mark.parametrize(
    ("text", "specific", "larger"),
    [
        ("Haisori- Miran Shah", "Haisori", "Miran Shah"),
        ("Tapai-Miranshah", "Tapai", "Miranshah"),
        ("Sara Khwa, Kurram agency", "Sara Khwa", "Kurram"),
        ("Hisukhel Area of Mir Ali", "Hisukhel", "Mir Ali"),
        ("Inzarkas in Datta Khel", "Inzarkas", "Datta Khel"),
        ("Mosaki village-near Mir Ali", "Mosaki", "Mir Ali"),
    ],
)
def test_compounds_give_the_specific_place_then_the_larger_one(
    text: str, specific: str, larger: str
) -> None:
    queries = {q.name: q for q in place_queries(text)}
    got = list(queries)
    assert got.index(specific) < got.index(larger)
    assert queries[larger].qualified is True


@pytest.mark.parametrize(
    "text", ["Bazar-e Panjvai", "Kan-e Ezzat", "Deh-e Now", "Qala-i-Naw", "Sar-e Pul"]
)
def test_the_linking_vowel_of_persian_names_is_not_a_separator(text: str) -> None:
    assert names(text) == [text]


@pytest.mark.parametrize(
    ("text", "anchor", "km", "bearing"),
    [
        ("Tappi village- 15 km east of Miranshah", "Miranshah", 15.0, 90.0),
        ("Khushali Turkhel Village- 35km East of Miranshah", "Miranshah", 35.0, 90.0),
        ("Shna Khora- 5km West of Miranshah", "Miranshah", 5.0, 270.0),
        ("Dandey Darpakhel Area- five kilometres (three miles) north of Miranshah", "Miranshah",
         5.0, 0.0),
        ("Shawal Area- 50km Southwest of Miranshah", "Miranshah", 50.0, 225.0),
        ("Nargas- a village some 30 kilometres west of Wana- the main town", "Wana", 30.0, 270.0),
        ("Dargah Mandi village 10 kilometres (six miles) west of the main town of Miramshah",
         "Miramshah", 10.0, 270.0),
    ],
)  # fmt: skip
def test_distance_and_direction_from_a_place(
    text: str, anchor: str, km: float, bearing: float
) -> None:
    [query] = [q for q in place_queries(text) if q.offset_km is not None]
    assert (query.name, query.offset_km, query.bearing_deg) == (anchor, km, bearing)
    assert query.qualified is True
    assert "km" in query.note


def test_a_distance_without_a_direction_is_near_the_place_only() -> None:
    [query] = [q for q in place_queries("Spin Kai 10 km from Wana") if q.name == "Wana"]
    assert query.qualified is True and query.offset_km is None


def test_the_specific_place_of_a_distance_phrase_is_tried_first() -> None:
    got = names("Saidgai village- 115km north of Wana")
    assert got[1:] == ["Saidgai", "Wana"]


@pytest.mark.parametrize("text", ["", "   ", "-", "()", "¾"])
def test_empty_or_symbol_only_text_gives_nothing(text: str) -> None:
    assert place_queries(text) == ()


def test_noise_words_alone_are_never_a_name() -> None:
    assert "A house" not in names("A house in the Datta Khel area")
    assert "village" not in names("village in Wana")
