"""Follow-up in the app: the store (or a message when it cannot be opened), sign-in, the accounts for an admin,
what the Follow-up page shows of the records in view, and one entry's panel: its status, evidence, history and,
for an editor or admin, the form that changes it."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date
from urllib.parse import quote

import pandas as pd
import streamlit as st

from gift_dash import filters as flt
from gift_dash.followup import db, drafts, report, store, summary, targets, users
from gift_dash.present import COLUMN_HEADINGS, display_frame
from gift_dash.schema import event_names
from gift_dash.view import View
from gift_ui.state import data_dir
from gift_ui.text import md_escape as md

TOKEN_KEY = "followup_session_token"  # the sign-in's random token; the store keeps only its hash
FAILED_SIGN_IN_PAUSE_S = 1.0  # on top of the account's lock: each failed try costs the person a second


def engine():
    """The store's engine, or None after showing why it cannot be opened (the rest of the page still works)."""
    try:
        return db.engine_for()
    except db.StoreUnavailable as exc:
        st.error(
            f"The follow-up store cannot be opened, so follow-up information is not shown. {exc}",
            icon=":material/database:",
        )
        return None


def signed_in(eng) -> users.User | None:
    """The person's account when their sign-in is valid now (checked against the store on every run)."""
    user = users.session_user(eng, st.session_state.get(TOKEN_KEY))
    if user is None:
        st.session_state.pop(TOKEN_KEY, None)
    return user


def can_edit(user: users.User | None) -> bool:
    return user is not None and user.role in users.EDIT_ROLES


def _sign_out(eng) -> None:
    users.sign_out(eng, st.session_state.pop(TOKEN_KEY, None))


def account_box(eng, key: str = "followup") -> users.User | None:
    """A sign-in form, or who is signed in with a sign-out button. Returns the signed-in user."""
    user = signed_in(eng)
    if user is not None:
        left, right = st.columns([3, 1])
        left.caption(
            f"Signed in as **{md(user.name)}** ({user.role}). The sign-in lasts "
            f"{users.session_lifetime().total_seconds() / 3600:g} hours."
        )
        right.button("Sign out", key=f"{key}_sign_out", on_click=_sign_out, args=(eng,))
        return user
    with st.form(f"{key}_sign_in", clear_on_submit=True):
        st.caption(
            "Anyone can read follow-up information; sign in to change it. Accounts are made by an "
            'administrator with the command "python -m gift_dash users add NAME --role editor".'
        )
        name = st.text_input("Account name", key=f"{key}_name", max_chars=100)
        password = st.text_input("Password", type="password", key=f"{key}_password", max_chars=users.MAX_PASSWORD_CHARS)
        if st.form_submit_button("Sign in"):
            # Failures are throttled per name and client address (users.sign_in); a local visitor has none.
            result = users.sign_in(eng, name.strip(), password, source=st.context.ip_address or "localhost")
            if result.token:
                st.session_state[TOKEN_KEY] = result.token
                st.rerun()
            time.sleep(FAILED_SIGN_IN_PAUSE_S)
            st.error(result.message)
    return None


OVERDUE_SHOWN = 100  # the list is for acting on; the full set is in the records table below
# The records tables' columns, in pixels: what staff act on first, then the verbatim text, wrapping, in what is left
# at 1280 px with the sidebar open (a projector), so no column is cut off or scrolled to. The shipped ids name the
# event, list and item (kampala-2007-gen-a); the whole text is under the table once the row is chosen.
RECORD_COLUMN_WIDTHS = {
    COLUMN_HEADINGS["id"]: 175,
    "Status": 110,
    "Responsible": 120,
    "Target date": 105,  # "2027-03-31" on one line
    COLUMN_HEADINGS["text"]: 270,
}


@dataclass(frozen=True)
class InView:
    """What the Follow-up page shows of the records in view: tables ready to draw, read-only (shared)."""

    figures: dict[str, int]  # summary.progress
    by_theme: pd.DataFrame
    by_event: pd.DataFrame
    by_pillar: pd.DataFrame | None  # workplan activities, when data/workplan.csv has pillars
    overdue: pd.DataFrame  # the OVERDUE_SHOWN longest overdue, as rows of the records table
    n_overdue: int
    records: pd.DataFrame  # every record in view with its follow-up
    ids: list[str]  # their ids, in the table's order


