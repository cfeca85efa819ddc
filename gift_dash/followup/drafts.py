"""An editor's unsaved changes to one follow-up entry, kept apart from the stored version they were made against.

A form shows the store's current version of its entry with the person's own changes on top; a save writes only
those changes, at the version they were made against. When someone else saved in between, the draft is moved onto
the newer version (``rebase``): a field only this person changed stays theirs, a field only the other changed takes
the other's value, and a field both changed to different values is *undecided* until the person chooses. Nothing
here touches the store; the page keeps a draft per entry in its session, so it outlives a row switch, a page switch
and the end of a sign-in.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from gift_dash.followup.store import FIELDS, TEXT_FIELDS, Entry, as_text


@dataclass(frozen=True)
class TheirChange:
    """A field someone else saved after this person opened the entry: its value then, and now."""

    field: str
    opened: object
    now: object
    by: str


@dataclass(frozen=True)
class Draft:
    """``mine``: field -> this person's value, only where it differs from ``base`` (the version the form shows and
    a save applies to). ``undecided``: fields in ``mine`` that someone else changed too, to another value; a save
    waits until the person keeps theirs or the other's. ``theirs``: what others saved since the person opened it."""

    base: Entry
    mine: Mapping[str, object] = field(default_factory=dict)
    undecided: frozenset[str] = frozenset()
    theirs: tuple[TheirChange, ...] = ()

    @property
    def pending(self) -> bool:
        """Whether the person has changes that are not in the store."""
        return bool(self.mine)


def _same(name: str, a: object, b: object) -> bool:
    return as_text(name, a) == as_text(name, b)


def normalise(values: Mapping[str, object]) -> dict[str, object]:
    """A form's values as the store keeps them: text trimmed, empty text for an empty box, and no reason for
    withdrawal unless the entry is withdrawn."""
    out = {name: values.get(name) for name in FIELDS}
    for name in TEXT_FIELDS:  # Windows line ends as typed in some browsers: one line break, as stored
        out[name] = (out[name] or "").replace("\r\n", "\n").strip()
    if not out["withdrawn"]:
        out["withdrawn_reason"] = ""
    out["withdrawn"] = bool(out["withdrawn"])
    return out


def form_values(draft: Draft) -> dict[str, object]:
    """What the form shows: the stored version, with the person's changes on top (an undecided field shows the
    stored value; the person's own is offered beside it)."""
    shown = {name: getattr(draft.base, name) for name in FIELDS}
    if not draft.base.version:  # a new entry's status is chosen by the person, never defaulted
        shown["status"] = None
    shown.update({name: value for name, value in draft.mine.items() if name not in draft.undecided})
    return shown


def submitted(draft: Draft, values: Mapping[str, object]) -> Draft:
    """The draft after the person submits the form with ``values``: every field that differs from the stored
    version is theirs. Editing an undecided field in the form decides it; one left as shown stays undecided."""
    values = normalise(values)
    mine = {
        name: values[name]
        for name in FIELDS
        if not _same(name, values[name], getattr(draft.base, name)) and not (name == "status" and values[name] is None)
    }
    undecided = frozenset(name for name in draft.undecided if name not in mine)
    mine.update({name: draft.mine[name] for name in undecided})
    return replace(draft, mine=mine, undecided=undecided)


def rebase(draft: Draft, current: Entry) -> Draft:
    """The draft moved onto ``current``, a newer stored version of its entry (the draft itself when it is not
    newer). A change of the person's that ``current`` already holds is dropped; one to a field the other person
    also changed becomes undecided."""
    if current.version == draft.base.version:
        return draft
    if not draft.pending:
        return Draft(current)
    changed = [name for name in FIELDS if not _same(name, getattr(current, name), getattr(draft.base, name))]
    mine = {name: value for name, value in draft.mine.items() if not _same(name, value, getattr(current, name))}
    undecided = frozenset(name for name in mine if name in changed or name in draft.undecided)
    earlier = {change.field: change for change in draft.theirs}
    theirs = {
        name: TheirChange(
            name,
            earlier[name].opened if name in earlier else getattr(draft.base, name),
            getattr(current, name),
            current.changed_by,
        )
        for name in changed
    }
    return Draft(current, mine, undecided, tuple({**earlier, **theirs}.values()))


def decide(draft: Draft, name: str, keep_mine: bool) -> Draft:
    """The person's choice for an undecided field: their own value, or the one stored now."""
    mine = dict(draft.mine)
    if not keep_mine:
        mine.pop(name, None)
    return replace(draft, mine=mine, undecided=draft.undecided - {name})


def fingerprint(draft: Draft) -> tuple:
    """What the form was filled from: when it differs, the form's widgets are filled again."""
    return (
        draft.base.version,
        tuple(sorted((name, as_text(name, value)) for name, value in draft.mine.items())),
        tuple(sorted(draft.undecided)),
    )
