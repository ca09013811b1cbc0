"""A DEST in object storage: the run works in a local staging folder exactly as in a local DEST,
and what it publishes there is uploaded to DEST, data first and completion markers last.

Object stores have no rename, but a PUT of one object is atomic: an object under its final key is
always complete. So `sync` uploads the staging folder's finished files (never `.tmp` names or
unfinished part folders) in an order that makes every remote state a consistent one: the plan and
manifest first (they say a run of ours is here), then data (Parquet, stats, signatures, dedup
result), then state, then the completion markers (`_state/done/<sid>.json`, the dedup and
repeated-lines summaries) and `summary.json` last. A marker seen in a walk was written after its
data, and markers are listed before data is, so no marker is ever uploaded ahead of its data.

A resume with an empty staging folder (another machine, a wiped cache) first fetches the remote
run's outputs and state (all but the dedup signatures), manifest last, so finished shards are not
redone: the staging folder holds a full copy of the output, as a local DEST would (the report reads
it). What was uploaded is recorded in `_state/pushed.json`; the run deletes or replaces only remote
objects it created: its own uploads, and on `--restart` the files its ledger lists.
"""

from __future__ import annotations

import itertools
import os
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from cleaner.errors import OutputError, UsageError
from cleaner.io.fsutil import read_json, temp_name, write_json_atomic
from cleaner.io.storage import Remote, against_cache, remote, staging_dir
from cleaner.run.layout import RunLayout
from cleaner.run.outputs import owned_files, shard_files
from cleaner.run.progress import log
from cleaner.run.remote_lease import LEASE, RemoteLease


