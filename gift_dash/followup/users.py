"""Accounts and sign-in: argon2 password hashes, roles, deactivation, password resets, slowed-down failures,
expiring sessions, and a history of what was done to each account.

There is no default account: the first one is made with ``python -m gift_dash users add NAME --role admin``.
Listing and changing accounts name who asks (``by``): an active admin in the dashboard, checked here, or
COMMAND_LINE for the CLI, whose user can reach the database anyway.

A sign-in tells nothing about which accounts exist: every failure gets the same message after the same work (a
hash is verified for an unknown name too), and failures are throttled per name *as typed* and per place they come
from (``source``: the client's address), so an unknown name is slowed down exactly like a real one, and a stranger
elsewhere cannot lock a named person out.
"""

from __future__ import annotations

import functools
import hashlib
import os
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Connection, Engine, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from gift_dash.followup.db import reading
from gift_dash.followup.tables import ROLES, account_history, sessions, sign_in_throttle, users

EDIT_ROLES = ("editor", "admin")  # who may change follow-up entries
ADMIN_ROLES = ("admin",)  # who may list, deactivate and reactivate accounts in the dashboard
COMMAND_LINE = None  # ``by`` of an account request made with the CLI
MIN_PASSWORD_CHARS = 10
MAX_PASSWORD_CHARS = 1_000
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,99}$")
SESSION_HOURS_ENV = "GIFT_SESSION_HOURS"
DEFAULT_SESSION_HOURS = 8.0  # a working day: signing in again each morning
FREE_FAILURES = 3  # failed sign-ins (of one name from one place) before each further one waits a while
MAX_LOCK_SECONDS = 15 * 60
THROTTLE_KEPT = timedelta(days=1)  # failures older than this are forgotten (the table stays small)
COMMAND_LINE_NAME = "(command line)"  # who changed an account, in its history, when it was the CLI

_hasher = PasswordHasher()  # argon2id with the library's current (RFC 9106) parameters


@functools.cache
def _dummy_hash() -> str:
    """Verified against when the name is unknown, so a wrong name takes as long as a wrong password. Made on the
    first sign-in, not at import: hashing takes a third of a second that every page's first run would pay."""
    return _hasher.hash(secrets.token_hex(16))


class UserError(ValueError):
    """A request about accounts that cannot be done; the message says why."""


class NotAllowed(PermissionError):
    """The person is not signed in with a role that may do this."""


@dataclass(frozen=True)
class User:
    name: str
    role: str
    active: bool = True


def session_lifetime() -> timedelta:
    """How long a sign-in lasts: $GIFT_SESSION_HOURS (a number of hours) or 8."""
    raw = os.environ.get(SESSION_HOURS_ENV, "").strip()
    try:
        hours = float(raw) if raw else DEFAULT_SESSION_HOURS
    except ValueError:
        hours = DEFAULT_SESSION_HOURS
    return timedelta(hours=hours if hours > 0 else DEFAULT_SESSION_HOURS)


def check_new_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_CHARS:
        raise UserError(f"the password has {len(password)} characters; at least {MIN_PASSWORD_CHARS} are needed")
    if len(password) > MAX_PASSWORD_CHARS:
        raise UserError(f"the password is longer than {MAX_PASSWORD_CHARS} characters")


def add_user(
    engine: Engine, name: str, role: str, password: str, now: datetime | None = None, *, by: str | None = COMMAND_LINE
) -> User:
    if not _NAME.fullmatch(name or ""):
        raise UserError(
            f"not a valid account name: {name[:40]!r}; expected letters, digits and . _ @ - (at most 100 characters)"
        )
    if role not in ROLES:
        raise UserError(f"unknown role {role!r}; expected one of {', '.join(ROLES)}")
    check_new_password(password)
    try:
        with engine.begin() as connection:
            connection.execute(
                insert(users).values(
                    name=name,
                    role=role,
                    password_hash=_hasher.hash(password),
                    active=True,
                    created_at=now or datetime.now(UTC),
                )
            )
            _record(connection, name, by, "created", "", role, now)
    except IntegrityError:
        raise UserError(f"an account named {name!r} exists already") from None
    return User(name, role)


def _record(
    connection: Connection, account: str, by: str | None, action: str, before: str, after: str, now=None
) -> None:
    connection.execute(
        insert(account_history).values(
            account=account,
            changed_by=COMMAND_LINE_NAME if by is COMMAND_LINE else by,
            changed_at=now or datetime.now(UTC),
            action=action,
            before=before,
            after=after,
        )
    )


