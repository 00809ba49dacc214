"""The column layouts Incident Atlas reads: provider exports and hand-made sheets.

Tables only, no logic: :mod:`geo.ingest.formats` uses them to detect a file's format
and propose its column mapping, and the README lists them. Header names are
compared after :func:`geo.ingest.formats.normalise_header` (lower case, punctuation
and spaces as ``_``), so ``EVENT_ID_CNTY``, ``event_id_cnty`` and
``Event Id Cnty`` are one name.

Layouts
-------
ACLED
    The current export (``event_id_cnty`` … ``fatalities``, ``timestamp``,
    ``iso``/``iso3``, ``disorder_type``, ``civilian_targeting``, ``tags``),
    older ones (``data_id``, ``event_id_no_cnty``) and the version 6 layout of
    2016 and before (upper-case names, ``GWNO``, ``ALLY_ACTOR_1``), whose event
    types are translated (:data:`ACLED_OLD_TYPES`).
UCDP GED
    ``best``/``low``/``high`` or the download's ``best_est``/``low_est``/
    ``high_est``; ``deaths_a``/``deaths_b``/``deaths_civilians``/
    ``deaths_unknown`` become a casualty note (and the killed count where the
    file has no best estimate); ``date_start`` with ``date_end``.
GTD
    All 135 columns or any reduced set holding ``eventid`` and the date parts.
Native
    The canonical names and the synonyms of :data:`NATIVE_SYNONYMS`, including
    what people type in their own sheets (Date, City, Province, Killed, Died,
    Comments, References) and Min/Max pairs (:data:`RANGE_STEMS`).
"""

from __future__ import annotations

import re

__all__ = [
    "ACLED",
    "ACLED_OLD_TYPES",
    "COUNTRY_ALIASES",
    "FALLBACKS",
    "GTD",
    "LAYOUTS",
    "MULTI_SOURCE",
    "NATIVE_SYNONYMS",
    "RANGE_STEMS",
    "SIGNATURES",
    "UCDP",
    "UCDP_DEATHS",
    "normalise_header",
]

ACLED: dict[str, str] = {
    "event_id_cnty": "incident_id",
    "event_date": "event_date",
    "year": "year",
    "time_precision": "date_precision",
    "event_type": "event_type",
    "sub_event_type": "sub_event_type",
    "actor1": "actor1",
    "actor2": "actor2",
    "country": "country",
    "iso3": "country_code",
    "admin1": "admin1",
    "admin2": "admin2",
    "location": "location",
    "latitude": "latitude",
    "longitude": "longitude",
    "geo_precision": "geo_precision",
    "source": "source",
    "notes": "notes",
    "fatalities": "killed",
}

#: ACLED event types before the 2019 revision → (event type, sub-event type or None).
#: "Riots/Protests" is not split: it stays as written (with a warning) because the
#: old type does not say which of the two it was.
ACLED_OLD_TYPES: dict[str, tuple[str, str | None]] = {
    "battle-no change of territory": ("Battles", "Armed clash"),
    "battle-non-state actor overtakes territory": (
        "Battles",
        "Non-state actor overtakes territory",
    ),
    "battle-government regains territory": ("Battles", "Government regains territory"),
    "remote violence": ("Explosions/Remote violence", None),
    "strategic development": ("Strategic developments", None),
    "headquarters or base established": (
        "Strategic developments",
        "Headquarters or base established",
    ),
    "non-violent transfer of territory": (
        "Strategic developments",
        "Non-violent transfer of territory",
    ),
}

UCDP: dict[str, str] = {
    "id": "incident_id",
    "date_start": "event_date",
    "date_end": "date_end",
    "year": "year",
    "date_prec": "date_precision",
    "type_of_violence": "event_type",
    "side_a": "actor1",
    "side_b": "actor2",
    "country": "country",
    "adm_1": "admin1",
    "adm_2": "admin2",
    "where_coordinates": "location",
    "latitude": "latitude",
    "longitude": "longitude",
    "where_prec": "geo_precision",
    "best": "killed",
    "best_est": "killed",
    "low": "killed_low",
    "low_est": "killed_low",
    "high": "killed_high",
    "high_est": "killed_high",
    "source_article": "source",
    "source_headline": "notes",
    "deaths_a": "casualty_note",
    "deaths_b": "casualty_note",
    "deaths_civilians": "casualty_note",
    "deaths_unknown": "casualty_note",
}

#: UCDP's deaths by side, in the order and words of the casualty note.
UCDP_DEATHS: dict[str, str] = {
    "deaths_a": "side A",
    "deaths_b": "side B",
    "deaths_civilians": "civilians",
    "deaths_unknown": "unknown",
}

GTD: dict[str, str] = {
    "eventid": "incident_id",
    "iyear": "event_date",
    "imonth": "event_date",
    "iday": "event_date",
    "country_txt": "country",
    "provstate": "admin1",
    "city": "location",
    "latitude": "latitude",
    "longitude": "longitude",
    "specificity": "geo_precision",
    "attacktype1_txt": "sub_event_type",
    "targtype1_txt": "actor2",
    "gname": "actor1",
    "nkill": "killed",
    "nwound": "injured",
    "summary": "notes",
    "scite1": "source",
}

