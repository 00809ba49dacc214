"""Column lists as the migrations of schema versions 1 and 2 made them: never edit.

Shared by revisions ``0001`` and ``0002``. They are written out here, not
taken from :mod:`geo.schema`, so those revisions build the same tables
whatever the schema becomes; a later change to the tables is a new revision
with its own columns.
"""

from __future__ import annotations

import sqlalchemy as sa

__all__ = ["CLAIM", "COUNT", "COUNTS", "INCIDENT", "ORDERED", "claim_columns", "incident_columns"]

#: Text sorted by code point on both back ends (PostgreSQL: the "C" collation).
ORDERED = sa.Text().with_variant(sa.Text(collation="C"), "postgresql")
COUNT = sa.Integer().with_variant(sa.BigInteger(), "postgresql")

TEXT = sa.Text
INCIDENT = [
    ("event_date", ORDERED),
    ("date_precision", TEXT),
    ("event_type", TEXT),
    ("sub_event_type", TEXT),
    ("actor1", TEXT),
    ("actor2", TEXT),
    ("claimed_by", TEXT),
    ("location", TEXT),
    ("admin2", TEXT),
    ("admin1", TEXT),
    ("admin1_code", TEXT),
    ("country", TEXT),
    ("country_code", TEXT),
    ("latitude", sa.Float),
    ("longitude", sa.Float),
    ("geo_precision", COUNT),
    ("geocode_source", TEXT),
    ("killed", COUNT),
    ("injured", COUNT),
    ("killed_low", COUNT),
    ("killed_high", COUNT),
    ("casualty_note", TEXT),
    ("cross_border", sa.Integer),
    ("origin_country_code", TEXT),
    ("source", TEXT),
    ("source_ref", TEXT),
    ("notes", TEXT),
    ("border_distance_km", sa.Float),
    ("qa_flags", TEXT),
]
CLAIM = [
    "statement_date",
    "date_precision",
    "claimant",
    "claimant_role",
    "claimant_country_code",
    "stance",
    "groups",
    "territory_code",
    "accused_country_code",
    "figure",
    "figure_unit",
    "quote",
    "source",
    "source_ref",
    "notes",
]
COUNTS = ["rows_read", "accepted", "rejected", "updated", "duplicates", "geocoded"]


def incident_columns() -> list[sa.Column]:
    """The content columns every incident table shares, then ``upload_id`` and ``row_hash``."""
    return [
        *[sa.Column(name, typ) for name, typ in INCIDENT],
        sa.Column("upload_id", sa.Text, sa.ForeignKey("uploads.upload_id"), nullable=False),
        sa.Column("row_hash", sa.Text, nullable=False),
    ]


def claim_columns() -> list[sa.Column]:
    """The claim columns after ``claim_id``, then ``upload_id``."""
    return [
        *[sa.Column(name, sa.Text) for name in CLAIM],
        sa.Column("upload_id", sa.Text, sa.ForeignKey("uploads.upload_id"), nullable=False),
    ]
