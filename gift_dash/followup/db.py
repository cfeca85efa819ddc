"""Where the follow-up store lives and how to open it: SQLite in the state folder by default, PostgreSQL through
$GIFT_DATABASE_URL; the schema is brought up to date (Alembic) whenever a store is opened."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Connection, Engine, create_engine, event, inspect, text
from sqlalchemy.engine import make_url

from gift_dash.safe_io import PRIVATE_DIR_MODE, PRIVATE_FILE_MODE

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
STATE_DIR_ENV, DATABASE_URL_ENV = "GIFT_STATE_DIR", "GIFT_DATABASE_URL"
DB_FILE = "followup.sqlite3"
BUSY_TIMEOUT_MS = 10_000  # how long a SQLite writer waits for another one before giving up


def _private_file(path: Path) -> None:
    """The SQLite file (it holds password hashes) and its folder, readable by their owner only: made so before
    SQLite first opens it, whose WAL and shared-memory files then take the same mode, and set so on every open of
    an older store."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=PRIVATE_DIR_MODE)
    os.close(os.open(path, os.O_CREAT | os.O_RDWR, PRIVATE_FILE_MODE))
    for part in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        if part.exists():
            part.chmod(PRIVATE_FILE_MODE)


class StoreUnavailable(RuntimeError):
    """The store cannot be opened or brought up to date; the message says which store and why."""


def state_dir() -> Path:
    """$GIFT_STATE_DIR, else $XDG_STATE_HOME/gift-dash (~/.local/state/gift-dash): outside the repository, so
    neither a fresh checkout, ``git clean`` nor a new worktree loses follow-up work, and nothing lands in data/."""
    if os.environ.get(STATE_DIR_ENV):
        return Path(os.environ[STATE_DIR_ENV]).expanduser()
    base = Path(os.environ.get("XDG_STATE_HOME") or Path.home() / ".local" / "state")
    return base / "gift-dash"


def database_url() -> str:
    """$GIFT_DATABASE_URL (e.g. postgresql+psycopg://user@host/gift), else the SQLite file in the state folder."""
    url = os.environ.get(DATABASE_URL_ENV, "").strip()
    if url:
        return url
    return f"sqlite:///{state_dir() / DB_FILE}"


def describe(url: str) -> str:
    """The URL as it may be shown: without its password."""
    return make_url(url).render_as_string(hide_password=True)


def _sqlite_settings(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:
        # Transactions are begun by the "begin" hook below, not by the driver's guesswork.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")  # readers never wait for a writer
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA synchronous=NORMAL")  # durable in WAL mode up to the last checkpoint-safe commit
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        # A write takes the lock when it begins: a deferred transaction that reads first and then writes can fail
        # with "database is locked" at once, without waiting, when another writer committed in between.
        mode = "DEFERRED" if connection.get_execution_options().get("read_only") else "IMMEDIATE"
        connection.exec_driver_sql(f"BEGIN {mode}")


# Alembic is imported where a migration runs, not with this module: it takes most of a second that every page's
# first run would pay, and pages that only ask whether a store exists never migrate.
def _alembic_config(connection: Connection):
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


# The newest migration's revision (tests check it is Alembic's head). A store already there is recognised by one
# query, so a start does not import Alembic and read every migration script just to find nothing to do.
HEAD_REVISION = "0004"


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest revision (a no-op when it is there): run on every start."""
    if current_revision(engine) == HEAD_REVISION:
        return
    from alembic import command

    with engine.begin() as connection:
        command.upgrade(_alembic_config(connection), "head")


def current_revision(engine: Engine) -> str | None:
    """The store's schema revision, from the version table Alembic keeps; None for a store not yet made."""
    with reading(engine) as connection:
        if not inspect(connection).has_table("alembic_version"):
            return None
        return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    return ScriptDirectory(str(MIGRATIONS)).get_current_head()


_engines: dict[str, Engine] = {}
_lock = threading.Lock()


def engine_for(url: str | None = None) -> Engine:
    """The engine of a store (one per URL and process), created, migrated and checked on first use."""
    url = url or database_url()
    with _lock:
        if url in _engines:
            return _engines[url]
        parsed = make_url(url)
        if parsed.drivername == "postgresql":  # SQLAlchemy's default driver would be psycopg2, not installed
            parsed = parsed.set(drivername="postgresql+psycopg")
        try:
            if parsed.get_backend_name() == "sqlite":
                if parsed.database and parsed.database != ":memory:":
                    _private_file(Path(parsed.database))
                engine = create_engine(parsed, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000})
                _sqlite_settings(engine)
            else:
                engine = create_engine(parsed, pool_pre_ping=True)
            migrate(engine)
        except Exception as exc:  # noqa: BLE001 - any driver error becomes one message a person can act on
            raise StoreUnavailable(f"the follow-up store {describe(url)} cannot be opened: {exc}") from exc
        _engines[url] = engine
        return engine


def dispose(url: str | None = None) -> None:
    """Close a store's connections (tests, restore); the next engine_for opens it again."""
    with _lock:
        engine = _engines.pop(url or database_url(), None)
    if engine is not None:
        engine.dispose()


@contextmanager
def reading(engine: Engine) -> Iterator[Connection]:
    """A read-only transaction (on SQLite it does not take the write lock)."""
    with engine.connect() as connection:
        connection.execution_options(read_only=True)
        with connection.begin():
            yield connection
