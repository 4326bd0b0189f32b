"""What a process holds from start-up, kept out of the garbage collector's full passes.

A worker's start-up leaves some hundreds of thousands of long-lived objects (the Flask app, the schemas, the
forms and policies, the libraries' own tables). Every full (oldest-generation) collection walks all of them;
a request that builds a large answer (a district's targets board: 8,000 figures) sets off such collections,
and each cost about 90 ms of CPU, so one request in ten took five times as long as the others. ``gc.freeze``
moves what exists at that moment into a generation the collector never walks (they stay alive, as they
would anyway). Measured in docs/performance.md ("Targets board"): CPU per board p95 120 -> 27 ms."""

from __future__ import annotations

import gc


def freeze_start_up() -> None:
    """Call once the process has loaded everything it keeps (after the app is made)."""
    gc.collect()
    gc.freeze()
