"""For every test: the follow-up store lives in a temporary state folder (never the person's own, never a shared
database), and the apps the tests start inherit it."""

import os

import pytest

# The follow-up store's fixtures (a store on SQLite and on a throwaway PostgreSQL cluster), for every test module.
from tests.followup_fixtures import cheap_hashes, engine, postgres_cluster, store_url, team  # noqa: F401


@pytest.fixture(scope="session", autouse=True)
def temporary_follow_up_store(tmp_path_factory):
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("GIFT_STATE_DIR", str(tmp_path_factory.mktemp("gift-state")))
        patch.delenv("GIFT_DATABASE_URL", raising=False)
        assert "GIFT_DATABASE_URL" not in os.environ
        yield
