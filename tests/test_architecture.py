"""The layers hold: the core (gift_dash) imports neither Streamlit nor the UI layer, directly or through what it
imports; pages reach the core through gift_ui and gift_dash only."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CORE = sorted((ROOT / "gift_dash").rglob("*.py"))


def imported(path: Path) -> list[tuple[int, str]]:
    """(line, module) of every import statement in a file, relative imports resolved to gift_dash."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            out.append((node.lineno, ("gift_dash." if node.level else "") + (node.module or "")))
    return out


@pytest.mark.parametrize("path", CORE, ids=lambda p: str(p.relative_to(ROOT)))
def test_the_core_imports_no_streamlit_and_no_ui(path):
    bad = [
        (line, module) for line, module in imported(path) if module.split(".")[0] in ("streamlit", "gift_ui", "pages")
    ]
    assert not bad, f"{path.relative_to(ROOT)} imports {bad}: the core must run without Streamlit"


def test_importing_every_core_module_loads_no_streamlit():
    # Alembic runs the migration scripts itself (they need its context); every other module is imported.
    modules = [
        ".".join(p.relative_to(ROOT).with_suffix("").parts)
        for p in CORE
        if p.name != "__main__.py" and "migrations" not in p.parts
    ]
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name.removesuffix('.__init__'))\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('streamlit', 'gift_ui')))"
    )
    run = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "[]", f"loaded through an import: {run.stdout.strip()}"


PROJECT_FILES = sorted(
    p
    for folder in ("gift_dash", "gift_ui", "pages", "bench", "tests", "scripts")
    for p in (ROOT / folder).rglob("*.py")
) + [ROOT / "app.py"]


def _uses_sys_path(path: Path) -> bool:
    return any(
        isinstance(node, ast.Attribute) and node.attr == "path" and getattr(node.value, "id", "") == "sys"
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path)))
    )


def test_nothing_patches_sys_path():
    # The project installs (pip install -e .) and bench scripts run as `python -m bench.NAME`: an import that
    # only works through a patched sys.path breaks for the next engineer running it another way.
    assert [str(p.relative_to(ROOT)) for p in PROJECT_FILES if _uses_sys_path(p)] == []


def test_the_server_start_imports_what_the_first_page_imports():
    # `streamlit run app.py` serves app.py's st.App, whose start (app._lifespan) imports the first page's modules
    # in the background, so that a cold start's first page does not import them while its visitor waits.
    from streamlit.web.server.app_discovery import discover_asgi_app

    from gift_ui.navigation import PAGES, page_imports

    assert discover_asgi_app(ROOT / "app.py").app_name == "app"
    names = page_imports(PAGES[0][0])
    # `from gift_dash import response` names the module, not only the package; `from datetime import UTC` the module
    assert {"gift_ui", "gift_dash.response", "datetime"} <= set(names)
    assert not {"datetime.UTC", "datetime.datetime"} & set(names)
    code = (
        "import sys\nfrom gift_ui.navigation import import_first_page_modules\nimport_first_page_modules()\n"
        "print(sorted(m for m in ('pandas', 'sqlalchemy', 'gift_dash.vega', 'gift_dash.similarity') if m in sys.modules))"
    )
    run = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "['gift_dash.similarity', 'gift_dash.vega', 'pandas', 'sqlalchemy']"
