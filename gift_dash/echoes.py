"""Vienna Forum echoes: each distinct finding text with the distinct regional texts nearest it, a repeated text
shown once and its records counted (a corpus that repeats every record 150 times lists 10 findings, not 1,500)."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from gift_dash import similarity

SHOWN_IDS = 3  # ids a copies note names before "and N more"


@dataclass(frozen=True)
class Echoes:
    """One finding text: ``finding`` its first record (smallest id), ``finding_ids`` every record with that text,
    and ``near`` its echoes, one row per distinct regional text (similarity.neighbours of ``finding`` among the
    first record of each text, plus ``copies``: every regional record in view with that text, in id order)."""

    finding: str
    finding_ids: list[str]
    near: pd.DataFrame


def by_text(records: pd.DataFrame) -> dict[str, list[str]]:
    """First id -> the ids of every record with the same verbatim text (ids in order), texts in the order they
    first appear in ``records``."""
    ids = records.sort_values("id", kind="stable").groupby("text", sort=False)["id"].agg(list)
    first_seen = records.drop_duplicates("text")["text"]
    return {ids[text][0]: ids[text] for text in first_seen}


def vienna_echoes(
    index: similarity.SimilarityIndex, findings: pd.DataFrame, regional: pd.DataFrame, k: int
) -> list[Echoes]:
    """For each distinct text of ``findings``, its ``k`` nearest distinct texts among ``regional`` (records of
    ``index``), with every regional record that holds each."""
    copies = by_text(regional)
    among = set(copies)
    out = []
    for first, ids in by_text(findings).items():
        near = similarity.neighbours(index, first, k=k, among=among)
        out.append(Echoes(first, ids, near.assign(copies=near["neighbour_id"].map(copies))))
    return out


def copies_note(ids: list[str]) -> str:
    """ "1 record", or "×150 records: a, b, c and 147 more"."""
    if len(ids) == 1:
        return "1 record"
    more = f" and {len(ids) - SHOWN_IDS:,} more" if len(ids) > SHOWN_IDS else ""
    return f"×{len(ids):,} records: {', '.join(ids[:SHOWN_IDS])}{more}"
