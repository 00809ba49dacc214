"""Tests for geo.groups: the alias table shared by incidents and claims."""

import pytest

from geo.groups import (
    GROUP_ALIASES,
    canonical_group,
    groups_in,
    is_known_group,
    same_group,
    split_groups,
)


@pytest.mark.parametrize(
    "spelling",
    ["IS-KP", "ISKP", "ISIS-K", "isis k", "Islamic State Khorasan Province", "IS–KP"],
)
def test_iskp_spellings_meet(spelling):
    assert canonical_group(spelling) == "IS-KP"


@pytest.mark.parametrize(
    ("spelling", "canon"),
    [
        ("Tehreek-e-Taliban Pakistan", "TTP"),
        ("ttp", "TTP"),
        ("Al Qaida", "al-Qaeda"),
        ("al-Qaeda in the Indian Subcontinent", "AQIS"),
        ("TIP", "ETIM"),
        ("Turkistan Islamic Party", "ETIM"),
        ("Jaish ul-Adl", "Jaish al-Adl"),
    ],
)
def test_other_groups(spelling, canon):
    assert canonical_group(spelling) == canon


def test_aqis_is_not_folded_into_al_qaeda():
    assert not same_group("AQIS", "al-Qaeda")


def test_unknown_kept_blank_dropped():
    assert canonical_group("  Some New Front ") == "Some New Front"
    assert not is_known_group("Some New Front")
    assert canonical_group("") is None
    assert canonical_group(None) is None
    assert not same_group("", "")


def test_split_groups_dedupes_in_order():
    assert split_groups("ISIS-K; TTP;ISKP;;al Qaeda") == ["IS-KP", "TTP", "al-Qaeda"]
    assert split_groups(None) == []


def test_groups_in_several_fields():
    assert groups_in(["Islamic State Khorasan", None, "TTP;BLA"]) == {"IS-KP", "TTP", "BLA"}


def test_no_alias_points_to_two_groups():
    seen: dict[str, str] = {}
    for canon, aliases in GROUP_ALIASES.items():
        assert canon in aliases
        for alias in aliases:
            key = alias.casefold()
            assert seen.setdefault(key, canon) == canon


def test_seed_ledger_groups_all_known():
    import csv
    from pathlib import Path

    path = Path(__file__).resolve().parents[1] / "data" / "claims.csv"
    with path.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    names = {g for r in rows for g in r["groups"].split(";") if g.strip()}
    assert names and all(is_known_group(n) for n in names)