#: Native header synonyms (after normalisation) → canonical column.
NATIVE_SYNONYMS: dict[str, str] = {
    "id": "incident_id",
    "event_id": "incident_id",
    "incident": "incident_id",
    "date": "event_date",
    "incident_date": "event_date",
    "event_day": "event_date",
    "time": "event_time",
    "time_of_day": "event_time",
    "event_time": "event_time",
    "lat": "latitude",
    "y": "latitude",
    "lng": "longitude",
    "lon": "longitude",
    "long": "longitude",
    "x": "longitude",
    "fatalities": "killed",
    "deaths": "killed",
    "dead": "killed",
    "died": "killed",
    "killed_total": "killed",
    "total_killed": "killed",
    "total_died": "killed",
    "total_dead": "killed",
    "total_deaths": "killed",
    "no_killed": "killed",
    "number_killed": "killed",
    "wounded": "injured",
    "injuries": "injured",
    "casualties_injured": "injured",
    "total_injured": "injured",
    "total_wounded": "injured",
    "number_injured": "injured",
    "place": "location",
    "city": "location",
    "town": "location",
    "village": "location",
    "place_name": "location",
    "site": "location",
    "province": "admin1",
    "state": "admin1",
    "district": "admin2",
    "agency": "admin2",
    "iso3": "country_code",
    "type": "event_type",
    "sub_type": "sub_event_type",
    "subtype": "sub_event_type",
    "perpetrator": "actor1",
    "actor_1": "actor1",
    "target": "actor2",
    "actor_2": "actor2",
    "claimed": "claimed_by",
    "claim": "claimed_by",
    "sources": "source",
    "url": "source_ref",
    "link": "source_ref",
    "reference": "source_ref",
    "references": "source_ref",
    "note": "notes",
    "comment": "notes",
    "comments": "notes",
    "description": "notes",
    "summary": "notes",
    "remarks": "notes",
}

#: Second choices, used only when the canonical column is still free after the first
#: pass: a sheet with both "Location" and "City" keeps the city as the district (the
#: drone sheets write the tribal agency there); an ACLED file with ``iso3`` ignores the
#: numeric ``iso``.
FALLBACKS: dict[str, dict[str, str]] = {
    "acled": {"iso": "country_code"},
    "ucdp": {},
    "gtd": {},
    "native": {"city": "admin2", "town": "admin2", "county": "admin2"},
}

#: Stems of Min/Max column pairs (``Total Died Min``/``Total Died Max``,
#: ``Injured Min``/``Injured Max``) → (low column, high column).
RANGE_STEMS: dict[str, tuple[str, str]] = {
    **dict.fromkeys(
        (
            "killed",
            "died",
            "dead",
            "deaths",
            "fatalities",
            "total_killed",
            "total_died",
            "total_dead",
            "total_deaths",
            "total_fatalities",
        ),
        ("killed_low", "killed_high"),
    ),
    **dict.fromkeys(
        ("injured", "wounded", "injuries", "total_injured", "total_wounded"),
        ("injured_low", "injured_high"),
    ),
}

#: Canonical columns that one format fills from several file columns together.
MULTI_SOURCE: dict[str, set[str]] = {
    "gtd": {"event_date"},
    "ucdp": {"casualty_note"},
    "acled": set(),
    "native": set(),
}

LAYOUTS: dict[str, dict[str, str]] = {"acled": ACLED, "ucdp": UCDP, "gtd": GTD, "native": {}}

#: Header name sets that identify each provider (any one set suffices).
SIGNATURES: dict[str, list[set[str]]] = {
    "acled": [{"event_id_cnty", "fatalities"}, {"event_id_cnty", "event_date"}],
    "ucdp": [
        {"id", "date_start", "best"},
        {"id", "date_start", "best_est"},
        {"date_start", "where_prec"},
    ],
    "gtd": [{"eventid", "iyear"}, {"iyear", "imonth", "iday", "nkill"}],
}

#: Country names in provider files that pycountry does not know (GTD's and ACLED's
#: spellings, and states that no longer exist, with their ISO 3166-3 codes).
COUNTRY_ALIASES: dict[str, str | None] = {
    "turkey": "TUR",
    "russia": "RUS",
    "macedonia": "MKD",
    "ivory coast": "CIV",
    "bosnia-herzegovina": "BIH",
    "democratic republic of the congo": "COD",
    "democratic republic of congo": "COD",
    "republic of the congo": "COG",
    "republic of congo": "COG",
    "people's republic of the congo": "COG",
    "west bank and gaza strip": "PSE",
    "palestine": "PSE",
    "kosovo": "XKX",
    "east timor": "TLS",
    "swaziland": "SWZ",
    "cape verde": "CPV",
    "brunei": "BRN",
    "micronesia": "FSM",
    "st. kitts and nevis": "KNA",
    "st. lucia": "LCA",
    "great britain": "GBR",
    "vatican city": "VAT",
    "macau": "MAC",
    "falkland islands": "FLK",
    "west germany (frg)": "DEU",
    "east germany (gdr)": "DDR",
    "soviet union": "SUN",
    "yugoslavia": "YUG",
    "czechoslovakia": "CSK",
    "zaire": "ZAR",
    "rhodesia": "RHO",
    "south vietnam": "VNM",
    "north yemen": "YEM",
    "south yemen": "YMD",
    "serbia-montenegro": "SCG",
    "international": None,
}


def normalise_header(name: str) -> str:
    """Lower-case a header name and reduce punctuation and spaces to ``_``.

    ``"Event Date"``, ``"event-date"`` and ``" EVENT_DATE "`` all become
    ``"event_date"``; a trailing unit in brackets is dropped (``"Lat (deg)"``).
    """
    text = re.sub(r"\(.*?\)|\[.*?\]", " ", str(name).replace("\ufeff", "")).strip().lower()
    return re.sub(r"[^0-9a-z]+", "_", text).strip("_")
