"""Issue 10: when a shipped file is damaged, every page says which file, row and column is wrong instead of showing
a traceback or an empty view. The damage is done to a copy of data/ named by $GIFT_DATA_DIR."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest

from gift_dash.data import DATA_DIR
from gift_ui.navigation import available_pages


@pytest.fixture
def damaged(tmp_path, monkeypatch):
    folder = tmp_path / "data"
    shutil.copytree(DATA_DIR, folder)
    (folder / "codebook.csv").write_text("id,group,label,score\na,1,x,0.5\n")  # as `groups --out` left it on main
    monkeypatch.setenv("GIFT_DATA_DIR", str(folder))
    return folder


@pytest.mark.parametrize("page", [path for path, *_ in available_pages()])
def test_every_page_names_the_damaged_file_instead_of_failing(damaged, open_page, page):
    at = open_page(page)  # asserts that no exception reached the page
    assert len(at.error) == 1
    message = at.error[0].value.replace("\\", "")  # markdown escapes out
    assert "The dashboard's data files are damaged, so nothing is shown." in message
    assert "codebook.csv: codebook lacks columns" in message
    assert f"the data in {damaged} cannot be used" in message
    drawn = [at.dataframe, at.get("plotly_chart"), at.get("vega_lite_chart")]
    assert not any(drawn)  # nothing drawn from the damaged data


def test_a_bad_cell_is_named_by_row_and_column(tmp_path, monkeypatch, open_page):
    folder = tmp_path / "data"
    shutil.copytree(DATA_DIR, folder)
    frame = pd.read_csv(folder / "recommendations.csv", dtype=str, keep_default_na=False)
    frame.loc[10, "themes"] = "prevention; preventon"
    frame.to_csv(folder / "recommendations.csv", index=False)
    monkeypatch.setenv("GIFT_DATA_DIR", str(folder))
    at = open_page("pages/overview.py")
    message = at.error[0].value.replace("\\", "")
    assert "recommendations.csv, row 12 (id kampala-2007-gen-h-i), column themes: unknown" in message