def list_users(engine: Engine, *, by: str | None) -> list[dict]:
    """Every account (name, role, active, created_at, last_sign_in_at), by name, for an active admin ``by`` (else
    NotAllowed) or the command line."""
    with reading(engine) as connection:
        _check_admin(connection, by)
        rows = connection.execute(
            select(
                users.c.name,
                users.c.role,
                users.c.active,
                users.c.created_at,
                users.c.last_sign_in_at,
            ).order_by(users.c.name)
        )
        return [dict(row._mapping) for row in rows]


def deactivate(engine: Engine, name: str, *, by: str | None) -> None:
    """Stop an account from signing in or saving; its name stays in the history. Its sessions end now. ``by`` is an
    active admin other than ``name`` (an admin cannot lock themself out; another admin can), or the command line."""
    _set_active(engine, name, False, by)


def reactivate(engine: Engine, name: str, *, by: str | None) -> None:
    """Let a deactivated account sign in again (with its old password); ``by`` as for deactivate."""
    _set_active(engine, name, True, by)


def _set_active(engine: Engine, name: str, active: bool, by: str | None) -> None:
    with engine.begin() as connection:
        row = _account(connection, name, by)
        if not active and by == name:
            raise UserError("you cannot deactivate your own account; another admin can")
        if row.active == active:
            return
        connection.execute(update(users).where(users.c.id == row.id).values(active=active))
        if not active:
            connection.execute(delete(sessions).where(sessions.c.user_id == row.id))
        _record(connection, name, by, "reactivated" if active else "deactivated", "", "")


def set_role(engine: Engine, name: str, role: str, *, by: str | None) -> None:
    """Give an account another role; its sign-ins end, so the new role applies from its next one. ``by`` is an
    active admin (not changing their own role: another admin can) or the command line."""
    if role not in ROLES:
        raise UserError(f"unknown role {role!r}; expected one of {', '.join(ROLES)}")
    with engine.begin() as connection:
        row = _account(connection, name, by)
        if by == name:
            raise UserError("you cannot change your own role; another admin can")
        if row.role == role:
            return
        connection.execute(update(users).where(users.c.id == row.id).values(role=role))
        connection.execute(delete(sessions).where(sessions.c.user_id == row.id))
        _record(connection, name, by, "role", row.role, role)


def reset_password(engine: Engine, name: str, password: str, *, by: str | None) -> None:
    """Set a new password for an account (the person changes nothing else); its sign-ins end, and the change is in
    the account's history without the password."""
    check_new_password(password)
    with engine.begin() as connection:
        row = _account(connection, name, by)
        connection.execute(update(users).where(users.c.id == row.id).values(password_hash=_hasher.hash(password)))
        connection.execute(delete(sessions).where(sessions.c.user_id == row.id))
        connection.execute(delete(sign_in_throttle).where(sign_in_throttle.c.name == name))
        _record(connection, name, by, "password", "", "")


def account_history_rows(engine: Engine, *, by: str | None, account: str | None = None) -> list[dict]:
    """What was done to accounts (account, changed_by, changed_at, action, before, after), newest first, for an
    active admin ``by`` or the command line; of one account when ``account`` is given."""
    query = select(account_history).order_by(account_history.c.id.desc())
    if account is not None:
        query = query.where(account_history.c.account == account)
    with reading(engine) as connection:
        _check_admin(connection, by)
        return [{k: v for k, v in row._mapping.items() if k != "id"} for row in connection.execute(query)]


def _account(connection: Connection, name: str, by: str | None):
    """Inside a transaction: ``by`` may manage accounts, and the account ``name`` (its row) exists."""
    _check_admin(connection, by)
    row = connection.execute(select(users.c.id, users.c.role, users.c.active).where(users.c.name == name)).first()
    if row is None:
        raise UserError(f"no account named {name!r}")
    return row


def _check_admin(connection: Connection, by: str | None) -> None:
    if by is not COMMAND_LINE:
        require_role(connection, by, ADMIN_ROLES, "manage accounts")


def lock_seconds(failed_attempts: int) -> int:
    """How long a name waits (from one place) after this many failures in a row: nothing for the first few, then
    doubling."""
    if failed_attempts < FREE_FAILURES:
        return 0
    return min(2 ** (failed_attempts - FREE_FAILURES) * 5, MAX_LOCK_SECONDS)