def in_view(view: View, stamp: str, entries: pd.DataFrame, today: date) -> InView:
    """The Follow-up page's figures and tables for ``view``: worked out once per dataset version, state of the store
    (``stamp``), filters and day, so a run that changes none of them (choosing a row, signing in, opening an
    entry) only draws them."""
    return _in_view(view.dataset.version, stamp, repr(view.filters), today, view, entries)


@st.cache_resource(show_spinner="Summing up the follow-up …", max_entries=4)
def _in_view(version: str, stamp: str, filters: str, today: date, _view: View, _entries: pd.DataFrame) -> InView:
    ds, labels = _view.dataset, summary.status_labels()
    frame = summary.with_status(_view.records, _entries)

    def rows(part: pd.DataFrame) -> pd.DataFrame:
        shown = display_frame(part, ds.events, ds.codebook, ("id", "text"))
        shown["Status"] = part[summary.COLUMN].map(labels).to_numpy()
        shown["Responsible"] = part["responsible"].to_numpy()
        shown["Target date"] = summary.date_text(part["target_date"]).to_numpy()
        return shown[list(RECORD_COLUMN_WIDTHS)]

    by_theme = summary.status_counts(frame, "themes", multi=True, labels=labels)
    by_theme.index = by_theme.index.map(lambda v: ds.codebook.label("themes", v)).rename("Theme")
    by_event = summary.status_counts(frame, "event_id", labels=labels)
    names = event_names(ds.events)
    by_event.index = by_event.index.map(lambda v: names.get(v, v)).rename("Event")
    activities, by_pillar = targets.workplan(data_dir()), None
    if activities is not None and "pillar" in activities.columns:
        with_status = summary.with_status(activities, _entries, "activity", targets.ID_COLUMN)
        by_pillar = summary.status_counts(with_status, "pillar", labels=labels).rename_axis("Pillar")
    late = summary.overdue(frame, today)
    return InView(
        figures=summary.progress(frame, today),
        by_theme=by_theme,
        by_event=by_event,
        by_pillar=by_pillar,
        overdue=rows(late.head(OVERDUE_SHOWN)),
        n_overdue=len(late),
        records=rows(frame),
        ids=frame["id"].tolist(),
    )


def progress(view: View, eng, since: date, until: date) -> report.Report:
    """The progress report of the view's records for a period (gift_dash.followup.report), worked out once per
    dataset version, state of the store, filters and period: moving between its tables or downloading a file
    only draws it."""
    stamp = view.followup[0] if view.followup else "no store"
    return _progress(view.dataset.version, stamp, repr(view.filters), since, until, view, eng)


@st.cache_resource(show_spinner="Counting what changed …", max_entries=8)
def _progress(version: str, stamp: str, filters: str, since: date, until: date, _view: View, _eng) -> report.Report:
    period = report.Period(since, until)
    scope = report.scope_of(_view.dataset, _view.records, _view.description, narrowed=_view.filters != flt.Filters())
    return report.progress_report(report.read_history(_eng, period), period, scope)


def record_columns() -> dict:
    """column_config of the Follow-up page's records tables (RECORD_COLUMN_WIDTHS)."""
    return {
        heading: st.column_config.TextColumn(heading, width=width) for heading, width in RECORD_COLUMN_WIDTHS.items()
    }


ACCOUNT_PENDING, ACCOUNT_MESSAGE, ACCOUNT_CHOSEN = "fu_account_pending", "fu_account_message", "fu_account_chosen"
ACCOUNT_ACTIONS = {False: "Deactivate", True: "Reactivate"}  # by the state the action leads to
ACCOUNT_EFFECTS = {
    False: "can no longer sign in or save, and is signed out now; what it changed stays in the history",
    True: "can sign in again with its password",
}
ACCOUNT_HISTORY_HEADINGS = {
    "changed_at": "When (UTC)",
    "changed_by": "By",
    "action": "What",
    "before": "Before",
    "after": "After",
}


