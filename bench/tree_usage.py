"""Wall time, CPU time and peak RSS of a command's whole process tree, fork-server workers included.

getrusage(RUSAGE_CHILDREN) counts a descendant only once it has been waited for all the way up.
The local executor's workers are children of multiprocessing's fork server, which can exit after
the run's main process, orphaned. This process makes itself a child subreaper (Linux prctl), so
such orphans are re-parented to it, and reaps them before it reads the usage.

As a script: `python bench/tree_usage.py CMD ...` runs CMD and prints "<peak RSS KiB> <CPU s>".
"""

from __future__ import annotations

import ctypes
import os
import resource
import subprocess
import sys
import time
from dataclasses import dataclass
from typing import Any

_PR_SET_CHILD_SUBREAPER = 36


@dataclass
class TreeUsage:
    returncode: int
    wall: float
    cpu: float
    #: The largest single process's peak RSS in MB (the tree's, over every process reaped so far).
    peak_rss_mb: float


def _become_subreaper() -> None:
    if ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_CHILD_SUBREAPER) failed")


def _reap_orphans() -> None:
    while True:
        try:
            os.wait()
        except ChildProcessError:
            return


def run_tree(cmd: list[str], **popen: Any) -> TreeUsage:
    """Run `cmd` (Popen keyword arguments as given) and measure it with everything it started."""
    _become_subreaper()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, **popen)
    proc.wait()
    _reap_orphans()
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return TreeUsage(proc.returncode, wall, cpu, after.ru_maxrss / 1024)


if __name__ == "__main__":
    usage = run_tree(sys.argv[1:])
    print(round(usage.peak_rss_mb * 1024), usage.cpu)
    sys.exit(usage.returncode)
