"""Atomic file publication: nothing half-written ever appears under a final name."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any, BinaryIO

from cleaner.errors import OutputError


def temp_name(path: Path) -> Path:
    return path.with_name(f".{path.name}.tmp-{os.getpid()}")


def start_folder(final: Path) -> Path:
    """A fresh, empty `<final>.tmp/` to fill; `publish_folder` makes it `final` when complete,
    so a folder under its final name is always a finished one."""
    tmp = final.with_name(final.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    try:
        tmp.mkdir(parents=True)
    except OSError as err:
        raise OutputError(f"cannot create {tmp}: {err.strerror or err}") from None
    return tmp


def publish_folder(tmp: Path, final: Path) -> None:
    shutil.rmtree(final, ignore_errors=True)
    try:
        tmp.rename(final)
    except OSError as err:
        raise OutputError(f"cannot rename {tmp} to {final}: {err.strerror or err}") from None


def write_atomic(path: Path, write: Callable[[BinaryIO], None]) -> None:
    """Let `write` fill a temporary file in the same folder, fsync, then rename it over `path`."""
    tmp = temp_name(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(tmp, "wb") as fh:
            write(fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except OSError as err:
        tmp.unlink(missing_ok=True)
        raise OutputError(f"cannot write {path}: {err.strerror or err}") from None


def write_json_atomic(path: Path, value: Any) -> None:
    """Write JSON atomically (see `write_atomic`)."""
    data = (json.dumps(value, ensure_ascii=False, indent=1, sort_keys=False) + "\n").encode("utf-8")
    write_atomic(path, lambda fh: fh.write(data))


def publish_copy(src: Path, dest: Path) -> None:
    """Make `dest` a complete copy of `src` (a hard link when possible, so no bytes are copied)."""
    tmp = temp_name(dest)
    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
        tmp.unlink(missing_ok=True)
        try:
            os.link(src, tmp)
        except OSError:
            shutil.copyfile(src, tmp)
        os.replace(tmp, dest)
    except OSError as err:
        tmp.unlink(missing_ok=True)
        raise OutputError(f"cannot write {dest}: {err.strerror or err}") from None


def read_json(path: Path) -> Any:
    with open(path, encoding="utf-8") as fh:
        return json.load(fh)