def accounts_panel(eng, user: users.User | None) -> None:
    """For a signed-in admin only: every account (role, state, last sign-in) and, for the one chosen, its role, a
    new password, deactivation (after a confirmation) and its history. The store checks again that the person is an
    admin (users.py)."""
    if user is None or user.role not in users.ADMIN_ROLES:
        return
    with st.expander("Accounts (admins)", key="fu_accounts", icon=":material/manage_accounts:"):
        message = st.session_state.pop(ACCOUNT_MESSAGE, None)
        if message:
            {"done": st.success, "error": st.error}[message[0]](md(message[1]))
        accounts = users.list_users(eng, by=user.name)
        for account in accounts:
            last = account["last_sign_in_at"]
            name, row = account["name"], st.columns([3, 1, 2, 3, 2], vertical_alignment="center")
            row[0].markdown(f"**{md(name)}**" + (" (you)" if name == user.name else ""))
            row[1].text(account["role"])
            row[2].text("active" if account["active"] else "deactivated")
            row[3].text(f"last sign-in {last:%Y-%m-%d %H:%M} UTC" if last else "never signed in")
            row[4].button(
                "Manage",
                key=f"fu_account_{name}",
                on_click=st.session_state.__setitem__,
                args=(ACCOUNT_CHOSEN, name),
                width="stretch",
            )
        chosen = next((a for a in accounts if a["name"] == st.session_state.get(ACCOUNT_CHOSEN)), None)
        if chosen is not None:
            _manage_account(eng, user, chosen)


def _manage_account(eng, user: users.User, account: dict) -> None:
    name, own = account["name"], account["name"] == user.name
    with st.container(border=True, key="fu_account_manage"):
        st.markdown(f"**{md(name)}**")
        with st.form("fu_account_role", border=False):
            st.selectbox("Role", users.ROLES, index=users.ROLES.index(account["role"]), key="fu_account_new_role")
            st.form_submit_button(
                "Change role",
                disabled=own,
                help="An admin cannot change their own role; another admin can." if own else None,
                on_click=_account_change,
                args=(eng, "role", name),
            )
        with st.form("fu_account_password", clear_on_submit=True, border=False):
            for key, label in (("fu_account_password_1", "New password"), ("fu_account_password_2", "Again")):
                st.text_input(label, type="password", key=key, max_chars=users.MAX_PASSWORD_CHARS)
            st.form_submit_button("Set this password", on_click=_account_change, args=(eng, "password", name))
        pending = st.session_state.get(ACCOUNT_PENDING)
        active = not account["active"]  # the state the button leads to
        if pending == (name, active):
            st.warning(f"{ACCOUNT_ACTIONS[active]} **{md(name)}**? The account {ACCOUNT_EFFECTS[active]}.")
            with st.container(horizontal=True):
                st.button(
                    f"Yes, {ACCOUNT_ACTIONS[active].lower()} {name}",
                    key="fu_account_confirm",
                    type="primary",
                    on_click=_account_change,
                    args=(eng, "active", name, active),
                )
                st.button("Cancel", key="fu_account_cancel", on_click=st.session_state.pop, args=(ACCOUNT_PENDING,))
        else:
            st.button(
                ACCOUNT_ACTIONS[active],
                key="fu_account_active",
                disabled=own and not active,
                help="An admin cannot deactivate their own account; another admin can." if own else None,
                on_click=st.session_state.__setitem__,
                args=(ACCOUNT_PENDING, (name, active)),
            )
        rows = users.account_history_rows(eng, by=user.name, account=name)
        if rows:
            shown = pd.DataFrame(rows)[list(ACCOUNT_HISTORY_HEADINGS)].rename(columns=ACCOUNT_HISTORY_HEADINGS)
            shown["When (UTC)"] = pd.to_datetime(shown["When (UTC)"]).dt.strftime("%Y-%m-%d %H:%M")
            st.dataframe(shown, hide_index=True, key="fu_account_history")


