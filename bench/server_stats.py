"""Shared by the server benchmarks (session_memory.py, load_sessions.py): a process's resident size and CPU time
from /proc, and a thread that keeps the peak resident size."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path


def rss_mib(pid: int) -> float:
    """Resident size of the process, MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time the process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Sampler(threading.Thread):
    """The process's resident size every 0.5 s; ``peak`` is the largest seen since start (or ``reset``)."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid, self.peak, self.running = pid, 0.0, True

    def reset(self) -> None:
        self.peak = rss_mib(self.pid)

    def run(self) -> None:
        while self.running:
            self.peak = max(self.peak, rss_mib(self.pid))
            time.sleep(0.5)
