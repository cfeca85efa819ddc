"""The only ways the program touches files: where the data lives, bounded reads, guarded atomic writes.

Every command that writes a file calls ``write_output`` (and ``check_output`` first, before doing any work):

    from gift_dash.safe_io import check_output, write_output
    check_output(args.out, inputs={"--input": args.input})   # refuse early, before computing anything
    ...
    write_output(args.out, data, inputs={"--input": args.input})

It refuses (``ProtectedPath``) a path inside the shipped data folder or ``$GIFT_DATA_DIR`` (symlinks and ``..``
resolved) or over one of the command's own inputs, and writes atomically: a temporary file
in the same folder, flushed to disk, then renamed over the target, so an interrupted command never leaves half a file
and never truncates anything it was not meant to.

Every file the program reads goes through ``read_bytes``: regular files only (a folder, FIFO, device or socket is
refused by name without being read, and a FIFO without blocking), at most ``limit + 1`` bytes ever read.
"""

from __future__ import annotations

import os
import re
import stat
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
MAX_FILE_BYTES = 20 * 1024 * 1024  # every table read, on the command line and uploaded on the page
_CHUNK = 1024 * 1024


class ReadError(Exception):
    """The file cannot be read as a table at all; the message says why and what was expected."""


class ProtectedPath(ValueError):
    """A write that would land in the data folder or on one of the command's inputs; the message names the file."""


class CannotWrite(OSError):
    """An output file cannot be written; the message names it and says why."""


DATA_DIR_ENV = "GIFT_DATA_DIR"  # another data folder to read (benchmarks, tests, other corpora)


def data_dir() -> Path:
    """The data folder the program reads: $GIFT_DATA_DIR when set, else data/."""
    return Path(os.environ.get(DATA_DIR_ENV) or DATA_DIR)


def protected_dirs() -> tuple[Path, ...]:
    """Folders nothing is ever written into: the shipped data/ and $GIFT_DATA_DIR, resolved."""
    return tuple(dict.fromkeys(Path(d).resolve() for d in (DATA_DIR, data_dir())))


# ------------------------------------------------------------------------------------------------ reading


def _kind(mode: int) -> str | None:
    """What a non-regular file is, in words (None for a regular file)."""
    for test, what in (
        (stat.S_ISDIR, "a folder"),
        (stat.S_ISFIFO, "a named pipe (FIFO)"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISSOCK, "a socket"),
    ):
        if test(mode):
            return what
    return None if stat.S_ISREG(mode) else "not a regular file"


def _not_regular(name: str, mode: int) -> ReadError | None:
    what = _kind(mode)
    if what is None:
        return None
    return ReadError(f"{name}: is {what}, not a regular file; expected a CSV text file or an .xlsx workbook")


def too_big(name: str, size: int | None, limit: int) -> str:
    """The message for a file over the limit (``size`` None: it grew past the limit while being read)."""
    stated = f"is {size / 2**20:.1f} MiB" if size is not None else f"holds more than {limit / 2**20:.0f} MiB"
    return f"{name}: the file {stated}; at most {limit // 2**20} MiB is accepted"


