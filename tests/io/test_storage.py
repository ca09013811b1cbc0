"""cleaner/io/storage.py against a real S3-compatible server: URIs, bucket checks, streaming reads of
plain, .gz and .zst shards (the same lines as from a local file), object identity."""

from __future__ import annotations

from pathlib import Path

import pytest

from cleaner.errors import UsageError, WorkerError
from cleaner.io.reader import read_lines
from cleaner.io.storage import file_identity, is_remote, location, remote, set_options, staging_dir
from cleaner.run.plan import discover_inputs, listing, split_plain_file, verify_unchanged
from tests.helpers import real_lines, write_lines
from tests.s3 import make_bucket, upload


def test_local_paths_stay_paths() -> None:
    assert location("out/v1") == Path("out/v1")
    assert location("file:///data/raw") == Path("/data/raw")
    assert location("s3://bucket/raw") == "s3://bucket/raw"
    assert not is_remote(Path("s3:/bucket"))  # a Path is local whatever its text
    assert is_remote("oss://bucket/x") and is_remote("hdfs://namenode/x")
    assert not is_remote("C:/data") and not is_remote("./x://y")


def test_staging_folder_is_one_per_dest(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("CLEANER_STAGING_DIR", str(tmp_path))
    first, second = staging_dir("s3://bucket/a"), staging_dir("s3://bucket/b")
    assert first.parent == tmp_path and first != second
    assert staging_dir("s3://bucket/a/") == first


def test_missing_bucket_and_unknown_protocol_are_usage_errors(s3_env: dict[str, str]) -> None:
    with pytest.raises(UsageError, match="the bucket does not exist"):
        remote("s3://no-such-bucket/out")
    with pytest.raises(UsageError, match="unknown storage protocol"):
        remote("nosuchprotocol://bucket/out")
    with pytest.raises(UsageError, match="no bucket"):
        remote("s3://")


def test_unreachable_endpoint_is_one_usage_error(s3_env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    from cleaner.io.storage import filesystem

    make_bucket(s3_env, "creds-bucket")
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")  # nothing listens on the discard port
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    filesystem.cache_clear()
    with pytest.raises(UsageError, match="cannot reach the storage"):
        remote("s3://creds-bucket/out")


def test_storage_option_sets_the_endpoint(s3_env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    make_bucket(s3_env, "option-bucket")
    monkeypatch.delenv("AWS_ENDPOINT_URL")
    set_options([f"endpoint_url={s3_env['AWS_ENDPOINT_URL']}"])
    assert remote("s3://option-bucket/x").root == "option-bucket/x"
    with pytest.raises(UsageError, match="KEY=VALUE"):
        set_options(["endpoint_url"])


@pytest.mark.parametrize("name", ["news.jsonl", "news.jsonl.gz", "news.jsonl.zst"])
def test_remote_lines_equal_local_lines(corpus_dir: Path, s3_env: dict[str, str], tmp_path: Path, name: str) -> None:
    lines = real_lines(corpus_dir, "zh/zh_news_peoples_daily_1998.jsonl", 300) + [b'{"text": "unterminated']
    local = write_lines(tmp_path / "src" / name, lines)
    fs = make_bucket(s3_env, "lines-bucket")
    upload(fs, tmp_path / "src", "lines-bucket/src")
    uri = f"s3://lines-bucket/src/{name}"
    compression = {"jsonl": "plain", "gz": "gzip", "zst": "zstd"}[name.rpartition(".")[2]]
    assert list(read_lines(uri, compression, 1 << 20)) == list(read_lines(local, compression, 1 << 20))
    assert file_identity(uri)[0] == local.stat().st_size


def test_remote_byte_ranges_and_plan_match_local(corpus_dir: Path, s3_env: dict[str, str], tmp_path: Path) -> None:
    local = write_lines(tmp_path / "src" / "wiki.jsonl", real_lines(corpus_dir, "zh/zh_wiki_cmrc2018.jsonl", 300))
    fs = make_bucket(s3_env, "ranges-bucket")
    upload(fs, tmp_path / "src", "ranges-bucket/src")
    uri = "s3://ranges-bucket/src/wiki.jsonl"
    chunks = split_plain_file(uri, 64 << 10, "s000000")
    assert len(chunks) > 3 and chunks == split_plain_file(local, 64 << 10, "s000000")
    middle = chunks[2]
    remote_lines = list(read_lines(uri, "plain", 1 << 20, middle.start, middle.end, middle.first_line))
    local_lines = list(read_lines(local, "plain", 1 << 20, middle.start, middle.end, middle.first_line))
    assert remote_lines == local_lines and remote_lines[0].number == middle.first_line


def test_a_remote_input_rewritten_during_the_run_fails_its_unit(s3_env: dict[str, str]) -> None:
    fs = make_bucket(s3_env, "change-bucket")
    fs.pipe_file("change-bucket/a.jsonl", b'{"text": "one"}\n{"text": "two"}\n')
    uri = "s3://change-bucket/a.jsonl"
    size, mtime_ns, _ = file_identity(uri)
    verify_unchanged(uri, "a.jsonl", size, mtime_ns, 16)  # the chunk still ends after a newline
    fs.pipe_file("change-bucket/a.jsonl", b'{"text": "one, longer"}\n')
    with pytest.raises(WorkerError, match="changed during the run"):
        verify_unchanged(uri, "a.jsonl", size, mtime_ns, 16)
    fs.rm_file("change-bucket/a.jsonl")
    with pytest.raises(WorkerError, match="was deleted"):
        verify_unchanged(uri, "a.jsonl", size, mtime_ns, None)


def test_remote_listing_skips_what_a_local_one_skips(s3_env: dict[str, str], tmp_path: Path) -> None:
    src = tmp_path / "src"
    write_lines(src / "a.jsonl", [b'{"text": "x"}'])
    write_lines(src / "sub" / "b.jsonl.gz", [b'{"text": "y"}'])
    write_lines(src / ".hidden.jsonl", [b'{"text": "z"}'])
    (src / "notes.txt").write_text("not input")
    fs = make_bucket(s3_env, "listing-bucket")
    upload(fs, src, "listing-bucket/src")
    found, skipped = discover_inputs("s3://listing-bucket/src")
    assert [rel for rel, _ in found] == ["a.jsonl", "sub/b.jsonl.gz"]
    assert found[1][1] == "s3://listing-bucket/src/sub/b.jsonl.gz"
    assert sorted(rel for rel, _ in skipped) == [".hidden.jsonl", "notes.txt"]
    before = listing(found)
    assert before[0]["size"] == (src / "a.jsonl").stat().st_size and before[0]["etag"]
    fs.pipe_file("listing-bucket/src/a.jsonl", b'{"text": "changed"}\n')
    assert listing(found)[0]["etag"] != before[0]["etag"]
    with pytest.raises(UsageError, match="does not exist"):
        discover_inputs("s3://listing-bucket/nothing-here")
