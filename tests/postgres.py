"""A throwaway PostgreSQL cluster for tests: Debian's server binaries, a temporary folder, a unix socket only.

The cluster runs as an unprivileged account (initdb refuses root): the current user when it is not root, else
``nobody`` through ``runuser``. When the binaries are missing the tests fail, unless GIFT_TEST_POSTGRES=skip says
on purpose that this run goes without PostgreSQL (scripts/test.sh installs Debian's package otherwise).
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
from pathlib import Path

OPT_OUT_ENV = "GIFT_TEST_POSTGRES"


def server_bin() -> Path | None:
    """The newest /usr/lib/postgresql/N/bin with initdb and pg_ctl, or the folder of pg_ctl on PATH."""
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"),
        key=lambda p: int(Path(p).parts[-3]) if Path(p).parts[-3].isdigit() else 0,
    )
    if found:
        return Path(found[-1]).parent
    pg_ctl = shutil.which("pg_ctl")
    return Path(os.path.realpath(pg_ctl)).parent if pg_ctl and shutil.which("initdb") else None


class Cluster:
    """initdb + pg_ctl start in a temporary folder; ``url`` is a SQLAlchemy URL of database ``postgres``."""

    def __init__(self, bindir: Path):
        self.bindir = bindir
        self.root = Path(tempfile.mkdtemp(prefix="gift-pg-"))
        self.data, self.socket = self.root / "data", self.root / "socket"
        self.socket.mkdir()
        self.prefix: list[str] = []
        if os.geteuid() == 0:
            account = pwd.getpwnam("nobody")
            for path in (self.root, self.socket):
                os.chown(path, account.pw_uid, account.pw_gid)
            os.chmod(self.root, 0o755)
            self.prefix = ["runuser", "-u", "nobody", "--"]

    def _run(self, *args: str) -> None:
        result = subprocess.run([*self.prefix, *args], cwd=self.root, capture_output=True, text=True, timeout=120)
        if result.returncode:
            raise RuntimeError(f"{' '.join(args[:2])} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")

    def start(self) -> str:
        self._run(
            str(self.bindir / "initdb"),
            "-D",
            str(self.data),
            "-U",
            "gift",
            "--auth=trust",
            "--encoding=UTF8",
            "--no-instructions",
        )
        options = f"-c listen_addresses='' -c unix_socket_directories={self.socket} -c fsync=off"
        self._run(
            str(self.bindir / "pg_ctl"),
            "-D",
            str(self.data),
            "-o",
            options,
            "-w",
            "-t",
            "60",
            "-l",
            str(self.root / "server.log"),
            "start",
        )
        return f"postgresql+psycopg://gift@/postgres?host={self.socket}"

    def stop(self) -> None:
        try:
            self._run(str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)
