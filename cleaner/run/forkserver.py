"""The fork server the local executor's workers are forked from, started as early as a run can.

Workers fork from a server that has imported FORKSERVER_PRELOAD once, instead of importing it
each (about 1 CPU s per worker). The server starts clean, as a spawned process does, so no
thread or state of the driver is forked. Its imports take ~0.7 s; started before the driver's
own imports and checks, they run beside them on a second core instead of after them.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.forkserver
from multiprocessing.context import BaseContext

#: A third of the per-worker import time is pandas, which pyarrow imports on first use when it is
#: installed (a name that is not installed is skipped).
FORKSERVER_PRELOAD = ["cleaner.run.engine", "pandas"]


def fork_context() -> BaseContext:
    """The forkserver context, with the preload set."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(FORKSERVER_PRELOAD)
    return context


def start_fork_server() -> None:
    """Start the server now (it keeps running until this process exits; a pool reuses it)."""
    fork_context()
    multiprocessing.forkserver.ensure_running()