def _account_change(eng, what: str, name: str, active: bool | None = None) -> None:
    """The account forms' callback: the change, as the person signed in now (the store checks they are an admin)."""
    state = st.session_state
    state.pop(ACCOUNT_PENDING, None)
    user = signed_in(eng)
    if user is None:
        state[ACCOUNT_MESSAGE] = ("error", "Nothing changed: your sign-in has ended; sign in again.")
        return
    try:
        if what == "role":
            role = state["fu_account_new_role"]
            users.set_role(eng, name, role, by=user.name)
            done = f"{name} is now {role}; their sign-ins ended, so it applies from their next one."
        elif what == "password":
            first, second = state.get("fu_account_password_1", ""), state.get("fu_account_password_2", "")
            if first != second:
                raise users.UserError("the two passwords differ; type the same one twice")
            users.reset_password(eng, name, first, by=user.name)
            done = f"{name} has a new password; their sign-ins ended. Tell them the password in person."
        else:
            (users.reactivate if active else users.deactivate)(eng, name, by=user.name)
            done = f"{name} {'reactivated' if active else 'deactivated'}: it {ACCOUNT_EFFECTS[active]}."
    except (users.UserError, users.NotAllowed) as exc:
        state[ACCOUNT_MESSAGE] = ("error", f"Nothing changed: {exc}")
        return
    state[ACCOUNT_MESSAGE] = ("done", done)


def _show_evidence(text: str) -> None:
    for line, url in summary.evidence_items(text):
        if url:
            # Markdown link with the URL percent-encoded (no ")" or space can end it early); never fetched.
            st.markdown(f"- [{md(line)}]({quote(url, safe=':/?#[]@!$&*+,;=%~._-')})")
        else:
            st.text(f"• {line}")


def _history_table(eng, kind: str, target_id: str) -> None:
    rows = store.history_frame(eng, kind, target_id)
    if rows.empty:
        st.caption("No history yet.")
        return
    # What changed first, so Field, Before and After are in view at 1280 px; who and when after them.
    shown = pd.DataFrame(
        {
            "Field": rows["field"].map(store.FIELD_LABELS),
            "Before": [_shown(f, store.from_text(f, v)) for f, v in zip(rows["field"], rows["before"], strict=True)],
            "After": [_shown(f, store.from_text(f, v)) for f, v in zip(rows["field"], rows["after"], strict=True)],
            "Who": rows["changed_by"],
            "When (UTC)": rows["changed_at"].dt.strftime("%Y-%m-%d %H:%M"),
            "Version": rows["version"],
        }
    ).iloc[::-1]
    st.dataframe(
        shown,
        hide_index=True,
        key=f"fu_history_{kind}_{target_id}",
        column_config={
            # At 1280 px with the sidebar open these add up to the expander's width: nothing off the right edge.
            "Field": st.column_config.TextColumn(width=150),
            "Before": st.column_config.TextColumn(width=185),
            "After": st.column_config.TextColumn(width=185),
            "Who": st.column_config.TextColumn(width=70),
            "When (UTC)": st.column_config.TextColumn(width=125),
            "Version": st.column_config.NumberColumn(width=55),
        },
    )


def _widget(kind: str, target_id: str, field: str) -> str:
    return f"fu_{kind}_{target_id}_{field}"


def _shown(name: str, value: object) -> str:
    """A field's value as the conflict table shows it: a status by its label, nothing as '(empty)'."""
    if name == "status" and value:
        return store.statuses().get(value, str(value))
    return store.as_text(name, value) or "(empty)"


def _fill_form(kind: str, target_id: str, draft: drafts.Draft) -> None:
    """Put what the form shows (the stored version with the person's changes on top) into its widgets."""
    for name, value in drafts.form_values(draft).items():
        st.session_state[_widget(kind, target_id, name)] = value
    st.session_state[_widget(kind, target_id, "filled")] = drafts.fingerprint(draft)


def _keep(kind: str, target_id: str, draft: drafts.Draft, tone: str, text: str) -> None:
    st.session_state[_widget(kind, target_id, "draft")] = draft
    st.session_state[_widget(kind, target_id, "message")] = (tone, text)


