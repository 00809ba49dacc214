"""The documents behind the curated rows: who published them, when, and what they say.

``data/seed_documents.csv`` describes each seed document in the project's own
words (the documents' text is not shipped). An incident or claim whose
``source_ref`` names one of them can show that description on demand, so a
source the document leaves unnamed still leads somewhere.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from geo.config import DATA_DIR

__all__ = ["SourceDocument", "documents_for", "seed_documents"]


@dataclass(frozen=True)
class SourceDocument:
    """One seed document as the project describes it."""

    source_ref: str
    publication: str | None
    title: str | None
    dateline: str | None
    published: str
    date_basis: str
    summary: str

    @property
    def label(self) -> str:
        """``AT News: "Title" (9 Aug 2023)``, or the title alone where no publication is named.

        Examples
        --------
        >>> SourceDocument("x.txt", None, None, None, "May 2024", "", "").label
        'News report, publication not named (May 2024)'
        """
        who = self.publication or "News report, publication not named"
        title = f': "{self.title}"' if self.title else ""
        return f"{who}{title} ({self.published})"


@cache
def seed_documents(path: Path = DATA_DIR / "seed_documents.csv") -> dict[str, SourceDocument]:
    """Every described document, keyed by its ``source_ref`` (read once).

    Examples
    --------
    >>> docs = seed_documents()
    >>> docs["004_362245b40c3b935c.txt"].publication
    'AT News'
    """
    if not path.exists():
        return {}
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    return {
        r["source_ref"]: SourceDocument(
            source_ref=r["source_ref"],
            publication=r["publication"].strip() or None,
            title=r["title"].strip() or None,
            dateline=r["dateline"].strip() or None,
            published=r["published"].strip(),
            date_basis=r["date_basis"].strip(),
            summary=r["summary"].strip(),
        )
        for r in rows
    }


def documents_for(source_ref: object) -> list[SourceDocument]:
    """The described documents a ``source_ref`` names (``;``-separated), in its order.

    Examples
    --------
    >>> [d.publication for d in documents_for("004_362245b40c3b935c.txt; nope.txt")]
    ['AT News']
    >>> documents_for(None)
    []
    """
    if not isinstance(source_ref, str):
        return []
    docs = seed_documents()
    refs = [r.strip() for r in source_ref.split(";")]
    return [docs[r] for r in refs if r in docs]
