"""Tests for geo.views.presence: presence states and corroborating incidents."""

import pandas as pd

from geo.views.presence import corroborating_incidents, explode_claims, presence_states


def _claims(rows):
    cols = ["claim_id", "statement_date", "stance", "groups", "territory_code"]
    return pd.DataFrame(rows, columns=cols + (["valid_to"] if len(rows[0]) > 5 else []))


CLAIMS = _claims(
    [
        ("C1", "2025-09-25", "asserts_presence", "ISIS-K;TTP", "AFG"),
        ("C2", "2025-09-27", "denies_presence", "IS-KP", "afg"),
        ("C3", "2024-01-10", "accuses", "Tehreek-e-Taliban Pakistan", "PK-BA"),
        ("C4", "2025-01-01", "unknown_stance", "ISKP", "AFG"),
        ("C5", "2025-02-01", "asserts_presence", "", "AFG"),
    ]
)


def _state(frame, terr, group):
    row = frame[(frame.territory_code == terr) & (frame.group == group)]
    assert len(row) == 1
    return row.iloc[0]


def test_contested_asserted_and_counts():
    out = presence_states(CLAIMS)
    iskp = _state(out, "AFG", "IS-KP")
    assert iskp.state == "contested"
    assert (iskp.n_assert, iskp.n_deny, iskp.n_statements) == (1, 1, 2)
    assert iskp.claim_ids == "C1;C2"
    assert _state(out, "AFG", "TTP").state == "asserted"
    assert _state(out, "PK-BA", "TTP").state == "asserted"
    # unknown stance and empty groups are not counted
    assert set(out.claim_ids.str.split(";").explode()) == {"C1", "C2", "C3"}


def test_period_filter():
    out = presence_states(CLAIMS, start="2025-09-26")
    assert _state(out, "AFG", "IS-KP").state == "denied"
    assert "TTP" not in set(out.group)


def test_as_of_excludes_later_and_expired():
    rows = _claims(
        [
            ("A", "2023-01-01", "asserts_presence", "ISKP", "AFG", "2023-12-31"),
            ("B", "2024-06-01", "denies_presence", "ISKP", "AFG", None),
        ]
    )
    assert _state(presence_states(rows, as_of="2023-06-01"), "AFG", "IS-KP").state == ("asserted")
    assert _state(presence_states(rows, as_of="2024-07-01"), "AFG", "IS-KP").state == "denied"
    assert presence_states(rows, as_of="2022-01-01").empty


def test_explode_uses_aliases():
    rows = explode_claims(CLAIMS)
    assert set(rows[rows.claim_id == "C1"].group) == {"IS-KP", "TTP"}


INCIDENTS = pd.DataFrame(
    [
        # in: AFG, ISKP by alias in claimed_by, 6 months before
        ("I1", "2025-03-25", "AFG", "AF-NAN", "Unknown", "Islamic State Khorasan Province"),
        # in: actor1 alias, 11 months after
        ("I2", "2026-08-20", "AFG", "AF-KAB", "ISKP", ""),
        # out: wrong group
        ("I3", "2025-05-01", "AFG", "AF-KAB", "TTP", ""),
        # out: wrong territory
        ("I4", "2025-05-01", "PAK", "PK-KP", "ISIS-K", ""),
        # out: 13 months and 5 days before
        ("I5", "2024-08-20", "AFG", "AF-KAB", "IS-KP", ""),
        # out: no date
        ("I6", None, "AFG", "AF-KAB", "IS-KP", ""),
    ],
    columns=["incident_id", "event_date", "country_code", "admin1_code", "actor1", "claimed_by"],
)


def test_corroboration_exactly_territory_window_group():
    claim = {"statement_date": "2025-09-25", "groups": "IS-KP", "territory_code": "AFG"}
    got = corroborating_incidents(claim, INCIDENTS)
    assert list(got.incident_id) == ["I1", "I2"]