def _save(eng, kind: str, target_id: str) -> None:
    """The edit form's submit: runs before the page, so the page shows the outcome. Writes only the fields the
    person changed, at the version they changed them from; whatever is not saved stays in the session's draft."""
    state = st.session_state
    values = {name: state.get(_widget(kind, target_id, name)) for name in store.FIELDS}
    draft = drafts.submitted(state[_widget(kind, target_id, "draft")], values)
    if not draft.pending:
        _keep(kind, target_id, draft, "saved", "Nothing to save: the form holds the entry as it is stored.")
        return
    user = signed_in(eng)
    if not can_edit(user):
        _keep(kind, target_id, draft, "error", SIGNED_OUT)
        return
    if draft.undecided:
        _keep(kind, target_id, draft, "error", UNDECIDED)
        return
    try:
        saved = store.save(eng, kind, target_id, dict(draft.mine), draft.base.version, user.name)
    except store.Conflict as conflict:
        moved = drafts.rebase(draft, conflict.current)
        _keep(kind, target_id, moved, "conflict", _conflict_text(moved))
        return
    except (store.InvalidChange, users.NotAllowed) as exc:
        _keep(kind, target_id, draft, "error", f"Not saved: {exc}")
        return
    _keep(kind, target_id, drafts.Draft(saved), "saved", f"Saved (version {saved.version}).")


SIGNED_OUT = (
    "Not saved: you are not signed in with an editor or admin account (the sign-in has ended, or the account was "
    "deactivated or changed). Your changes are kept in this browser tab: sign in again and they are back in the form."
)
UNDECIDED = "Not saved yet: you and someone else both changed a field. Keep yours or theirs for each one above."


def _conflict_text(draft: drafts.Draft) -> str:
    who = ", ".join(dict.fromkeys(change.by for change in draft.theirs)) or "someone"
    return (
        f"Not saved: {who} saved this entry after you opened it (it is now version {draft.base.version}). Nothing "
        "of theirs or yours is lost: the form now shows their version with your changes on top."
        + (" Decide each field you both changed, then save." if draft.undecided else " Check it and save again.")
    )


def _draft_panel(kind: str, target_id: str, draft: drafts.Draft) -> None:
    """The person's unsaved changes: beside what others saved meanwhile, with a choice for each field both
    changed, and a way to drop them."""
    mine_label = "Yours (not saved)"
    if draft.theirs:
        by = ", ".join(dict.fromkeys(change.by for change in draft.theirs))
        rows = [
            {
                "Field": store.FIELD_LABELS[change.field],
                "When you opened it": _shown(change.field, change.opened),
                f"Saved since by {by}": _shown(change.field, change.now),
                mine_label: _shown(change.field, draft.mine[change.field]) if change.field in draft.mine else "",
            }
            for change in draft.theirs
        ]
        st.markdown("**Changed by someone else since you opened this entry**")
        st.dataframe(pd.DataFrame(rows), hide_index=True, key=_widget(kind, target_id, "theirs_table"))
    for name in sorted(draft.undecided, key=store.FIELDS.index):
        label = store.FIELD_LABELS[name]
        with st.container(border=True, key=_widget(kind, target_id, f"choice_{name}")):
            st.markdown(f"**{md(label)}: both of you changed it.** Which do you keep?")
            left, right = st.columns(2)
            left.caption("Stored now")
            left.text(_shown(name, getattr(draft.base, name)))
            right.caption("Yours")
            right.text(_shown(name, draft.mine[name]))
            with st.container(horizontal=True):
                for keep_mine, text in ((False, "Keep the stored one"), (True, "Keep mine")):
                    st.button(
                        f"{text} ({label.lower()})",
                        key=_widget(kind, target_id, f"decide_{name}_{keep_mine}"),
                        on_click=_decide,
                        args=(kind, target_id, name, keep_mine),
                    )
    changed = ", ".join(store.FIELD_LABELS[name].lower() for name in store.FIELDS if name in draft.mine)
    left, right = st.columns([4, 1], vertical_alignment="center")
    left.info(f"Not saved yet, kept in this tab: your changes to {changed}.", icon=":material/edit_note:")
    right.button(
        "Discard my changes", key=_widget(kind, target_id, "discard"), on_click=_discard, args=(kind, target_id)
    )


def _decide(kind: str, target_id: str, name: str, keep_mine: bool) -> None:
    key = _widget(kind, target_id, "draft")
    st.session_state[key] = drafts.decide(st.session_state[key], name, keep_mine)


def _discard(kind: str, target_id: str) -> None:
    key = _widget(kind, target_id, "draft")
    st.session_state[key] = drafts.Draft(st.session_state[key].base)


