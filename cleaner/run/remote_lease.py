"""One writer at a time for a DEST in object storage: a lease object, renewed while the run lives.

A local DEST holds the run record (`_state/run.json`) that refuses a second run; a remote DEST is
written through a staging folder on each machine, so two machines (or two staging folders) could
upload into one DEST and interleave. The run therefore writes `_state/lease.json` in DEST (host,
PID, process start time, staging folder) before it touches anything there, renews it every
RENEW_SECONDS from a daemon thread, and deletes it when it ends. A run finding another's lease is
refused with exit 2 unless the lease is stale: not renewed for LEASE_SECONDS (by the store's
clock: the object's modification time), or held by a process of this host that no longer exists
(a killed run resumed on its own machine does not wait). Object stores have no compare-and-swap,
so after writing its lease the run reads it back once SETTLE_SECONDS later: of two runs starting
within that window, the one whose lease was overwritten stops.
"""

from __future__ import annotations

import json
import os
import socket
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from cleaner.errors import UsageError
from cleaner.io.storage import Remote
from cleaner.run.records import is_same_process, process_start_time

LEASE = "_state/lease.json"
LEASE_SECONDS = 120.0
RENEW_SECONDS = 30.0
SETTLE_SECONDS = 1.0


def holder_alive(holder: dict[str, Any], age_seconds: float, host: str) -> bool:
    """Whether the run that wrote `holder` may still be writing DEST."""
    if holder.get("host") == host:
        return is_same_process(int(holder.get("pid", -1)), holder.get("start_time"))
    return age_seconds < LEASE_SECONDS


@dataclass
class RemoteLease:
    remote: Remote
    staging: str
    host: str = field(default_factory=socket.gethostname)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    @property
    def key(self) -> str:
        return self.remote.key(LEASE)

    def _mine(self) -> dict[str, Any]:
        pid = os.getpid()
        return {"host": self.host, "pid": pid, "start_time": process_start_time(pid), "staging": self.staging}

    def _read(self) -> tuple[dict[str, Any], float] | None:
        """The lease in DEST and its age in seconds, or None."""
        try:
            holder = json.loads(self.remote.fs.cat_file(self.key))
            modified = self.remote.fs.info(self.key).get("LastModified")
        except FileNotFoundError:
            return None
        except ValueError:
            return {}, LEASE_SECONDS  # unreadable: treat as stale
        if isinstance(modified, datetime):
            return holder, (datetime.now(timezone.utc) - modified).total_seconds()
        return holder, 0.0

    def _write(self) -> None:
        self.remote.fs.pipe_file(self.key, json.dumps(self._mine()).encode())

    def acquire(self) -> None:
        """Take the lease or raise UsageError naming the run that holds it; then renew it until release."""
        found = self._read()
        if found is not None and found[0] != self._mine() and holder_alive(found[0], found[1], self.host):
            holder, age = found
            raise UsageError(
                f"{self.remote.uri} is being written by another run (pid {holder.get('pid')} on "
                f"{holder.get('host')}, staging {holder.get('staging')}; its lease was renewed {age:.0f}s ago): "
                f"stop it first, or wait {LEASE_SECONDS:.0f}s after it died"
            )
        self._write()
        time.sleep(SETTLE_SECONDS)
        settled = self._read()
        if settled is None or settled[0] != self._mine():
            raise UsageError(f"another run took {self.remote.uri} at the same moment; nothing was changed there")
        self._thread = threading.Thread(target=self._renew, name="remote-lease", daemon=True)
        self._thread.start()

    def _renew(self) -> None:
        while not self._stop.wait(RENEW_SECONDS):
            try:
                self._write()
            except OSError:
                pass  # the next renewal retries; an unreachable store fails the run's own uploads

    def release(self) -> None:
        """Stop renewing and delete the lease if it is still this run's."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        found = self._read()
        if found is not None and found[0] == self._mine():
            self.remote.fs.rm_file(self.key)
