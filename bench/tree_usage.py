"""Wall time, CPU time and peak RSS of a command's whole process tree, fork-server workers included.

getrusage(RUSAGE_CHILDREN) counts a descendant only once it has been waited for all the way up.
The local executor's workers are children of multiprocessing's fork server, which can exit after
the run's main process, orphaned. This process makes itself a child subreaper (Linux prctl), so
such orphans are re-parented to it, and reaps them before it reads the usage.

The peak RSS getrusage gives is the largest of every child a process ever reaped, so `run_tree`
measures in a fresh process (this script with --report) whose only children are the command's
tree: measured in the caller, a command would carry an earlier command's peak (data-juicer's
1.3 GB showed up as ours in bench/vs_datajuicer.py).

As a script: `python bench/tree_usage.py CMD ...` runs CMD and prints "<peak RSS KiB> <CPU s>";
with `--report FILE` first it writes the whole TreeUsage to FILE as JSON instead.
"""

from __future__ import annotations

import ctypes
import dataclasses
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

_PR_SET_CHILD_SUBREAPER = 36


@dataclass
class TreeUsage:
    returncode: int
    wall: float
    cpu: float
    #: The largest single process's peak RSS in MB.
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
    with tempfile.TemporaryDirectory() as folder:
        report = Path(folder) / "usage.json"
        subprocess.run([sys.executable, str(Path(__file__).resolve()), "--report", str(report), *cmd], **popen)
        return TreeUsage(**json.loads(report.read_text()))


def _measure(cmd: list[str]) -> TreeUsage:
    """Run `cmd` as a child of this process, which must have reaped no other child before."""
    _become_subreaper()
    started = time.perf_counter()
    proc = subprocess.Popen(cmd)
    proc.wait()
    _reap_orphans()
    wall = time.perf_counter() - started
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return TreeUsage(proc.returncode, wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024)


if __name__ == "__main__":
    if sys.argv[1] == "--report":
        measured = _measure(sys.argv[3:])
        Path(sys.argv[2]).write_text(json.dumps(dataclasses.asdict(measured)))
    else:
        measured = _measure(sys.argv[1:])
        print(round(measured.peak_rss_mb * 1024), measured.cpu)
    sys.exit(measured.returncode)