def test_corroboration_window_width_and_province():
    claim = {"statement_date": "2025-09-25", "groups": "IS-KP", "territory_code": "AFG"}
    # I5 is 13 months and 5 days before the statement: out at 13, in at 14
    assert list(corroborating_incidents(claim, INCIDENTS, months=13).incident_id) == ["I1", "I2"]
    assert list(corroborating_incidents(claim, INCIDENTS, months=14).incident_id) == [
        "I1",
        "I2",
        "I5",
    ]
    prov = {"statement_date": "2025-05-01", "groups": "TTP;ISKP", "territory_code": "AF-KAB"}
    assert list(corroborating_incidents(prov, INCIDENTS).incident_id) == ["I3", "I5"]


def test_corroboration_in_the_stored_form_with_missing_codes_and_actors():
    # the app's incidents: text as categories (query.compact), with gaps where a row
    # has no province, no actor or no claimant; a categorical cannot be filled with ""
    from geo.views.query import compact

    gaps = pd.DataFrame(
        [
            ("I7", "2025-04-01", "AFG", None, None, "ISKP"),
            ("I8", "2025-04-02", None, None, "IS-KP", None),
            ("I9", "2025-04-03", "AFG", "AF-KAB", None, None),
        ],
        columns=INCIDENTS.columns,
    )
    plain = pd.concat([INCIDENTS, gaps], ignore_index=True)
    stored = compact(plain)
    assert isinstance(stored["admin1_code"].dtype, pd.CategoricalDtype)
    for claim in (
        {"statement_date": "2025-09-25", "groups": "IS-KP", "territory_code": "AFG"},
        {"statement_date": "2025-05-01", "groups": "TTP;ISKP", "territory_code": "af-kab"},
    ):
        want = list(corroborating_incidents(claim, plain).incident_id)
        assert list(corroborating_incidents(claim, stored).incident_id) == want
    assert want == ["I3", "I5"]
    afg = {"statement_date": "2025-09-25", "groups": "IS-KP", "territory_code": "AFG"}
    assert list(corroborating_incidents(afg, stored).incident_id) == ["I1", "I2", "I7"]


def test_corroboration_empty_without_group_or_date():
    base = {"statement_date": "2025-09-25", "groups": "IS-KP", "territory_code": "AFG"}
    assert corroborating_incidents({**base, "groups": ""}, INCIDENTS).empty
    assert corroborating_incidents({**base, "statement_date": ""}, INCIDENTS).empty


def test_seed_afghanistan_contested_for_iskp():
    from pathlib import Path

    path = Path(__file__).resolve().parents[1] / "data" / "claims.csv"
    seed = pd.read_csv(path, dtype=str, keep_default_na=False)
    iskp = _state(presence_states(seed), "AFG", "IS-KP")
    assert iskp.state == "contested"
    asserting = set(
        seed[seed.claim_id.isin(iskp.claim_ids.split(";"))]
        .query("stance == 'asserts_presence'")
        .claimant_country_code
    )
    assert {"PAK", "RUS", "IRN", "CHN", "UN"} <= asserting


def test_corroboration_table_only_assertions_and_exact_ids():
    from geo.views.presence import corroboration_table

    claims = pd.DataFrame(
        [
            ("K1", "2025-09-25", "asserts_presence", "ISKP", "AFG"),
            ("K2", "2025-09-25", "denies_presence", "ISKP", "AFG"),
            ("K3", "2025-05-01", "accuses", "TTP", "AF-KAB"),
        ],
        columns=["claim_id", "statement_date", "stance", "groups", "territory_code"],
    )
    table = corroboration_table(claims, INCIDENTS).set_index("claim_id")
    assert list(table.index) == ["K1", "K3"]
    assert table.loc["K1", "incident_ids"] == "I1;I2" and table.loc["K1", "incidents"] == 2
    assert table.loc["K3", "incident_ids"] == "I3"
