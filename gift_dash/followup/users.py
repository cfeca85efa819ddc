"""Accounts and sign-in: argon2 password hashes, roles, deactivation, slowed-down failures, expiring sessions.

There is no default account: the first one is made with ``python -m gift_dash users add NAME --role admin``.
Listing, deactivating and reactivating accounts name who asks (``by``): an active admin in the dashboard, checked
here, or COMMAND_LINE for the CLI, whose user can reach the database anyway.
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
from gift_dash.followup.tables import ROLES, sessions, users

EDIT_ROLES = ("editor", "admin")  # who may change follow-up entries
ADMIN_ROLES = ("admin",)  # who may list, deactivate and reactivate accounts in the dashboard
COMMAND_LINE = None  # ``by`` of an account request made with the CLI
MIN_PASSWORD_CHARS = 10
MAX_PASSWORD_CHARS = 1_000
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,99}$")
SESSION_HOURS_ENV = "GIFT_SESSION_HOURS"
DEFAULT_SESSION_HOURS = 8.0  # a working day: signing in again each morning
FREE_FAILURES = 3  # failed sign-ins before each further one locks the account for a while
MAX_LOCK_SECONDS = 15 * 60

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


def add_user(engine: Engine, name: str, role: str, password: str, now: datetime | None = None) -> User:
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
                    failed_attempts=0,
                    locked_until=None,
                    created_at=now or datetime.now(UTC),
                )
            )
    except IntegrityError:
        raise UserError(f"an account named {name!r} exists already") from None
    return User(name, role)


def list_users(engine: Engine, *, by: str | None) -> list[dict]:
    """Every account (name, role, active, failed_attempts, locked_until, created_at, last_sign_in_at), by name,
    for an active admin ``by`` (else NotAllowed) or the command line."""
    with reading(engine) as connection:
        _check_admin(connection, by)
        rows = connection.execute(
            select(
                users.c.name,
                users.c.role,
                users.c.active,
                users.c.failed_attempts,
                users.c.locked_until,
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
        _check_admin(connection, by)
        if not active and by == name:
            raise UserError("you cannot deactivate your own account; another admin can")
        row = connection.execute(select(users.c.id).where(users.c.name == name)).first()
        if row is None:
            raise UserError(f"no account named {name!r}")
        connection.execute(update(users).where(users.c.id == row.id).values(active=active))
        if not active:
            connection.execute(delete(sessions).where(sessions.c.user_id == row.id))


def _check_admin(connection: Connection, by: str | None) -> None:
    if by is not COMMAND_LINE:
        require_role(connection, by, ADMIN_ROLES, "manage accounts")


def lock_seconds(failed_attempts: int) -> int:
    """How long the account waits after this many failures in a row: nothing for the first few, then doubling."""
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


def sign_in(engine: Engine, name: str, password: str, now: datetime | None = None) -> SignIn:
    """Check a name and password; on success start a session. Failures count towards a growing lock."""
    now = now or datetime.now(UTC)
    with engine.begin() as connection:
        row = connection.execute(select(users).where(users.c.name == name)).first()
        if row is not None and row.locked_until is not None and row.locked_until > now:
            wait = int((row.locked_until - now).total_seconds()) + 1
            return SignIn(None, None, f"Too many failed sign-ins for this account: try again in {wait} s.")
        try:
            _hasher.verify(row.password_hash if row is not None else _dummy_hash(), password)
            ok = row is not None and row.active
        except (VerificationError, InvalidHashError):
            ok = False
        if row is None:
            return SignIn(None, None, WRONG)
        if not ok:
            failed = row.failed_attempts + 1
            wait = lock_seconds(failed)
            connection.execute(
                update(users)
                .where(users.c.id == row.id)
                .values(failed_attempts=failed, locked_until=now + timedelta(seconds=wait) if wait else None)
            )
            return SignIn(None, None, WRONG + (f" Wait {wait} s before the next try." if wait else ""))
        values = {"failed_attempts": 0, "locked_until": None, "last_sign_in_at": now}
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
