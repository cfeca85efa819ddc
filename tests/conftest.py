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


@pytest.fixture(autouse=True)
def _links_derived_afresh_under_mutation():
    """Under mutmut (scripts/mutation.sh sets MUTANT_UNDER_TEST), every test derives the response links again: mutmut
    runs for a mutant only the tests it saw call the mutated function, and response.links() fills its cache once per
    process, so only the first test would be seen calling thematic_links and _links."""
    if "MUTANT_UNDER_TEST" in os.environ:
        from gift_dash import response

        response._LINKS.clear()
    yield
