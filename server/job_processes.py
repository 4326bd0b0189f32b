"""The job worker processes `gridwork serve` runs next to gunicorn (one command, stopped together)."""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import subprocess
import sys

_PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:  # pragma: no cover (runs in the child, before exec)
    with contextlib.suppress(OSError):  # no libc.so.6: on_exit still stops the workers
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


def start(count: int) -> list[subprocess.Popen]:
    gridwork = os.path.join(os.path.dirname(sys.executable), "gridwork")
    preexec = _die_with_parent if sys.platform.startswith("linux") else None
    return [subprocess.Popen([gridwork, "jobs", "worker"], preexec_fn=preexec) for _ in range(count)]


def stop(processes: list[subprocess.Popen], timeout: float = 10.0) -> None:
    for process in processes:
        if process.poll() is None:
            process.terminate()
    for process in processes:
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