def read_bytes(path: Path | str, limit: int = MAX_FILE_BYTES, name: str | None = None) -> bytes:
    """The content of a regular file of at most ``limit`` bytes; ReadError (naming the file) for anything else.

    The type is checked before opening (opening a device can have effects) and again on the open descriptor (the
    path may have been swapped in between); O_NONBLOCK makes opening a FIFO return at once. At most ``limit + 1``
    bytes are read whatever the file claims its size is (/proc files and devices say 0).
    """
    name = name or str(path)
    try:
        refused = _not_regular(name, os.stat(path).st_mode)
        if refused:
            raise refused
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC)
    except OSError as exc:
        raise ReadError(f"{name}: cannot be read ({exc.strerror or exc})") from None
    try:
        info = os.fstat(fd)
        refused = _not_regular(name, info.st_mode)
        if refused:
            raise refused
        if info.st_size > limit:
            raise ReadError(too_big(name, info.st_size, limit))
        chunks, total = [], 0
        while total <= limit:
            chunk = os.read(fd, min(_CHUNK, limit + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
        if total > limit:
            raise ReadError(too_big(name, None, limit))
        return b"".join(chunks)
    except OSError as exc:
        raise ReadError(f"{name}: cannot be read ({exc.strerror or exc})") from None
    finally:
        os.close(fd)


# ------------------------------------------------------------------------------------------------ writing


def check_output(
    path: Path | str, inputs: Mapping[str, Path | str | None] | None = None, protected: Iterable[Path] | None = None
) -> Path:
    """Raise ProtectedPath unless ``path`` may be written; returns it resolved.

    Refused: a path inside a protected folder (default ``protected_dirs()``) once symlinks and ``..`` are resolved,
    the path of one of ``inputs`` ({option: path}, None values ignored), and a folder. A hard link needs no check:
    ``write_output`` replaces the name it is given, never the file another name points at.
    """
    shown = str(path)
    target = Path(path).resolve()
    folders = tuple(Path(d).resolve() for d in (protected_dirs() if protected is None else protected))
    for folder in folders:
        if target == folder or target.is_relative_to(folder):
            raise ProtectedPath(
                f"refusing to write {shown}: it is in the data folder {folder}, which the program "
                "only reads; choose a path outside it"
            )
    for option, given in (inputs or {}).items():
        if given is not None and target == Path(given).resolve():
            raise ProtectedPath(
                f"refusing to write {shown}: it is also the file given to {option}; choose another output path"
            )
    mode = _mode(path)
    if mode is None:
        return target  # a new file (or an unwritable place: write_output says so)
    if not (stat.S_ISREG(mode) or stat.S_ISCHR(mode) or stat.S_ISFIFO(mode)):
        raise ProtectedPath(f"refusing to write {shown}: it is {_kind(mode)}; give a file name")
    return target


PRIVATE_FILE_MODE, PRIVATE_DIR_MODE = 0o600, 0o700


def write_output(
    path: Path | str,
    data: bytes,
    inputs: Mapping[str, Path | str | None] | None = None,
    protected: Iterable[Path] | None = None,
    private: bool = False,
) -> Path:
    """Write ``data`` to ``path`` after ``check_output``, atomically; returns the resolved path. A ``private`` file
    (a backup: it holds password hashes) is readable by its owner only, whatever was there before.

    A temporary file in the target's folder is written, fsynced and renamed over the target, so the target is either
    the old file or the whole new one. A character device or FIFO (``--out /dev/stdout``) is written directly: it
    cannot be replaced, and must not be. Raises ProtectedPath, or CannotWrite naming the file and the reason.
    """
    target = check_output(path, inputs, protected)
    mode = _mode(path)
    try:
        if mode is not None and (stat.S_ISCHR(mode) or stat.S_ISFIFO(mode)):
            with open(path, "wb") as stream:  # as given: /dev/stdout resolves to a name that cannot be opened
                stream.write(data)
            return target
        _replace_atomically(
            target, data, PRIVATE_FILE_MODE if private else None if mode is None else stat.S_IMODE(mode)
        )
    except OSError as exc:
        raise CannotWrite(f"{path} ({exc.strerror or exc})") from None
    return target


def _mode(path: Path | str) -> int | None:
    """The mode of what ``path`` names (symlinks followed), None when nothing is there."""
    try:
        return os.stat(path).st_mode
    except OSError:
        return None


def _replace_atomically(target: Path, data: bytes, mode: int | None) -> None:
    fd, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        if mode is None:  # mkstemp makes the file private (0600); a new output gets the usual mode
            umask = os.umask(0)
            os.umask(umask)
            mode = 0o666 & ~umask
        os.chmod(temporary, mode)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    try:  # the rename itself reaches the disk with the folder's entry
        folder = os.open(target.parent, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return
    try:
        os.fsync(folder)
    except OSError:
        pass
    finally:
        os.close(folder)


# ------------------------------------------------------------------------------------------------ printing

# C0 controls but tab and newline, DEL and C1: ESC sequences recolour, move the cursor, retitle or hide text.
_TERMINAL_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def printable(text: object) -> str:
    """Text from input made safe to print on a terminal: each control character shown as an escape (\\x1b)."""
    return _TERMINAL_CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", str(text))