def _edit_form(eng, kind: str, target_id: str, entry: store.Entry) -> None:
    """The form, always filled from the store's current version (``entry``) and the person's unsaved changes: a row
    or page switch, which drops the widgets' own values, fills it again from there, never from defaults."""
    state, key = st.session_state, _widget(kind, target_id, "draft")
    draft = drafts.rebase(state.get(key) or drafts.Draft(entry), entry)
    state[key] = draft
    widgets = [_widget(kind, target_id, name) for name in store.FIELDS]
    if state.get(_widget(kind, target_id, "filled")) != drafts.fingerprint(draft) or any(
        w not in state for w in widgets
    ):
        _fill_form(kind, target_id, draft)
    if draft.pending:
        _draft_panel(kind, target_id, draft)
    labels, field = store.statuses(), dict(zip(store.FIELDS, widgets, strict=True))
    with st.form(f"fu_form_{kind}_{target_id}"):
        st.markdown("**Change this entry**")
        st.selectbox(
            store.FIELD_LABELS["status"],
            list(labels),
            format_func=labels.get,
            key=field["status"],
            placeholder="Choose a status",
        )
        st.text_input(
            store.FIELD_LABELS["responsible"],
            key=field["responsible"],
            help="Several: separate them with '; '.",
        )
        st.date_input(
            store.FIELD_LABELS["target_date"],
            key=field["target_date"],
            min_value=date(2000, 1, 1),
            max_value=date(2100, 12, 31),
            format="YYYY-MM-DD",
        )
        # No max_chars: the browser would drop a longer paste without a word; the store's check names the limit.
        st.text_area(store.FIELD_LABELS["notes"], key=field["notes"])
        st.text_area(
            f"{store.FIELD_LABELS['evidence']} (one per line: a document reference, or an http(s) link)",
            key=field["evidence"],
        )
        st.checkbox("Withdraw this entry (it is kept, with its history)", key=field["withdrawn"])
        st.text_input(
            store.FIELD_LABELS["withdrawn_reason"],
            key=field["withdrawn_reason"],
        )
        st.form_submit_button("Save", on_click=_save, args=(eng, kind, target_id), type="primary")


def entry_panel(kind: str, target_id: str, sign_in: bool = True) -> None:
    """One target's follow-up: status, responsible bodies, target date, notes, evidence and history; the edit
    form when the person is signed in as an editor or admin (and, with ``sign_in``, a sign-in form otherwise)."""
    eng = engine()
    if eng is None:
        return
    entry = store.get(eng, kind, target_id)
    labels = summary.status_labels()
    status = summary.WITHDRAWN if entry.withdrawn else (entry.status if entry.version else summary.NO_ENTRY)
    st.markdown(
        f"**Follow-up status: {md(labels[status])}**"
        + (
            f" · version {entry.version}, last changed by {md(entry.changed_by)} on "
            f"{entry.changed_at:%Y-%m-%d %H:%M} UTC"
            if entry.version
            else ""
        )
    )
    if entry.withdrawn:
        st.text(f"Withdrawn: {entry.withdrawn_reason}")
    if entry.version:
        st.text(
            f"Responsible: {entry.responsible or 'not stated'}\n"
            f"Target date: {entry.target_date.isoformat() if entry.target_date else 'not stated'}"
        )
        if entry.notes:
            st.caption("Notes")
            st.text(entry.notes)
        if entry.evidence:
            st.caption("Evidence (links open in a new tab; nothing is fetched by the dashboard)")
            _show_evidence(entry.evidence)
    message = st.session_state.pop(_widget(kind, target_id, "message"), None)
    if message:
        tone, text = message
        {"saved": st.success, "error": st.error, "conflict": st.warning}[tone](md(text).replace("\n", "  \n"))
    with st.expander("History of this entry", expanded=False):
        _history_table(eng, kind, target_id)
    user = signed_in(eng)
    if can_edit(user):
        _edit_form(eng, kind, target_id, entry)
    elif user is not None:
        st.caption(f"Signed in as {md(user.name)} (viewer): viewers read; editors and admins change entries.")
    elif sign_in:
        with st.expander("Sign in to change this entry"):
            account_box(eng, key=f"fu_signin_{kind}_{target_id}")
