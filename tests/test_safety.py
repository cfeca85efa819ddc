"""Issue 10: the command line under careless and hostile use. Nothing written into the data folder or over an input,
nothing read without bound, damaged shipped data stopped with a message, control characters never echoed raw.

Every test that could write works on a copy of data/ named by $GIFT_DATA_DIR; the real data/ is only ever compared,
before and after the module, never a target.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pandas as pd
import pytest

from gift_dash import safe_io
from gift_dash.cli import main
from gift_dash.data import DATA_DIR, ShippedDataError, check_shipped, load_dataset
from gift_dash.safe_io import ProtectedPath, ReadError, check_output, read_bytes, write_output
from gift_dash.upload import EXAMPLE_EVENT

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = (
    "recommendations.csv",
    "events.csv",
    "codebook.csv",
    "codebook_rules.csv",
    "ta_needs.csv",
    "workplan.csv",
    "responses.csv",
    "lexicon.csv",
)


def _digest(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="module", autouse=True)
def real_data_untouched():
    before = _digest(DATA_DIR)
    yield
    assert _digest(DATA_DIR) == before, "a test changed the real data/ folder"


@pytest.fixture
def data_copy(tmp_path, monkeypatch):
    """A copy of data/ as $GIFT_DATA_DIR, with the working directory beside it (so "data/x" is the copy)."""
    folder = tmp_path / "data"
    shutil.copytree(DATA_DIR, folder)
    monkeypatch.setenv("GIFT_DATA_DIR", str(folder))
    monkeypatch.chdir(tmp_path)
    return folder


def run(*args: str, timeout: float = 60, env: dict | None = None) -> subprocess.CompletedProcess:
    """The command as a person runs it (``python -m gift_dash``), from the repo root unless the env says."""
    return subprocess.run(
        [sys.executable, "-m", "gift_dash", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=ROOT,
        env={**os.environ, **(env or {})},
    )


# ------------------------------------------------------------------------------------ writes into the data folder

# Every command that writes, with the option that names the file it writes.
WRITERS = {
    "export csv": ["export", "--format", "csv", "--out"],
    "export xlsx": ["export", "--format", "xlsx", "--out"],
    "briefing": ["briefing", "--out"],
    "briefing pdf": ["briefing", "--out", "briefing.html", "--pdf"],
    "groups": ["groups", "--out"],
    "neighbours": ["neighbours", "--out"],
}


def _targets(folder: Path) -> dict[str, str]:
    """Ways of naming a shipped file (or a new file in the data folder) as an output path."""
    tmp = folder.parent
    (tmp / "sub").mkdir(exist_ok=True)
    link = tmp / "innocent.csv"
    link.symlink_to(folder / "ta_needs.csv")
    alias = tmp / "alias"
    alias.symlink_to(folder, target_is_directory=True)
    return {
        "absolute": str(folder / "recommendations.csv"),
        "relative": "data/events.csv",
        "dot-dot": "sub/../data/codebook.csv",
        "dot-dot twice": "./data/../data/recommendations.csv",
        "symlink to a file": str(link),
        "new file via a symlinked folder": str(alias / "new.csv"),
        "new file in the folder": "data/new-output.csv",
        "the folder itself": "data",
    }


@pytest.mark.parametrize("command", WRITERS)
def test_no_command_writes_into_the_data_folder(data_copy, capsys, command):
    before = _digest(data_copy)
    for how, target in _targets(data_copy).items():
        assert main([*WRITERS[command], target]) == 2, (command, how)
        err = capsys.readouterr().err
        assert f"refusing to write {Path(target)}" in err, (command, how, err)  # as argparse's Path spells it
        assert "which the program only reads" in err or "it is a folder" in err, (how, err)
    assert _digest(data_copy) == before
    assert not (data_copy.parent / "briefing.html").exists()  # refused before anything was written


def test_the_shipped_folder_is_protected_even_when_another_data_folder_is_in_use(data_copy):
    # Checked without writing: the real data/ is never a target of a test.
    for target in (DATA_DIR / "recommendations.csv", DATA_DIR / "source" / "x.txt", DATA_DIR / ".." / "data" / "y"):
        with pytest.raises(ProtectedPath, match="which the program only reads"):
            check_output(target)
    assert data_copy.resolve() in safe_io.protected_dirs() and DATA_DIR.resolve() in safe_io.protected_dirs()


@pytest.mark.parametrize(
    "command", [["export", "--format", "csv"], ["export", "--format", "xlsx"], ["groups"], ["neighbours"]]
)
def test_no_command_writes_over_its_own_input(data_copy, capsys, command):
    mine = data_copy.parent / "mine.csv"
    shutil.copy(data_copy / "recommendations.csv", mine)
    link = data_copy.parent / "link-to-mine.csv"
    link.symlink_to(mine)
    original = mine.read_bytes()
    for given, out in (("mine.csv", "mine.csv"), ("mine.csv", "./sub/../mine.csv"), (str(mine), str(link))):
        (data_copy.parent / "sub").mkdir(exist_ok=True)
        assert main([*command, "--input", given, "--out", out]) == 2
        err = capsys.readouterr().err
        assert f"refusing to write {Path(out)}: it is also the file given to --input" in err
    assert mine.read_bytes() == original


def test_the_pdf_may_not_replace_the_html(data_copy, capsys):
    assert main(["briefing", "--out", "b.html", "--pdf", "./b.html"]) == 2
    assert "refusing to write b.html: it is also the file given to --out" in capsys.readouterr().err
    assert not Path("b.html").exists()


def test_an_output_beside_the_data_is_written(data_copy, capsys):
    assert main(["export", "--format", "csv", "--out", "out.csv"]) == 0
    assert "wrote out.csv: 118 record(s)" in capsys.readouterr().out
    assert Path("out.csv").stat().st_size > 0


def test_a_write_is_atomic_an_interrupted_one_leaves_the_old_file(tmp_path, monkeypatch):
    target = tmp_path / "out.csv"
    target.write_bytes(b"old")
    target.chmod(0o640)
    write_output(target, b"new")
    assert target.read_bytes() == b"new" and (target.stat().st_mode & 0o777) == 0o640  # the mode is kept

    def interrupted(*_):
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        write_output(target, b"half")
    assert target.read_bytes() == b"new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.csv"]  # no temporary file left behind


def test_a_write_that_cannot_happen_names_the_file(tmp_path, data_copy, capsys):
    assert main(["export", "--format", "csv", "--out", str(tmp_path / "no" / "such" / "dir.csv")]) == 2
    err = capsys.readouterr().err
    assert f"cannot write: {tmp_path / 'no' / 'such' / 'dir.csv'}" in err and "No such file or directory" in err


def test_a_fifo_output_is_written_to_not_replaced(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()), daemon=True)
    reader.start()
    write_output(fifo, b"id,text\n")
    reader.join(timeout=10)
    assert received == [b"id,text\n"] and fifo.is_fifo()


def test_out_to_stdout_and_devnull_is_written_not_replaced():
    piped = run("export", "--format", "csv", "--out", "/dev/stdout")  # stdout is a pipe here
    assert piped.returncode == 0 and piped.stdout.startswith("\ufeff# GIFT Recommendations Dashboard")
    assert run("groups", "--out", os.devnull).returncode == 0
    assert Path(os.devnull).is_char_device()


# ------------------------------------------------------------------------------------------ bounded input


def test_a_device_is_refused_in_seconds():
    for args in (
        ["validate", "/dev/zero"],
        ["validate", "/dev/urandom"],
        ["export", "--format", "csv", "--input", "/dev/zero", "--out", os.devnull],
        ["groups", "--input", "/dev/zero", "--out", os.devnull],
        ["validate", "--events", "/dev/zero"],
    ):
        result = run(*args, timeout=30)
        assert result.returncode == 2, args
        assert "is a character device, not a regular file" in result.stderr, (args, result.stderr)
        assert "Traceback" not in result.stderr


def test_a_fifo_is_refused_without_waiting_for_a_writer(tmp_path):
    fifo = tmp_path / "records.csv"
    os.mkfifo(fifo)
    for args in (
        ["validate", str(fifo)],
        ["export", "--format", "csv", "--input", str(fifo), "--out", str(tmp_path / "out.csv")],
    ):
        result = run(*args, timeout=30)  # without O_NONBLOCK, open() would wait for a writer forever
        assert result.returncode == 2
        assert f"{fifo}: is a named pipe (FIFO), not a regular file" in result.stderr


def test_a_folder_is_refused_by_name(tmp_path, capsys):
    assert main(["validate", str(tmp_path)]) == 2
    assert f"cannot read: {tmp_path}: is a folder, not a regular file" in capsys.readouterr().err


def test_no_more_than_the_limit_plus_one_byte_is_read(tmp_path):
    # /proc files are regular files that say they are empty: only the read itself can find the limit.
    with pytest.raises(ReadError, match="holds more than"):
        read_bytes("/proc/self/smaps", limit=100)
    small = tmp_path / "small.csv"
    small.write_bytes(b"x" * 100)
    assert read_bytes(small, limit=100) == b"x" * 100
    with pytest.raises(ReadError, match="is 0.0 MiB; at most 0 MiB"):
        read_bytes(small, limit=99)


# ------------------------------------------------------------------------------------ damaged shipped data


def _damage(folder: Path, how: str) -> tuple[str, str]:
    """Damage one shipped file as the probe did; returns (file, text the message must hold)."""
    if how == "records replaced by groups output":
        (folder / "recommendations.csv").write_text("id,group,label,score\nkampala-2007-gen-a,1,x,0.5\n")
        return "recommendations.csv", "column text: required column 'text' is missing"
    if how == "records replaced by a briefing":
        (folder / "recommendations.csv").write_text("<!doctype html><html><body><h1>Briefing</h1></body></html>\n")
        return "recommendations.csv", "required column 'id' is missing"
    if how == "a bad theme":
        frame = pd.read_csv(folder / "recommendations.csv", dtype=str, keep_default_na=False)
        frame.loc[10, "themes"] = "prevention; preventon"
        frame.to_csv(folder / "recommendations.csv", index=False)
        return "recommendations.csv", "row 12 (id kampala-2007-gen-h-i), column themes"
    if how == "codebook replaced":
        (folder / "codebook.csv").write_text("id,rank,neighbour_id,score\na,1,b,0.3\n")
        return "codebook.csv", "codebook lacks columns"
    if how == "events unreadable":
        (folder / "events.csv").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
        return "events.csv", "this is a PNG image"
    if how == "ta_needs not numbers":
        (folder / "ta_needs.csv").write_text("ta_area,label_as_stated,percentage\nx,X,lots\n")
        return "ta_needs.csv", "row 2, column percentage: 'lots' is not a percentage"
    raise AssertionError(how)


DAMAGES = [
    "records replaced by groups output",
    "records replaced by a briefing",
    "a bad theme",
    "codebook replaced",
    "events unreadable",
    "ta_needs not numbers",
]


@pytest.mark.parametrize("how", DAMAGES)
def test_damaged_shipped_data_is_a_message_and_exit_2_for_every_command(data_copy, how, capsys):
    file, expected = _damage(data_copy, how)
    mine = data_copy.parent / "mine.csv"
    mine.write_text("id,text\na,Train police\nb,Train judges\n")
    for args in (
        ["export", "--format", "csv", "--out", "o.csv"],
        ["briefing", "--out", "o.html"],
        ["groups", "--out", "o.csv"],
        ["neighbours", "--out", "o.csv"],
        ["groups", "--input", str(mine), "--out", "o.csv"],
        ["validate", str(mine)],
    ):
        assert main(args) == 2, (how, args)
        err = capsys.readouterr().err
        assert f"the data in {data_copy} cannot be used" in err and f"{file}" in err and expected in err, (args, err)
        assert not Path("o.csv").exists() and not Path("o.html").exists()


@pytest.mark.parametrize("how", DAMAGES)
def test_validate_lists_the_problems_of_damaged_shipped_data(data_copy, how, capsys):
    file, expected = _damage(data_copy, how)
    assert main(["validate"]) == 1
    captured = capsys.readouterr()
    assert expected in captured.out and f"INVALID: shipped data in {data_copy}" in captured.err


def test_the_groups_crash_of_the_probe_is_a_message(data_copy):
    _damage(data_copy, "records replaced by groups output")
    result = run("groups", "--out", str(data_copy.parent / "g.csv"), env={"GIFT_DATA_DIR": str(data_copy)})
    assert result.returncode == 2
    assert "Traceback" not in result.stderr and "TypeError" not in result.stderr
    assert "recommendations.csv, column event_id: required column 'event_id' is missing" in result.stderr


def test_load_dataset_raises_with_every_problem(data_copy):
    _damage(data_copy, "a bad theme")
    with pytest.raises(ShippedDataError) as caught:
        load_dataset()
    # The misspelt value, and the codebook's rules it now breaks in the same cell (the parent's themes pass down).
    assert {(p.row, p.column) for p in caught.value.problems} == {(12, "themes")}
    assert any("unknown themes value 'preventon'" in p.message for p in caught.value.problems)
    assert check_shipped() == caught.value.problems
    assert check_shipped(DATA_DIR) == []


# ------------------------------------------------------------------------------------------- small ones


def test_validate_events_alone_checks_the_events_file(tmp_path, capsys):
    good = tmp_path / "events.csv"
    pd.DataFrame([EXAMPLE_EVENT]).to_csv(good, index=False)
    assert main(["validate", "--events", str(good)]) == 0
    assert f"valid: {good}: events file checked against the shipped events" in capsys.readouterr().out
    bad = tmp_path / "bad-events.csv"
    pd.DataFrame([EXAMPLE_EVENT | {"event_id": "kampala-2007", "start_date": "2009-13-45"}]).to_csv(bad, index=False)
    assert main(["validate", "--events", str(bad)]) == 1
    captured = capsys.readouterr()
    assert "duplicate event_id 'kampala-2007'" in captured.out and "column start_date" in captured.out
    assert f"INVALID: {bad}" in captured.err


ESCAPE = "\x1b[2J\x1b]0;owned\x07\x1b[31mred"


def test_control_characters_from_input_are_never_printed_raw(data_copy, capsys):
    assert main(["export", "--format", "csv", "--query", ESCAPE, "--out", "q.csv"]) == 0
    assert main(["export", "--format", "csv", "--theme", ESCAPE, "--out", "q.csv"]) == 1
    assert main(["export", "--format", ESCAPE, "--out", "q.csv"]) == 2
    named = data_copy.parent / f"bad{ESCAPE}.csv"
    named.write_text(f"id,event_id,text,themes\nx,kampala-2007,Train police,{ESCAPE}\n")
    assert main(["validate", str(named)]) == 1  # the cell is quoted in the message
    assert main(["validate", str(data_copy.parent / f"missing{ESCAPE}.csv")]) == 2
    captured = capsys.readouterr()
    for stream in (captured.out, captured.err):
        assert "\x1b" not in stream and "\x07" not in stream
    assert "\\x1b[2J\\x1b]0;owned\\x07" in captured.out  # shown as escapes, so a person sees what is there
    assert "invalid choice: '\\x1b[2J" in captured.err


def test_every_read_of_the_shipped_files_is_bounded(data_copy, monkeypatch):
    # The codebook, its change lists and ta_needs were read by pandas, the change lists without any limit; now every
    # file goes through read_table, and so through read_bytes.
    read = []
    original = safe_io.read_bytes
    monkeypatch.setattr(
        "gift_dash.data.read_bytes", lambda path, *a, **k: read.append(Path(path).name) or original(path, *a, **k)
    )
    load_dataset()
    changes = [p.name for p in (data_copy / "changes").glob("*.csv")]
    assert changes and sorted(read) == sorted([*SHIPPED, *changes])


def _bad_records(folder: Path) -> str:
    path = folder / "bad-records.csv"
    path.write_text("id,event_id,text,themes\nx-1,kampala-2007,Train police,protecton\n")
    return str(path)


def _duplicate_ids(folder: Path) -> str:
    path = folder / "dupes.csv"
    path.write_text("id,text\na,one\na,two\n")
    return str(path)


# Every way a command can fail that no test above names, with the exit code and the message a person gets.
FAILURES = [
    (["groups", "--threshold", "1.5", "--out", "o.csv"], 2, "expected a number between 0 and 1, got 1.5"),
    (["groups", "--threshold", "high", "--out", "o.csv"], 2, "expected a number between 0 and 1, got 'high'"),
    (["neighbours", "-k", "0", "--out", "o.csv"], 2, "expected a whole number of at least 1, got 0"),
    (["neighbours", "-k", "two", "--out", "o.csv"], 2, "expected a whole number of at least 1, got 'two'"),
    (["groups"], 2, "the following arguments are required: --out"),
    (["export", "--out", "o.csv"], 2, "the following arguments are required: --format"),
    ([], 2, "the following arguments are required: command"),
    (
        ["export", "--format", "csv", "--theme", "protecton", "--out", "o.csv"],
        1,
        "unknown value for --theme: 'protecton'; expected one of:",
    ),
    (
        ["export", "--format", "csv", "--input", _bad_records, "--out", "o.csv"],
        1,
        "problem(s); nothing exported (check with: python -m gift_dash validate",
    ),
    (["groups", "--input", _duplicate_ids, "--out", "o.csv"], 1, "INVALID:"),
    (["validate", "missing.csv"], 2, "cannot read: missing.csv: cannot be read (No such file or directory)"),
]


@pytest.mark.parametrize(
    "argv, code, message", FAILURES, ids=[" ".join(a[:2]) + f" ({m[:24]})" for a, _, m in FAILURES]
)
def test_every_failure_gives_its_message(data_copy, capsys, argv, code, message):
    argv = [a(data_copy.parent) if callable(a) else a for a in argv]
    assert main(argv) == code
    assert message in capsys.readouterr().err
    assert not Path("o.csv").exists()


# ------------------------------------------------------------------------------------------ server defaults


def _config() -> dict:
    import tomllib

    return tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())


def test_no_error_details_reach_the_screen():
    assert _config()["client"]["showErrorDetails"] == "none"


def _dashboard_address(tmp_path: Path, args: list[str], env: dict[str, str]) -> str:
    """The address `streamlit run` would bind to when scripts/dashboard.sh starts it (a stand-in streamlit that
    writes its arguments, in a copy of the scripts): the last --server.address given wins, as in Streamlit."""
    root = tmp_path / "project"
    shutil.copytree(ROOT / "scripts", root / "scripts")
    (root / "requirements.txt").write_text("")
    (root / "app.py").write_text("")
    (root / ".venv" / "bin").mkdir(parents=True)
    (root / ".venv" / "bin" / "python").symlink_to(sys.executable)
    streamlit = root / ".venv" / "bin" / "streamlit"
    streamlit.write_text('#!/bin/sh\nprintf "%s\\n" "$@" > "$(dirname "$0")/args"\n')
    streamlit.chmod(0o755)
    environ = {k: v for k, v in os.environ.items() if k != "GIFT_ADDRESS"} | env
    subprocess.run(["bash", str(root / "scripts" / "dashboard.sh"), *args], env=environ, check=True, timeout=120)
    given = (root / ".venv" / "bin" / "args").read_text().splitlines()
    return [given[i + 1] for i, arg in enumerate(given) if arg == "--server.address"][-1]


@pytest.mark.parametrize(
    ("args", "env", "address"),
    [
        ([], {}, "127.0.0.1"),
        (["--server.port", "8600"], {}, "127.0.0.1"),
        ([], {"GIFT_ADDRESS": "0.0.0.0"}, "0.0.0.0"),
        (["--server.address", "192.0.2.7"], {}, "192.0.2.7"),  # the person's own option wins
    ],
)
def test_the_dashboard_script_binds_to_loopback_unless_told(tmp_path, args, env, address):
    assert _dashboard_address(tmp_path, args, env) == address


def _listening_on(port: int) -> set[str]:
    """The local addresses a socket listens on at ``port``, from the kernel's own tables (/proc/net/tcp, tcp6): what
    the server bound to, seen the same on a machine with or without a network interface."""
    import ipaddress

    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        path = Path(table)
        assert path.parent.is_dir(), "this check reads Linux's /proc/net; it cannot run elsewhere"
        if not path.is_file():
            continue
        for line in path.read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, hex_port = local.split(":")
            if state == "0A" and int(hex_port, 16) == port:  # 0A: LISTEN
                raw = bytes.fromhex(address)  # each 32-bit word is in the machine's (little-endian) order
                words = b"".join(raw[i : i + 4][::-1] for i in range(0, len(raw), 4))
                found.add(str(ipaddress.ip_address(words)))
    return found


def test_the_server_does_not_listen_on_the_network_by_default(tmp_path):
    import socket
    import time

    from tests.browser.harness import free_port

    port = free_port()
    # As `streamlit run app.py` from the repo root: only .streamlit/config.toml decides the address.
    with open(tmp_path / "log", "wb") as log:
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "streamlit",
                "run",
                "app.py",
                "--server.port",
                str(port),
                "--server.headless",
                "true",
                "--server.fileWatcherType",
                "none",
            ],
            cwd=ROOT,
            stdout=log,
            stderr=log,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with socket.socket() as loopback:
                if loopback.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.3)
        else:
            pytest.fail("the server did not start: " + (tmp_path / "log").read_text()[-2000:])
        assert _listening_on(port) == {"127.0.0.1"}, "the server listens beyond this machine"
    finally:
        os.killpg(server.pid, 15)
        server.wait(timeout=20)
