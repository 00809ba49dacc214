"""geo.store.storefilter: the store's SQL filter keeps exactly the rows the same filter keeps
on a loaded frame, on both back ends."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from geo.schema import normalise_dtypes
from geo.store.core import Store
from geo.store.storefilter import StoreFilter


def _incidents(n: int = 60) -> pd.DataFrame:
    rng = np.random.default_rng(3)
    lat = rng.uniform(29, 37, n).round(4)
    lon = rng.uniform(61, 74, n).round(4)
    lat[::9] = np.nan  # some without coordinates
    lon[::9] = np.nan
    dates = pd.Series(pd.date_range("2023-01-01", periods=n, freq="11D"))
    dates[::7] = pd.NaT  # and some without a date
    return normalise_dtypes(
        pd.DataFrame(
            {
                "incident_id": [f"I{i:03d}" for i in range(n)],
                "event_date": dates,
                "country_code": rng.choice(["AFG", "PAK", None], n),
                "admin1_code": rng.choice(["AF-KAB", "PK-KP", "PK-BA", None], n),
                "latitude": lat,
                "longitude": lon,
                "location": [f"Invented {i}" for i in range(n)],
                "source": ["Synthetic"] * n,
            }
        )
    )


FILTERS = [
    StoreFilter(),
    StoreFilter(date_from=dt.date(2023, 6, 1)),
    StoreFilter(date_to=dt.date(2023, 12, 31)),
    StoreFilter(date_from=dt.date(2023, 3, 1), date_to=dt.date(2024, 1, 1)),
    StoreFilter(countries=("PAK",)),
    StoreFilter(countries=("AFG", "PAK"), admin1=("PK-KP", "AF-KAB")),
    StoreFilter(bbox=(65.0, 31.0, 71.5, 35.0)),
    StoreFilter(bbox=(61.0, 29.0, 74.0, 37.0), countries=("AFG",)),
    StoreFilter(date_from=dt.date(2030, 1, 1)),  # keeps nothing
]


@pytest.fixture
def filled(store_url: str) -> tuple[Store, pd.DataFrame]:
    store = Store(store_url, seed=False)
    store.commit(_incidents(), file="f.csv", sha256="0", fmt="native")
    return store, store.incidents()


@pytest.mark.parametrize("where", FILTERS, ids=repr)
def test_sql_filter_equals_the_filter_on_the_loaded_frame(filled, where: StoreFilter) -> None:
    store, everything = filled
    expected = where.apply(everything)
    got = store.incidents(where)
    pd.testing.assert_frame_equal(got, expected, check_exact=True)
    if where != StoreFilter(date_from=dt.date(2030, 1, 1)):
        assert len(got) > 0


def test_bbox_edges_are_inside(store_url: str) -> None:
    store = Store(store_url, seed=False)
    frame = _incidents(3).assign(latitude=[30.0, 30.5, 31.0], longitude=[65.0, 65.5, 66.0])
    store.commit(frame, file="f.csv", sha256="0", fmt="native")
    got = store.incidents(StoreFilter(bbox=(65.0, 30.0, 65.5, 30.5)))
    assert got["incident_id"].tolist() == ["I000", "I001"]


def test_a_bbox_must_be_west_south_east_north() -> None:
    with pytest.raises(ValueError, match="west"):
        StoreFilter(bbox=(70.0, 30.0, 60.0, 35.0))
    assert StoreFilter(countries=["AFG"]).countries == ("AFG",)  # lists become tuples
    assert StoreFilter().empty and not StoreFilter(admin1=("PK-KP",)).empty


def test_upload_ids_keep_the_rows_those_uploads_stored(store_url: str) -> None:
    store = Store(store_url, seed=False)
    first = store.commit(_incidents(20), file="a.csv", sha256="a", fmt="native").upload_id
    later = _incidents(30).iloc[15:].assign(location="changed")  # 5 replace rows of the first
    second = store.commit(later, file="b.csv", sha256="b", fmt="native").upload_id
    everything = store.incidents()
    for ids in [(second,), (first,), (first, second), ("no-such-upload",)]:
        where = StoreFilter(upload_ids=ids)
        pd.testing.assert_frame_equal(store.incidents(where), where.apply(everything))
    assert len(store.incidents(StoreFilter(upload_ids=(second,)))) == 15
    assert len(store.incidents(StoreFilter(upload_ids=(first,)))) == 15
