"""Vienna Forum echoes: each distinct finding text with the distinct regional texts nearest it, a repeated text
shown once and its records counted (a corpus that repeats every record 150 times lists 10 findings, not 1,500)."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from gift_dash import similarity
from gift_dash.present import records_table
from gift_dash.schema import Codebook

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


SCORE, WHY, SAME_TEXT, FINDING = "Score", "Why alike", "Records with this text", "Echoes finding"


@dataclass(frozen=True)
class EchoTable:
    """One finding text as the page shows it: ``finding`` its first record, ``finding_ids`` every record with that
    text; ``table`` its echoes (present.records_table, with Score, Why alike and Records with this text), one
    row per distinct regional text, most alike first; ``scores`` their scores unrounded; ``ids`` their ids;
    ``exported`` every regional record that holds an echoed text (copies expanded), with the finding it echoes,
    the score and the reason (columns for an export), and ``row``: the table's row it belongs to."""

    finding: pd.Series
    finding_ids: list[str]
    table: pd.DataFrame
    scores: pd.Series
    ids: list[str]
    exported: pd.DataFrame

    def rows(self, min_score: float) -> pd.Series:
        """Which of the table's rows score at least ``min_score``."""
        return self.scores >= min_score


def echo_tables(
    echoes: list[Echoes],
    records: pd.DataFrame,
    events: pd.DataFrame,
    codebook: Codebook,
    links: dict[str, str],
    columns: tuple[str, ...],
) -> list[EchoTable]:
    """The page's table for each finding (vienna_echoes), built once per view: the score slider then only picks
    rows. ``records``: every record (the findings and their echoes among them); ``links``: id -> record page."""
    by_id = records.set_index("id", drop=False)
    out = []
    for echo in echoes:
        near = echo.near.reset_index(drop=True)
        shown = by_id.loc[near["neighbour_id"]].reset_index(drop=True)
        copies = near["copies"].explode()
        exported = by_id.loc[copies].reset_index(drop=True)
        row = copies.index.to_numpy()
        exported = exported.assign(
            **{
                FINDING: echo.finding,
                SCORE: near["score"].round(2).to_numpy()[row],
                WHY: near["reason"].to_numpy()[row],
                "row": row,
            }
        )
        table = records_table(
            shown,
            events,
            codebook,
            links,
            columns,
            leading={SCORE: near["score"].round(2)},
            trailing={WHY: near["reason"], SAME_TEXT: near["copies"].map(copies_note)},
        )
        out.append(
            EchoTable(by_id.loc[echo.finding], echo.finding_ids, table, near["score"], shown["id"].tolist(), exported)
        )
    return out


def echoes_export(tables: list[EchoTable], min_score: float) -> pd.DataFrame:
    """Every regional record that holds a text echoing a finding with a score of at least ``min_score``, finding
    by finding (the same record may echo two), with the finding, the score and the reason."""
    parts = [t.exported[t.rows(min_score).to_numpy()[t.exported["row"].to_numpy()]] for t in tables]
    return pd.concat(parts, ignore_index=True).drop(columns="row") if parts else pd.DataFrame()


def copies_note(ids: list[str]) -> str:
    """ "1 record", or "×150 records: a, b, c and 147 more"."""
    if len(ids) == 1:
        return "1 record"
    more = f" and {len(ids) - SHOWN_IDS:,} more" if len(ids) > SHOWN_IDS else ""
    return f"×{len(ids):,} records: {', '.join(ids[:SHOWN_IDS])}{more}"
