"""Keep freed tensor memory in the process instead of handing it back to the kernel.

glibc serves every allocation above 32 MiB with its own mmap and unmaps it on free, so each large
activation of a training step costs fresh page faults. On the sandboxed 2-core machines kinema is
developed on that made a TE Fusion step at 32 frames x 48 px 4.3x slower (4.2 s against 0.97 s; the
softmax over 256 x 4 x 144 x 144 scores alone went from 300 ms to 5 ms). glibc reads its tunables once,
at start-up, and `mallopt` from ctypes was measured not to help here, so an entry point that finds them
unset starts itself again with them set. `KINEMA_SYSTEM_MALLOC=1` turns this off.
"""

from __future__ import annotations

import os
import sys

TUNABLES = {"MALLOC_MMAP_MAX_": "0", "MALLOC_TRIM_THRESHOLD_": "100000000000"}


def heap_env(env: dict[str, str]) -> dict[str, str]:
    """env with the heap tunables added where they are not already set."""
    return {**TUNABLES, **env}


def reuse_heap() -> None:
    """Re-executes this Python process with the tunables set, once; returns at once when they are set."""
    if os.environ.get("KINEMA_SYSTEM_MALLOC") == "1" or all(k in os.environ for k in TUNABLES):
        return
    argv = [sys.executable, *sys.orig_argv[1:]]
    sys.stdout.flush()
    sys.stderr.flush()
    os.execve(sys.executable, argv, heap_env(dict(os.environ)))