@dataclass
class RemoteDest:
    """A remote DEST and its local staging folder (see the module docstring)."""

    remote: Remote
    staging: Path
    _had_run: bool = False
    _remote_files: dict[str, dict[str, Any]] = field(default_factory=dict)
    _checked: bool = False
    _last_sync: float = float("-inf")
    #: This run's hold on DEST (remote_lease.py), taken before anything there is read or changed.
    lease: RemoteLease | None = None

    @property
    def layout(self) -> RunLayout:
        return RunLayout(self.staging)

    @property
    def uri(self) -> str:
        return self.remote.uri

    def report_names(self) -> dict[str, str]:
        """The dataset and version names of the meta-info file: DEST's last two path parts, as for a
        local DEST (`s3://bucket/web/v1`: web, v1)."""
        parts = PurePosixPath(self.remote.root).parts
        return {"dataset": parts[-2], "version": parts[-1]} if len(parts) >= 2 else {}

    def _rel(self, path: Path) -> str:
        return path.relative_to(self.staging).as_posix()

    def close(self) -> None:
        """Give up the lease: another run may write DEST now."""
        if self.lease is not None:
            try:
                self.lease.release()
            except OSError as err:
                log(f"could not remove the lease {self.remote.uri_of(LEASE)} ({err}); it expires by itself")
            self.lease = None

    def open(self, restart: bool) -> None:
        """Before the run: fetch an earlier run's state when the staging folder lacks it, and on
        `--restart` delete the earlier run's own remote objects (the local ones go with discard_run)."""
        self._remote_files = self.remote.files()
        self._had_run = self._rel(self.layout.manifest) in self._remote_files
        manifest = self.layout.manifest
        if not self._had_run:
            self.layout.pushed.unlink(missing_ok=True)  # DEST holds nothing of ours (emptied since?)
        elif not manifest.exists():
            self._fetch(ledger_only=restart)
        elif self.remote.fs.cat_file(self.remote.key(self._rel(manifest))) != manifest.read_bytes():
            raise UsageError(
                f"the staging folder {self.staging} holds another run than the one in {self.uri} (their manifests "
                "differ); delete the staging folder, or give another --staging-dir, to resume from DEST"
            )
        if restart and self._had_run:
            self._discard()

    def _fetch(self, ledger_only: bool) -> None:
        """Bring the remote run into the staging folder; for a `--restart` only what names its files."""
        ledger = {*self._first(), self._rel(self.layout.outputs)}
        signatures = self._rel(self.layout.signatures_dir) + "/"
        wanted = [
            rel
            for rel in self._remote_files
            if rel != LEASE and (rel in ledger if ledger_only else not rel.startswith(signatures))
        ]
        wanted.sort(key=lambda rel: (self._fetch_rank(rel), rel))
        record = self._record()
        for rel in wanted:
            _download(self.remote, rel, self.staging / rel)
        ledger = self._ledger()
        for rel in wanted:
            record[rel] = self._entry(rel, ledger)
        self._save(record)
        log(f"fetched {len(wanted)} files of the run in {self.uri} into the staging folder {self.staging}")

    def _fetch_rank(self, rel: str) -> int:
        """Plan and manifest last: a fetch cut short leaves no manifest, so the next run fetches again."""
        return 9 if rel in self._first() else self._push_rank(rel)

    def _discard(self) -> None:
        layout = self.layout
        owned = {self._rel(path) for path in owned_files(layout)} if layout.manifest.exists() else set()
        state = self._rel(layout.state) + "/"
        doomed = sorted(rel for rel in self._remote_files if rel != LEASE and (rel in owned or rel.startswith(state)))
        for rel in doomed:
            self.remote.fs.rm_file(self.remote.key(rel))
            del self._remote_files[rel]
        self.layout.pushed.unlink(missing_ok=True)
        self._had_run = False
        log(f"--restart: removed {len(doomed)} objects of the earlier run in {self.uri}")

    def _first(self) -> set[str]:
        return {self._rel(self.layout.plan), self._rel(self.layout.manifest)}

    def _markers(self) -> tuple[str, set[str]]:
        layout = self.layout
        done = self._rel(layout.done_marker("x").parent) + "/"
        return done, {self._rel(layout.dedup_dir / "summary.json"), self._rel(layout.lines_summary)}

    def _push_rank(self, rel: str) -> int:
        layout = self.layout
        done, markers = self._markers()
        if rel == self._rel(layout.plan):
            return -1  # then the manifest: a DEST with a manifest always has its plan
        if rel == self._rel(layout.manifest):
            return 0
        if rel == self._rel(layout.summary):
            return 4
        if rel.startswith(done) or rel in markers:
            return 3
        data_state = (self._rel(layout.signatures_dir) + "/", self._rel(layout.dedup_dir) + "/")
        if rel.startswith(self._rel(layout.state) + "/") and not rel.startswith(data_state):
            return 2
        return 1

    def _skipped_dirs(self) -> set[Path]:
        layout = self.layout
        return {layout.parts_dir, layout.lines_units_dir, layout.lines_partitions_dir}

    def _walk(self) -> list[str]:
        """The staging folder's finished files, markers listed before everything else (see above)."""
        layout = self.layout
        local_only = {layout.run_record, layout.pushed}
        done_dir = layout.done_marker("x").parent
        found: list[str] = []
        for top in (done_dir, self.staging):
            for root, dirs, files in os.walk(top):
                root_path = Path(root)
                dirs[:] = [
                    d
                    for d in sorted(dirs)
                    if not d.startswith(".")
                    and not d.endswith(".tmp")
                    and root_path / d not in self._skipped_dirs()
                    and (top == done_dir or root_path / d != done_dir)
                ]
                for name in sorted(files):
                    path = root_path / name
                    if not name.startswith(".") and path not in local_only:
                        found.append(self._rel(path))
        return found

    def sync(self, at_most_every: float = 0.0) -> None:
        """Upload what the staging folder holds that DEST lacks, in the order of the module docstring;
        remove remote objects this run uploaded and has since released (replaced review samples).
        With `at_most_every`, skip the sync when the last one is more recent: each walks the staging
        folder, which for a run of many shards is too much to do after every shard."""
        if at_most_every and time.monotonic() - self._last_sync < at_most_every:
            return
        self._last_sync = time.monotonic()
        if not self._checked:
            self._refuse_foreign()
            self._checked = True
        record, ledger = self._record(), self._ledger()
        changed = []
        for rel in self._walk():
            entry = self._entry(rel, ledger) if (self.staging / rel).exists() else None
            if entry is not None and record.get(rel) != entry:
                changed.append((rel, entry))
        changed.sort(key=lambda item: (self._push_rank(item[0]), item[0]))
        for _, tier in itertools.groupby(changed, key=lambda item: self._push_rank(item[0])):
            batch = list(tier)
            self._upload([rel for rel, _ in batch])  # one tier at a time; within one, concurrently
            record.update(batch)
        released = self._released(record, ledger)
        for rel in released:
            self.remote.fs.rm_file(self.remote.key(rel))
            del record[rel]
        if changed or released:
            self._save(record)

    def _released(self, record: dict[str, Any], ledger: set[str]) -> list[str]:
        return sorted(
            rel
            for rel, entry in record.items()
            if entry.get("claimed") and rel not in ledger and not (self.staging / rel).exists()
        )

    def _refuse_foreign(self) -> None:
        """A remote DEST that holds no run of ours must not hold any file the run would write."""
        if self._had_run:
            return
        layout = self.layout
        fixed = [layout.summary, layout.schema, layout.report_json, layout.report_html]
        for path in [*shard_files(layout), *fixed]:
            if self._rel(path) in self._remote_files:
                raise UsageError(
                    f"{self.remote.uri_of(self._rel(path))} exists, and no run of this tool recorded it as its own; "
                    "choose an empty DEST (nothing was changed there)"
                )

    def _upload(self, rels: list[str]) -> None:
        try:
            self.remote.fs.put([str(self.staging / rel) for rel in rels], [self.remote.key(rel) for rel in rels])
        except OSError as err:
            raise OutputError(f"cannot upload to {self.uri}: {err}") from None

    def _entry(self, rel: str, ledger: set[str]) -> dict[str, Any]:
        """What an upload is recorded as: the local file's size and mtime, and whether the run's
        ledger claims it (a claimed file the run later releases is removed remotely too)."""
        stat = (self.staging / rel).stat()
        entry: dict[str, Any] = {"size": stat.st_size, "mtime_ns": stat.st_mtime_ns}
        if rel in ledger:
            entry["claimed"] = True
        return entry

    def _ledger(self) -> set[str]:
        return set(read_json(self.layout.outputs)) if self.layout.outputs.exists() else set()

    def _record(self) -> dict[str, Any]:
        return read_json(self.layout.pushed) if self.layout.pushed.exists() else {}

    def _save(self, record: dict[str, Any]) -> None:
        write_json_atomic(self.layout.pushed, record)


