"""The pages of the app and the router; the sidebar's page links carry the filters from page to page."""

from __future__ import annotations

import ast
import importlib
import importlib.util
from pathlib import Path

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager

ROOT = Path(__file__).resolve().parent.parent

# Every page of the app: (file, title, icon, url path). The url path is the file's stem on purpose: Streamlit,
# seeing a pages/ folder, runs the very first request after a server start in its older "pages directory" mode,
# which addresses pages by stem; with the same addresses, a shared link works in both modes (see
# ensure_navigation).
PAGES = [
    ("pages/overview.py", "Overview", ":material/public:", "overview"),
    ("pages/explore.py", "Explore records", ":material/search:", "explore"),
    ("pages/crosstab.py", "Cross-tab", ":material/grid_on:", "crosstab"),
    ("pages/recurring_ideas.py", "Recurring ideas", ":material/hub:", "recurring_ideas"),
    ("pages/vienna_echoes.py", "Vienna Forum echoes", ":material/campaign:", "vienna_echoes"),
    ("pages/briefing.py", "Briefing", ":material/description:", "briefing"),
    ("pages/response.py", "Planned response", ":material/assignment_turned_in:", "response"),
    ("pages/followup.py", "Follow-up", ":material/task_alt:", "followup"),
    ("pages/progress.py", "Follow-up progress", ":material/trending_up:", "progress"),
    ("pages/upload.py", "Add records", ":material/upload_file:", "upload"),
    ("pages/about.py", "About the data", ":material/info:", "about"),
    ("pages/record.py", "Record", ":material/article:", "record"),
]
# Pages reached through a link that names what they show (a record), not from the sidebar's menu.
NOT_IN_MENU = {"pages/record.py"}


def page_imports(path: str) -> list[str]:
    """The modules a page file imports, read from its source: ``import a.b`` gives a.b, ``from a import b`` gives
    a, and a.b where b is a module of a."""
    tree = ast.parse((ROOT / path).read_text(encoding="utf-8"), filename=path)
    names = []
    for node in tree.body:
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.append(node.module)
            names += [
                f"{node.module}.{alias.name}" for alias in node.names if _is_module(f"{node.module}.{alias.name}")
            ]
    return list(dict.fromkeys(names))


def _is_module(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except ModuleNotFoundError:  # its parent is not a package: a name defined in a module
        return False


def import_first_page_modules() -> None:
    """Import what the first page imports (app.py's warm-up, as the server starts): a cold start's first page
    then finds them loaded instead of spending most of a second importing them while its visitor waits."""
    for name in page_imports(PAGES[0][0]):
        importlib.import_module(name)


def available_pages() -> list[tuple[str, str, str, str]]:
    return [page for page in PAGES if (ROOT / page[0]).is_file()]


def navigation():
    """Page setup and the router (app.py runs what it returns). The navigation is hidden: the sidebar links are
    drawn by page_links so they carry the filters. No icons: a page's Material icon becomes the favicon, which
    the browser would fetch from fonts.gstatic.com."""
    st.set_page_config(page_title="GIFT Recommendations Dashboard", layout="wide", initial_sidebar_state="expanded")
    # The default page is served at "/", yet Streamlit still reserves a path for it; given "home", it leaves
    # "overview" to a hidden second page for the same file, so "/overview" typed or shared by hand opens the
    # Overview instead of a "Page not found" dialog. Links to the file still go to "/" (the first page for it).
    default, title, _, url_path = PAGES[0]
    pages = [
        st.Page(path, title=title, url_path="home" if path == default else url_path, default=path == default)
        for path, title, _, url_path in available_pages()
    ]
    pages.append(st.Page(default, title=title, url_path=url_path, visibility="hidden"))
    return st.navigation(pages, position="hidden")


def ensure_navigation() -> None:
    """When Streamlit ran a page file directly (its pages-directory mode, first request after a start), register
    the app's navigation and run again through it: the page then has the identity app.py gives it, so the
    widgets' state survives the person's first click (otherwise the page 'changes' under them once).

    PagesManager.uses_pages_directory is not public API; Streamlit offers no public way to tell the two modes
    apart, and the folder must be called pages/ (the project's layout)."""
    if PagesManager.uses_pages_directory:
        navigation()
        # Only for a browser (it sends headers): AppTest addresses pages by file, so there is nothing to fix, and
        # a rerun there would swallow the test's next click.
        if st.context.headers:
            st.rerun()


def page_links(params: dict[str, list[str]]) -> None:
    """A link to every page, carrying the filters in ``params``."""
    for path, title, icon, _ in available_pages():
        if path in NOT_IN_MENU:
            continue
        st.page_link(path, label=title, icon=icon, query_params=params)
