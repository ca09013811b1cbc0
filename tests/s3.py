"""Clients of the object storage tests' S3 server (the `s3_server`/`s3_env` fixtures of conftest.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def client(env: dict[str, str]) -> Any:
    """A client of its own (no shared cache with the code under test)."""
    import s3fs

    return s3fs.S3FileSystem(
        key=env["AWS_ACCESS_KEY_ID"],
        secret=env["AWS_SECRET_ACCESS_KEY"],
        endpoint_url=env["AWS_ENDPOINT_URL"],
        skip_instance_cache=True,
        use_listings_cache=False,
    )


def make_bucket(env: dict[str, str], name: str) -> Any:
    fs = client(env)
    if not fs.exists(name):
        fs.mkdir(name)
    return fs


def upload(fs: Any, folder: Path, uri_path: str) -> None:
    """Every file under `folder` to `bucket/prefix`, same relative names."""
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            fs.put_file(str(path), f"{uri_path}/{path.relative_to(folder).as_posix()}")


def remote_bytes(fs: Any, uri_path: str) -> dict[str, bytes]:
    """Every kept and rejected Parquet object under `bucket/prefix`, by relative path (as output_bytes)."""
    found = {}
    for sub in ("kept", "rejected"):
        for key in sorted(fs.find(f"{uri_path}/{sub}")):
            if key.endswith(".parquet"):
                found[key[len(uri_path) + 1 :]] = fs.cat_file(key)
    return found
