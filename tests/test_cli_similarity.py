"""`python -m gift_dash groups|neighbours`: columns, defaults (shipped annex II), any id+text CSV, exit codes."""

import subprocess
import sys

import pandas as pd
import pytest

from gift_dash.cli import main
from gift_dash.data import load_dataset, read_table


@pytest.fixture(scope="module")
def annex_ids():
    records = load_dataset().records
    return set(records.loc[records["source"] == "annex-ii", "id"])


def test_groups_default_is_every_shipped_annex_ii_record_once_in_its_own_group(tmp_path, annex_ids, capsys):
    out = tmp_path / "groups.csv"
    assert main(["groups", "--out", str(out)]) == 0
    frame = read_table(out)
    assert list(frame.columns) == ["id", "group", "label", "score", "also"]
    own = frame[frame["also"] == "False"]  # a record's second idea is a second row, also=True
    assert set(own["id"]) == annex_ids and len(own) == len(annex_ids)
    assert frame.loc[frame["also"] == "True", "id"].isin(annex_ids).all()
    assert "118 record(s)" in capsys.readouterr().out


def test_higher_threshold_gives_more_groups(tmp_path):
    low, high = tmp_path / "low.csv", tmp_path / "high.csv"
    assert main(["groups", "--threshold", "0.2", "--out", str(low)]) == 0
    assert main(["groups", "--threshold", "0.7", "--out", str(high)]) == 0
    assert read_table(high)["group"].nunique() > read_table(low)["group"].nunique()


def test_neighbours_columns_and_k(tmp_path, annex_ids):
    out = tmp_path / "near.csv"
    assert main(["neighbours", "-k", "2", "--out", str(out)]) == 0
    frame = read_table(out)
    assert list(frame.columns) == ["id", "rank", "neighbour_id", "score"]
    assert set(frame["rank"]) == {"1", "2"}
    assert set(frame["id"]) <= annex_ids and set(frame["neighbour_id"]) <= annex_ids


def test_neighbours_with_reason(tmp_path):
    out = tmp_path / "near.csv"
    assert main(["neighbours", "-k", "1", "--with-reason", "--out", str(out)]) == 0
    assert read_table(out).columns[-1] == "reason"


def test_any_csv_with_id_and_text_is_accepted(tmp_path):
    source = tmp_path / "mine.csv"
    pd.DataFrame(
        {
            "id": ["a", "b", "c"],
            "text": ["Train police officers", "Training of police and prosecutors", "=Fund shelters for victims"],
            "extra": ["x", "y", "z"],
        }
    ).to_csv(source, index=False)
    out = tmp_path / "groups.csv"
    assert main(["groups", "--input", str(source), "--out", str(out)]) == 0
    frame = read_table(out)
    assert sorted(frame["id"]) == ["a", "b", "c"]
    near = tmp_path / "near.csv"
    assert main(["neighbours", "--input", str(source), "--out", str(near)]) == 0
    pairs = set(zip(read_table(near)["id"], read_table(near)["neighbour_id"], strict=True))
    assert ("a", "b") in pairs and not any("c" in pair for pair in pairs)  # c shares no word with a or b


def test_formula_like_ids_are_neutralised_in_the_csv(tmp_path):
    source = tmp_path / "mine.csv"
    pd.DataFrame({"id": ["=cmd", "b"], "text": ["Train police", "Train police officers"]}).to_csv(source, index=False)
    out = tmp_path / "groups.csv"
    assert main(["groups", "--input", str(source), "--out", str(out)]) == 0
    assert "'=cmd" in set(read_table(out)["id"])


@pytest.mark.parametrize("columns, missing", [(["id", "body"], "text"), (["name", "text"], "id")])
def test_missing_id_or_text_is_exit_1_naming_the_column(tmp_path, capsys, columns, missing):
    source = tmp_path / "bad.csv"
    pd.DataFrame({c: ["x"] for c in columns}).to_csv(source, index=False)
    assert main(["groups", "--input", str(source), "--out", str(tmp_path / "o.csv")]) == 1
    err = capsys.readouterr().err
    assert f"missing column(s) {missing}" in err and "bad.csv" in err
    assert not (tmp_path / "o.csv").exists()


def test_unreadable_input_is_exit_2(tmp_path, capsys):
    assert main(["neighbours", "--input", str(tmp_path / "absent.csv"), "--out", str(tmp_path / "o.csv")]) == 2
    assert "cannot read" in capsys.readouterr().err


@pytest.mark.parametrize(
    "argv", [["groups", "--threshold", "1.5"], ["groups", "--threshold", "high"], ["neighbours", "-k", "0"], ["groups"]]
)
def test_bad_options_are_exit_2_with_usage(tmp_path, argv, capsys):
    extra = [] if argv == ["groups"] else ["--out", str(tmp_path / "o.csv")]
    assert main(argv + extra) == 2
    assert "usage:" in capsys.readouterr().err


def test_no_traceback_from_the_real_command(tmp_path):
    source = tmp_path / "bad.csv"
    source.write_text("id,text\na,one\na,two\n")
    done = subprocess.run(
        [sys.executable, "-m", "gift_dash", "groups", "--input", str(source), "--out", str(tmp_path / "o.csv")],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 1
    assert "duplicate id" in done.stderr and "Traceback" not in done.stderr
