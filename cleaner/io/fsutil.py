"""Atomic file publication: nothing half-written ever appears under a final name."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

from cleaner.errors import OutputError


def temp_name(path: Path) -> Path:
    return path.with_name(f".{path.name}.tmp-{os.getpid()}")


def write_json_atomic(path: Path, value: Any) -> None:
    """Write JSON to a temporary name in the same folder, fsync, then rename over `path`."""
    tmp = temp_name(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(tmp, "w", encoding="utf-8") as fh:
            json.dump(value, fh, ensure_ascii=False, indent=1, sort_keys=False)
            fh.write("\n")
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except OSError as err:
        tmp.unlink(missing_ok=True)
        raise OutputError(f"cannot write {path}: {err.strerror or err}") from None


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