@dataclass(frozen=True)
class SignIn:
    """The outcome of a sign-in: a session token and the user, or a message for the person."""

    user: User | None
    token: str | None
    message: str


WRONG = "Wrong name or password, or the account is deactivated."


def sign_in(engine: Engine, name: str, password: str, now: datetime | None = None, source: str = "unknown") -> SignIn:
    """Check a name and password; on success start a session. Failures of ``name`` from ``source`` count towards a
    growing wait, whether the account exists or not; the message and the work are the same for every failure."""
    now, source = now or datetime.now(UTC), source[:64]
    with engine.begin() as connection:
        row = connection.execute(select(users).where(users.c.name == name)).first()
        throttle = connection.execute(
            select(sign_in_throttle).where(sign_in_throttle.c.name == name[:100], sign_in_throttle.c.source == source)
        ).first()
        try:
            # Verified even when the name is unknown or waiting, so every answer costs the same.
            _hasher.verify(row.password_hash if row is not None else _dummy_hash(), password)
            ok = row is not None and row.active
        except (VerificationError, InvalidHashError):
            ok = False
        if throttle is not None and throttle.locked_until is not None and throttle.locked_until > now:
            wait = int((throttle.locked_until - now).total_seconds()) + 1
            return SignIn(None, None, f"Too many failed sign-ins with this name from here: try again in {wait} s.")
        if not ok:
            return SignIn(None, None, WRONG + _count_failure(connection, name[:100], source, throttle, now))
        connection.execute(
            delete(sign_in_throttle).where(sign_in_throttle.c.name == name, sign_in_throttle.c.source == source)
        )
        values = {"last_sign_in_at": now}
        if _hasher.check_needs_rehash(row.password_hash):
            values["password_hash"] = _hasher.hash(password)
        connection.execute(update(users).where(users.c.id == row.id).values(**values))
        token = secrets.token_urlsafe(32)
        connection.execute(
            insert(sessions).values(
                token_hash=_token_hash(token), user_id=row.id, created_at=now, expires_at=now + session_lifetime()
            )
        )
        return SignIn(User(row.name, row.role), token, f"Signed in as {row.name} ({row.role}).")


def _count_failure(connection: Connection, name: str, source: str, throttle, now: datetime) -> str:
    """Count one more failure of ``name`` from ``source``; the sentence that says how long the next try waits."""
    connection.execute(delete(sign_in_throttle).where(sign_in_throttle.c.last_failed_at < now - THROTTLE_KEPT))
    failed = (throttle.failed_attempts if throttle is not None else 0) + 1
    wait = lock_seconds(failed)
    values = {
        "failed_attempts": failed,
        "locked_until": now + timedelta(seconds=wait) if wait else None,
        "last_failed_at": now,
    }
    if throttle is None:
        connection.execute(insert(sign_in_throttle).values(name=name, source=source, **values))
    else:
        connection.execute(
            update(sign_in_throttle)
            .where(sign_in_throttle.c.name == name, sign_in_throttle.c.source == source)
            .values(**values)
        )
    return f" Wait {wait} s before the next try." if wait else ""


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def session_user(engine: Engine, token: str | None, now: datetime | None = None) -> User | None:
    """The active user a session token belongs to, or None when it is unknown, expired or deactivated."""
    if not token:
        return None
    now = now or datetime.now(UTC)
    with reading(engine) as connection:
        row = connection.execute(
            select(users.c.name, users.c.role, users.c.active, sessions.c.expires_at)
            .join(users, users.c.id == sessions.c.user_id)
            .where(sessions.c.token_hash == _token_hash(token))
        ).first()
    if row is None or not row.active or row.expires_at <= now:
        return None
    return User(row.name, row.role)


def sign_out(engine: Engine, token: str | None) -> None:
    if token:
        with engine.begin() as connection:
            connection.execute(delete(sessions).where(sessions.c.token_hash == _token_hash(token)))


def require_role(
    connection: Connection, name: str, roles: tuple[str, ...], what: str = "change follow-up entries"
) -> User:
    """Inside a transaction: the account ``name`` exists, is active and has one of ``roles``; else NotAllowed."""
    row = connection.execute(select(users.c.name, users.c.role, users.c.active).where(users.c.name == name)).first()
    if row is None or not row.active or row.role not in roles:
        raise NotAllowed(f"{name!r} may not {what}: an active account with the role {' or '.join(roles)} is needed")
    return User(row.name, row.role)