def _download(source: Remote, rel: str, local: Path) -> None:
    """Fetch one object to `local` through a temporary name, so a cut-short download is never taken
    for the file."""
    tmp = temp_name(local)
    try:
        local.parent.mkdir(parents=True, exist_ok=True)
        source.fs.get_file(source.key(rel), str(tmp))
        os.replace(tmp, local)
    except OSError as err:
        tmp.unlink(missing_ok=True)
        raise OutputError(f"cannot fetch {source.uri_of(rel)} to {local}: {err}") from None


def open_remote_dest(uri: str, staging: Path | None, restart: bool) -> RemoteDest:
    """Check the bucket (a UsageError before anything is created), then make the staging folder
    and bring it in step with DEST."""
    dest = RemoteDest(remote(uri), staging or staging_dir(uri))
    try:
        dest.staging.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise UsageError(f"cannot create the staging folder {dest.staging}: {err.strerror or err}") from None
    dest.lease = RemoteLease(dest.remote, str(dest.staging))
    dest.lease.acquire()
    try:
        dest.open(restart)
    except BaseException:
        dest.close()
        raise
    return dest


def fetch_finished_run(uri: str) -> Path:
    """`--dedup-against` a run in object storage: its summary, signatures and dedup result, fetched
    into a local cache folder that stands in for it. A cache whose summary.json is the remote one's
    is that run (a summary is written once, last) and is used as it is; any other is fetched anew."""
    source = remote(uri)
    cache = against_cache(uri)
    layout = RunLayout(cache)
    summary = layout.summary.relative_to(cache).as_posix()
    folders = tuple(path.relative_to(cache).as_posix() + "/" for path in (layout.signatures_dir, layout.dedup_dir))
    try:
        remote_summary = source.fs.cat_file(source.key(summary))
    except FileNotFoundError:
        raise UsageError(f"--dedup-against {uri}: not a finished run (no {summary})") from None
    if layout.summary.exists() and layout.summary.read_bytes() == remote_summary:
        return cache
    shutil.rmtree(cache, ignore_errors=True)  # our own cache folder, never a user's
    for name in sorted(name for name in source.files() if name.startswith(folders)):
        _download(source, name, cache / name)
    _download(source, summary, layout.summary)
    return cache
