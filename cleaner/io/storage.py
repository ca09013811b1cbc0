"""Object storage: a SOURCE, DEST or `--dedup-against` given as a URI (`s3://bucket/prefix`, `oss://`,
`hdfs://`, any protocol an installed fsspec implementation provides) is a filesystem and a path in it.

A local path never reaches fsspec: `location` keeps it a `Path`, and `open_binary`/`file_identity`
use the builtin `open` and `os.stat` for it, so local runs read exactly as before. Credentials and
endpoints come from the filesystem's own environment (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`,
`AWS_ENDPOINT_URL` for S3-compatible servers) or from `--storage-option KEY=VALUE`, which is kept in
`$CLEANER_STORAGE_OPTIONS` so the worker processes (spawned, or Ray's) see the same options.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path, PurePath, PurePosixPath
from typing import Any, BinaryIO

from cleaner.errors import UsageError

#: Where `--storage-option`s travel to worker processes: JSON {protocol: {option: value}}.
OPTIONS_VARIABLE = "CLEANER_STORAGE_OPTIONS"
#: The folder under which a remote DEST's default staging folder is made.
STAGING_VARIABLE = "CLEANER_STAGING_DIR"

#: Block size of remote reads: large enough that a sequential read is a few requests per shard.
REMOTE_BLOCK_BYTES = 8 << 20


_PROTOCOL = re.compile(r"[a-z][a-z0-9+.-]*")


def is_remote(location: str | os.PathLike[str]) -> bool:
    """A URI with a protocol other than `file://` (a `Path` is always local)."""
    if isinstance(location, PurePath):
        return False
    protocol, sep, _ = str(location).partition("://")
    return bool(sep) and _PROTOCOL.fullmatch(protocol) is not None and protocol != "file"


def location(text: str) -> Path | str:
    """A path as the engine keeps it: a `Path` when local (`file://` stripped), the URI when remote."""
    if is_remote(text):
        return text
    return Path(text.removeprefix("file://"))


def set_options(pairs: list[str]) -> None:
    """`--storage-option PROTOCOL.KEY=VALUE` (or `KEY=VALUE` for s3): kept in the environment so that
    workers started afterwards see them. A VALUE that parses as JSON is used as such (`true`, `5`)."""
    options: dict[str, dict[str, Any]] = json.loads(os.environ.get(OPTIONS_VARIABLE, "{}"))
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise UsageError(f"--storage-option {pair!r}: expected KEY=VALUE (e.g. endpoint_url=http://127.0.0.1:9000)")
        protocol, dot, option = key.rpartition(".")
        try:
            parsed = json.loads(value)
        except ValueError:
            parsed = value
        options.setdefault(protocol if dot else "s3", {})[option] = parsed
    os.environ[OPTIONS_VARIABLE] = json.dumps(options, sort_keys=True)
    filesystem.cache_clear()


def _options(protocol: str) -> dict[str, Any]:
    options = json.loads(os.environ.get(OPTIONS_VARIABLE, "{}")).get(protocol, {})
    if protocol in ("s3", "s3a") and "endpoint_url" not in options and os.environ.get("AWS_ENDPOINT_URL"):
        options = {**options, "endpoint_url": os.environ["AWS_ENDPOINT_URL"]}
    return options


@functools.lru_cache(maxsize=8)
def filesystem(protocol: str) -> Any:
    """The process's fsspec filesystem for `protocol`; an unknown protocol or a missing package is
    a UsageError naming what to install."""
    try:
        import fsspec
    except ImportError:
        raise UsageError(f"{protocol}:// needs fsspec: pip install 'corpus-cleaner[s3]'") from None
    try:
        cls = fsspec.get_filesystem_class(protocol)
    except ValueError:
        raise UsageError(f"unknown storage protocol {protocol}:// (no installed fsspec implementation)") from None
    except ImportError as err:
        hint = " (pip install 'corpus-cleaner[s3]')" if protocol in ("s3", "s3a") else ""
        raise UsageError(f"{protocol}:// needs a package that is not installed: {err}{hint}") from None
    try:
        return cls(**_options(protocol))
    except Exception as err:  # e.g. hdfs:// without libhdfs, an option the implementation does not take
        raise UsageError(f"cannot open {protocol}:// storage: {_one_line(err)}") from None


@dataclass(frozen=True)
class Remote:
    """A folder (or file) in object storage: `uri` as given, `root` the filesystem's path of it."""

    uri: str
    protocol: str
    root: str

    @property
    def fs(self) -> Any:
        return filesystem(self.protocol)

    def key(self, relative: str) -> str:
        return f"{self.root}/{relative}" if relative else self.root

    def uri_of(self, relative: str) -> str:
        return f"{self.protocol}://{self.key(relative)}"

    def files(self) -> dict[str, dict[str, Any]]:
        """Every object under the root, by path relative to it, with fsspec's info."""
        found = self.fs.find(self.root, detail=True)
        prefix = self.root + "/"
        return {
            name[len(prefix) :]: info
            for name, info in found.items()
            if name.startswith(prefix) and info["type"] == "file"
        }

    def exists(self, relative: str) -> bool:
        return self.fs.exists(self.key(relative))


