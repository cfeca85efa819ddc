"""Fixtures for the follow-up store's tests: a fresh store on SQLite and on a throwaway PostgreSQL cluster.

Registered for every test by tests/conftest.py.
"""

from __future__ import annotations

import itertools
import os
from datetime import date

import pytest
from argon2 import PasswordHasher
from sqlalchemy import create_engine, text

from gift_dash.followup import db, users
from tests.postgres import OPT_OUT_ENV, Cluster, server_bin

PASSWORD = "correct horse battery staple"
# The entry issue 23's sequences start from (In progress, a responsible body, target 2027-03-31, notes, evidence).
ENTRY = {
    "status": "in_progress",
    "responsible": "Ministry of Justice",
    "target_date": date(2027, 3, 31),
    "notes": "Working group set up",
    "evidence": "Decree 12/2026",
}
_databases = itertools.count(1)


@pytest.fixture(scope="module")
def cheap_hashes():
    """argon2 with the smallest cost: these tests are about the store's logic, and the real cost (RFC 9106
    parameters) takes over a second per hash on a loaded machine. test_followup_store checks the real hasher."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(users, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
        yield


@pytest.fixture(scope="session")
def postgres_cluster():
    if os.environ.get(OPT_OUT_ENV) == "skip":
        pytest.skip(f"{OPT_OUT_ENV}=skip: this run goes without PostgreSQL on purpose")
    bindir = server_bin()
    if bindir is None:
        pytest.fail(
            "PostgreSQL server binaries not found (/usr/lib/postgresql/*/bin/initdb): run "
            "`bash scripts/test.sh` (installs Debian's postgresql) or set "
            f"{OPT_OUT_ENV}=skip to run without the PostgreSQL tests",
            pytrace=False,
        )
    cluster = Cluster(bindir)
    try:
        url = cluster.start()
    except RuntimeError as exc:
        cluster.stop()
        pytest.fail(f"cannot start a throwaway PostgreSQL cluster: {exc}", pytrace=False)
    yield url
    cluster.stop()


def _postgres_database(cluster_url: str) -> str:
    """A new, empty database in the cluster; its URL."""
    name = f"t{os.getpid()}_{next(_databases)}"
    admin = create_engine(cluster_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return cluster_url.replace("/postgres?", f"/{name}?")


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request, tmp_path, monkeypatch):
    """The URL of a fresh, migrated store (SQLite in a temporary state folder, or a new PostgreSQL database)."""
    monkeypatch.setenv(db.STATE_DIR_ENV, str(tmp_path / "state"))
    if request.param == "sqlite":
        url = db.database_url()
    else:
        url = _postgres_database(request.getfixturevalue("postgres_cluster"))
    yield url
    db.dispose(url)


@pytest.fixture
def engine(store_url):
    return db.engine_for(store_url)


@pytest.fixture
def team(engine):
    """Accounts: ann and bob (editors), vic (viewer)."""
    for name, role in (("ann", "editor"), ("bob", "editor"), ("vic", "viewer")):
        users.add_user(engine, name, role, PASSWORD)
    return engine