def remote(uri: str) -> Remote:
    """Parse a URI and check that its bucket (its first path component) can be reached: a missing
    bucket, an unknown protocol or refused credentials are a UsageError before anything is created."""
    protocol, _, rest = uri.partition("://")
    root = rest.strip("/")
    if not root:
        raise UsageError(f"{uri}: no bucket or path after {protocol}://")
    fs = filesystem(protocol)
    bucket = root.split("/")[0]
    try:
        fs.info(bucket)  # not fs.exists: it answers False when the server cannot be reached
    except FileNotFoundError:
        raise UsageError(f"{protocol}://{bucket}: the bucket does not exist (nothing was created)") from None
    except PermissionError as err:
        raise UsageError(f"{protocol}://{bucket}: access denied ({err}); check the credentials") from None
    except Exception as err:  # botocore's credential and connection errors share no base class with OSError
        raise UsageError(f"{protocol}://{bucket}: cannot reach the storage: {_one_line(err)}") from None
    return Remote(uri, protocol, root)


def _one_line(err: BaseException) -> str:
    text = str(err).strip().splitlines()
    return f"{type(err).__name__}: {text[0] if text else ''}"


def _remote_parts(uri: str) -> tuple[Any, str]:
    protocol, _, rest = uri.partition("://")
    return filesystem(protocol), rest


def open_binary(path: Path | str) -> BinaryIO:
    """Open an input for reading: the builtin `open` for a local path, a streaming reader for a URI."""
    if isinstance(path, Path):
        return open(path, "rb")
    fs, key = _remote_parts(path)
    return fs.open(key, "rb", block_size=REMOTE_BLOCK_BYTES, cache_type="readahead")


def _mtime_ns(info: dict[str, Any]) -> int:
    value = info.get("LastModified") or info.get("mtime") or info.get("last_modified") or 0
    if isinstance(value, datetime):
        return int(value.timestamp()) * 1_000_000_000 + value.microsecond * 1000
    return int(float(value) * 1e9)


def identity(info: dict[str, Any]) -> tuple[int, int, str]:
    """(size, modification time in ns, version tag) from fsspec's info of an object."""
    etag = info.get("ETag") or info.get("etag") or info.get("md5") or ""
    return int(info["size"]), _mtime_ns(info), str(etag).strip('"')


def file_identity(path: Path | str) -> tuple[int, int, str]:
    """What tells whether an input changed: size, modification time and (remote) the object's ETag."""
    if isinstance(path, Path):
        stat = path.stat()
        return stat.st_size, stat.st_mtime_ns, ""
    fs, key = _remote_parts(path)
    fs.invalidate_cache(key)  # a listing cached by this process must not hide a rewrite
    return identity(fs.info(key))


def walk_files(source: Remote) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """(relative name, URI, info) of every object under a remote SOURCE, sorted by name; a SOURCE
    that names one object yields it alone."""
    info = source.fs.info(source.root)
    if info["type"] == "file":
        yield PurePosixPath(source.root).name, source.uri_of(""), info
        return
    for rel, entry in sorted(source.files().items()):
        yield rel, source.uri_of(rel), entry


def _staging_base() -> Path:
    return Path(os.environ.get(STAGING_VARIABLE) or Path.home() / ".cache" / "cleaner" / "staging")


def _digest(uri: str) -> str:
    return hashlib.sha1(uri.rstrip("/").encode()).hexdigest()[:16]


def staging_dir(uri: str) -> Path:
    """The default local staging folder of a remote DEST: `$CLEANER_STAGING_DIR/<hash>`, else
    `~/.cache/cleaner/staging/<hash>`, the hash of the URI so each DEST has its own."""
    return _staging_base() / _digest(uri)


def against_cache(uri: str) -> Path:
    """Where the signatures of a remote `--dedup-against` run are fetched: beside the staging
    folders, outside any run's DEST, so a `--restart` never discards them under a running phase."""
    return _staging_base() / "against" / _digest(uri)
