"""Runs whose SOURCE, DEST or --dedup-against are in object storage, on a real S3-compatible server
(moto's, on 127.0.0.1): the output objects are byte for byte those of a local run of the same input;
a run stopped, SIGKILLed and resumed (also from another machine's empty staging folder) ends
identical; a bucket that does not exist is one line and exit 2 with nothing created; objects the run
did not write are never deleted or overwritten."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from cleaner.io.storage import staging_dir
from cleaner.run.records import process_start_time
from cleaner.run.remote_dest import open_remote_dest
from cleaner.run.remote_lease import LEASE, LEASE_SECONDS, holder_alive
from tests.helpers import MALFORMED, PROJECT, cli, output_bytes, real_lines, wait_for, write_lines, write_recipe
from tests.s3 import client, make_bucket, remote_bytes, upload

ARGS = ["--workers", "2", "--progress-seconds", "0.2"]  # two workers finalise while the driver uploads
ONE = ["--workers", "1"]  # where concurrency is not the point: each worker process costs seconds to start


def _small_source(corpus_dir: Path, root: Path) -> Path:
    """Plain, .gz and .zst shards of real text with duplicates across shards and malformed lines."""
    src = root / "src"
    news = real_lines(corpus_dir, "zh/zh_news_peoples_daily_1998.jsonl", 60)
    web = real_lines(corpus_dir, "en/en_web_pages_maintext.jsonl", 30)
    write_lines(src / "zh" / "news.jsonl", news + MALFORMED)
    write_lines(
        src / "zh" / "news_again.jsonl.gz", news[:20] + real_lines(corpus_dir, "zh/zh_wechat_articles.jsonl", 20)
    )
    write_lines(src / "en" / "web.jsonl.zst", web)
    return src


@pytest.fixture(scope="module")
def reference(corpus_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The small source and its local run with the mixed recipe (dedup included)."""
    root = tmp_path_factory.mktemp("reference")
    src = _small_source(corpus_dir, root)
    dest = root / "dest"
    done = cli("run", str(src), str(dest), "--recipe", "mixed", *ARGS, env={"CLEANER_RUNS_DIR": str(root / "runs")})
    assert done.returncode == 0, done.stderr
    return src, dest


def _totals(summary: bytes) -> dict:
    """The run's counts (not its timings)."""
    totals = json.loads(summary)["totals"]
    return {key: totals[key] for key in ("read", "kept", "rejected", "malformed", "chars_out")}


@pytest.fixture(scope="module")
def remote_run(
    reference: tuple[Path, Path], s3_server: dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> tuple[subprocess.CompletedProcess, dict[str, str]]:
    """The reference source uploaded and run s3 -> s3 (s3://e2e-bucket/raw -> s3://e2e-bucket/clean/v1);
    returns the finished CLI and the environment it ran in."""
    src, _ = reference
    root = tmp_path_factory.mktemp("remote_run")
    env = {**s3_server, "CLEANER_STAGING_DIR": str(root / "staging"), "CLEANER_RUNS_DIR": str(root / "runs")}
    upload(make_bucket(env, "e2e-bucket"), src, "e2e-bucket/raw")
    done = cli("run", "s3://e2e-bucket/raw", "s3://e2e-bucket/clean/v1", "--recipe", "mixed", *ARGS, env=env)
    assert done.returncode == 0, done.stderr
    return done, env


def test_s3_to_s3_output_is_the_local_runs(
    reference: tuple[Path, Path], remote_run: tuple[subprocess.CompletedProcess, dict[str, str]]
) -> None:
    _, local = reference
    done, env = remote_run
    fs = client(env)
    assert "output in s3://e2e-bucket/clean/v1" in done.stdout
    expected = output_bytes(local)
    assert len(expected) == 6 and remote_bytes(fs, "e2e-bucket/clean/v1") == expected
    summary = fs.cat_file("e2e-bucket/clean/v1/summary.json")
    assert _totals(summary) == _totals((local / "summary.json").read_bytes())
    assert json.loads(summary)["dest"] == "s3://e2e-bucket/clean/v1"
    for name in ("schema.json", "report.html", "clean-meta-info-v1.json", "stats/zh/news.json", "_state/outputs.json"):
        assert fs.exists(f"e2e-bucket/clean/v1/{name}"), name
    assert fs.cat_file("e2e-bucket/clean/v1/schema.json") == (local / "schema.json").read_bytes()
    assert fs.exists("e2e-bucket/clean/v1/_state/dedup/summary.json")
    assert not [key for key in fs.find("e2e-bucket/clean/v1") if "/_state/parts/" in key or ".tmp" in key]
    status = cli("status", "s3://e2e-bucket/clean/v1", env=env)
    assert "finished" in status.stdout and f"{_totals(summary)['read']} read" in status.stdout
    report = cli("report", "s3://e2e-bucket/clean/v1", "--seed", "7", env=env)  # redraws the samples
    assert report.returncode == 0 and "s3://e2e-bucket/clean/v1/report.html" in report.stdout, report.stderr
    staging = Path(env["CLEANER_STAGING_DIR"]) / staging_dir("s3://e2e-bucket/clean/v1").name
    assert json.loads(fs.cat_file("e2e-bucket/clean/v1/report.json")) == json.loads(
        (staging / "report.json").read_text()
    )
    samples = sorted(p.relative_to(staging).as_posix() for p in (staging / "samples").iterdir())
    assert sorted(key.split("/v1/", 1)[1] for key in fs.find("e2e-bucket/clean/v1/samples")) == samples


def test_local_to_s3_and_s3_to_local(
    corpus_dir: Path, s3_env: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Either side remote, with the endpoint given as --storage-option (the workers read SOURCE too)."""
    src = _small_source(corpus_dir, tmp_path)
    recipe = write_recipe(tmp_path / "recipe.yaml", chunk_bytes="4KiB")
    args = ["--recipe", str(recipe), *ONE, "--storage-option", f"endpoint_url={s3_env['AWS_ENDPOINT_URL']}"]
    assert cli("run", str(src), str(tmp_path / "local"), *args).returncode == 0
    expected = output_bytes(tmp_path / "local")
    fs = make_bucket(s3_env, "mixed-bucket")
    upload(fs, src, "mixed-bucket/raw")
    monkeypatch.delenv("AWS_ENDPOINT_URL")
    done = cli("run", str(src), "s3://mixed-bucket/out", *args)
    assert done.returncode == 0, done.stderr
    assert remote_bytes(fs, "mixed-bucket/out") == expected
    dest = tmp_path / "from_s3"
    done = cli("run", "s3://mixed-bucket/raw", str(dest), *args)
    assert done.returncode == 0, done.stderr
    assert output_bytes(dest) == expected
    plan = json.loads((dest / "_state" / "plan.json").read_text())
    assert max(len(shard["chunks"]) for shard in plan) > 3  # byte ranges of a remote object were read
    assert json.loads((dest / "summary.json").read_text())["source"] == "s3://mixed-bucket/raw"


def test_dedup_against_a_run_in_object_storage(
    reference: tuple[Path, Path], remote_run: tuple[subprocess.CompletedProcess, dict[str, str]], tmp_path: Path
) -> None:
    """A second crawl deduplicated against the first run, in s3, removes what the local equivalent removes."""
    src, local = reference
    _, env = remote_run
    second = tmp_path / "second"
    write_lines(second / "again.jsonl", (src / "zh" / "news.jsonl").read_bytes().splitlines()[:30])
    local_dest, remote_dest = tmp_path / "local_second", "s3://e2e-bucket/second"
    args = ["--recipe", "mixed", *ONE]
    assert cli("run", str(second), str(local_dest), *args, "--dedup-against", str(local), env=env).returncode == 0
    done = cli("run", str(second), remote_dest, *args, "--dedup-against", "s3://e2e-bucket/clean/v1", env=env)
    assert done.returncode == 0, done.stderr
    fs = client(env)
    assert remote_bytes(fs, "e2e-bucket/second") == output_bytes(local_dest)
    totals = _totals(fs.cat_file("e2e-bucket/second/summary.json"))
    assert totals["kept"] == 0 and totals["rejected"] > 0  # every document was in the first run


def test_uploads_go_plan_first_data_before_markers_summary_last(
    remote_run: tuple[subprocess.CompletedProcess, dict[str, str]],
    s3_env: dict[str, str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The finished run's staging folder pushed to a new DEST: the order of the uploads is what keeps
    a remote DEST consistent at every moment, and a second sync uploads nothing."""
    _, env = remote_run
    staging = Path(env["CLEANER_STAGING_DIR"]) / staging_dir("s3://e2e-bucket/clean/v1").name
    copy = tmp_path / "copy"
    shutil.copytree(staging, copy)
    (copy / "_state" / "pushed.json").unlink()
    dest = open_remote_dest("s3://e2e-bucket/copy", copy, restart=False)
    batches: list[list[str]] = []
    put = dest.remote.fs.put
    monkeypatch.setattr(dest.remote.fs, "put", lambda local, keys: (batches.append(list(keys)), put(local, keys)))
    dest.sync()
    dest.close()  # the lease goes: DEST then holds only the run's files
    order = [key.split("/copy/", 1)[1] for batch in batches for key in batch]
    assert order[:2] == ["_state/plan.json", "_state/manifest.json"] and order[-1] == "summary.json"
    data = [i for i, rel in enumerate(order) if rel.startswith(("kept/", "rejected/", "stats/", "_state/dedup/s0"))]
    markers = [i for i, rel in enumerate(order) if rel.startswith("_state/done/") or rel == "_state/dedup/summary.json"]
    assert len(data) > 9 and len(markers) == 4 and max(data) < min(markers)  # 6 Parquet, 3 stats, dedup rows
    assert not [
        rel for rel in order if rel.startswith("_state/parts/") or rel in ("_state/run.json", "_state/pushed.json")
    ]
    fs = client(s3_env)
    assert remote_bytes(fs, "e2e-bucket/copy") == remote_bytes(fs, "e2e-bucket/clean/v1")
    batches.clear()
    dest.sync()
    assert batches == []


def test_missing_bucket_is_one_line_and_exit_2(reference: tuple[Path, Path], s3_env: dict[str, str]) -> None:
    src, _ = reference
    done = cli("run", str(src), "s3://no-such-bucket/out", "--recipe", "mixed")
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        "cleaner: error: s3://no-such-bucket: the bucket does not exist (nothing was created)"
    ]
    assert not Path(s3_env["CLEANER_STAGING_DIR"]).exists()
    assert not client(s3_env).exists("no-such-bucket")
    done = cli("run", "s3://no-such-bucket/raw", str(Path(s3_env["CLEANER_STAGING_DIR"]) / "x"))
    assert done.returncode == 2 and len(done.stderr.strip().splitlines()) == 1
    done = cli("run", str(src), str(Path(s3_env["CLEANER_STAGING_DIR"]) / "y"), "--staging-dir", str(src))
    assert done.returncode == 2 and "--staging-dir is for a DEST in object storage" in done.stderr
    assert not Path(s3_env["CLEANER_STAGING_DIR"]).exists()


def test_source_and_dest_must_not_overlap(s3_env: dict[str, str]) -> None:
    make_bucket(s3_env, "overlap-bucket")
    for source, dest in [
        ("s3://overlap-bucket/raw", "s3://overlap-bucket/raw/clean"),
        ("s3://overlap-bucket/out/kept/x", "s3://overlap-bucket/out"),
    ]:
        done = cli("run", source, dest)
        assert done.returncode == 2 and len(done.stderr.strip().splitlines()) == 1, done.stderr
        assert "inside" in done.stderr
    assert not Path(s3_env["CLEANER_STAGING_DIR"]).exists()


def test_objects_the_run_did_not_write_are_left_alone(corpus_dir: Path, s3_env: dict[str, str], tmp_path: Path) -> None:
    src = tmp_path / "src"
    write_lines(src / "a.jsonl", real_lines(corpus_dir, "zh/zh_wiki_cmrc2018.jsonl", 20))
    recipe = write_recipe(tmp_path / "recipe.yaml")
    fs = make_bucket(s3_env, "owner-bucket")
    fs.pipe_file("owner-bucket/taken/kept/a.parquet", b"someone else's data")
    done = cli("run", str(src), "s3://owner-bucket/taken", "--recipe", str(recipe), *ONE)
    assert done.returncode == 2 and "no run of this tool recorded it as its own" in done.stderr
    assert fs.find("owner-bucket/taken") == ["owner-bucket/taken/kept/a.parquet"]
    assert fs.cat_file("owner-bucket/taken/kept/a.parquet") == b"someone else's data"

    fs.pipe_file("owner-bucket/mine/kept/notes.txt", b"a note")
    assert cli("run", str(src), "s3://owner-bucket/mine", "--recipe", str(recipe), *ONE).returncode == 0
    done = cli("run", str(src), "s3://owner-bucket/mine", "--recipe", str(recipe), *ONE, "--restart")
    assert done.returncode == 0, done.stderr
    assert "--restart: removed" in done.stdout
    assert fs.cat_file("owner-bucket/mine/kept/notes.txt") == b"a note"
    assert fs.exists("owner-bucket/mine/kept/a.parquet")

    # Another machine (its own staging folder) restarts the run with other settings: this machine's
    # staging folder now holds a different run than DEST, and must not be resumed into it.
    other = ["--staging-dir", str(tmp_path / "other_machine"), "--restart", "--limit", "5"]
    done = cli("run", str(src), "s3://owner-bucket/mine", "--recipe", str(recipe), *ONE, *other)
    assert done.returncode == 0, done.stderr
    assert "fetched 3 files" in done.stdout  # plan, manifest and ledger: all a restart needs to know
    done = cli("run", str(src), "s3://owner-bucket/mine", "--recipe", str(recipe), *ONE)
    assert done.returncode == 2 and "holds another run than the one in s3://owner-bucket/mine" in done.stderr
    assert json.loads(fs.cat_file("owner-bucket/mine/summary.json"))["limit"] == 5


def _start(*args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "cleaner", "run", *args],
        cwd=PROJECT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )


def _staging(env: dict[str, str]) -> Path:
    """The one staging folder under CLEANER_STAGING_DIR (this test's DEST's)."""
    folders = [p for p in Path(env["CLEANER_STAGING_DIR"]).iterdir() if p.name != "against"]
    assert len(folders) == 1
    return folders[0]


def _freeze_at_first_pushed_marker(proc: subprocess.Popen, staging: Path) -> bool:
    """SIGSTOP the driver as soon as its record of uploads (`_state/pushed.json`, saved after the
    objects it names are in DEST) names a done marker: only the driver uploads, so the run cannot
    publish more (nor finish and clear its record) before the test kills it. Polled on the local
    disk: a listing request per look was slow enough on a loaded machine for the run to publish its
    remaining shards and its summary between two looks."""
    pushed = staging / "_state" / "pushed.json"
    if not pushed.exists() or not any(rel.startswith("_state/done/") for rel in json.loads(pushed.read_text())):
        return False
    os.killpg(proc.pid, signal.SIGSTOP)
    return True


def test_stop_kill_and_resume_from_an_empty_staging_folder(
    corpus_dir: Path, s3_env: dict[str, str], tmp_path: Path
) -> None:
    """`cleaner stop s3://…` mid-clean, resume, SIGKILL mid-finalise, then resume on "another machine"
    (the staging folder gone): finished shards are fetched, not redone, and the output is identical."""
    src = tmp_path / "src"
    for index, name in enumerate(
        ["zh/zh_wiki_cmrc2018.jsonl", "zh/zh_news_sogoucs.jsonl", "en/en_usenet_20newsgroups.jsonl"]
    ):
        lines = real_lines(corpus_dir, name, 150)
        for part in range(3):
            write_lines(src / f"s{index}" / f"part{part}.jsonl", lines[part * 50 : (part + 1) * 50])
    recipe = write_recipe(tmp_path / "recipe.yaml", chunk_bytes="16KiB", batch_rows=20)
    # Uploads during finalise at most every 0.05 s: the first done marker is published with shards to go.
    args = ["--recipe", str(recipe), "--workers", "1", "--progress-seconds", "0.05"]
    local = tmp_path / "local"
    assert cli("run", str(src), str(local), *args).returncode == 0, "the local reference run failed"
    expected = output_bytes(local)
    fs = make_bucket(s3_env, "resume-bucket")
    upload(fs, src, "resume-bucket/raw")
    uri = "s3://resume-bucket/out"
    args = ["s3://resume-bucket/raw", uri, *args]

    proc = _start(*args)
    wait_for(
        lambda: (
            any(_staging(s3_env).glob("_state/parts/s*-c*[0-9]"))
            if Path(s3_env["CLEANER_STAGING_DIR"]).exists()
            else False
        )
    )
    staging = _staging(s3_env)
    stopped = cli("stop", "--timeout", "30")  # every run in $CLEANER_RUNS_DIR, as stopall.sh does
    assert "stopped pid" in stopped.stdout, stopped.stdout
    assert proc.wait() == 143

    proc = _start(*args)
    wait_for(lambda: _freeze_at_first_pushed_marker(proc, staging), timeout=300)
    assert proc.poll() is None, "the run ended before it could be killed"
    assert not fs.exists("resume-bucket/out/summary.json"), "the run finished before it was frozen"
    record = json.loads((staging / "_state" / "run.json").read_text())
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    for worker in record["workers"]:
        try:
            os.kill(worker["pid"], signal.SIGKILL)
        except ProcessLookupError:
            pass
    remote_done = len(fs.find("resume-bucket/out/_state/done"))
    assert remote_done >= 1 and not fs.exists("resume-bucket/out/summary.json")
    for key in fs.find("resume-bucket/out/_state/done"):  # every remote marker has its shard's data
        shard = json.loads(fs.cat_file(key))["shard"]
        assert fs.exists(f"resume-bucket/out/kept/{shard}.parquet") and fs.exists(
            f"resume-bucket/out/stats/{shard}.json"
        )

    shutil.rmtree(staging)
    done = cli("run", *args)
    assert done.returncode == 0, done.stderr
    assert f"{remote_done}/9 shards already done" in done.stdout
    assert remote_bytes(fs, "resume-bucket/out") == expected
    assert json.loads(fs.cat_file("resume-bucket/out/summary.json"))["invocations"] == 3


def test_a_second_run_into_a_remote_dest_in_use_is_refused(
    reference: tuple[Path, Path], s3_env: dict[str, str], tmp_path: Path
) -> None:
    """Two staging folders (two machines) must not write one DEST: the second run is one line and
    exit 2 while the first holds the lease; the first ends normally and removes its lease."""
    src, _ = reference
    fs = make_bucket(s3_env, "lease-bucket")
    upload(fs, src, "lease-bucket/raw")
    args = ["s3://lease-bucket/raw", "s3://lease-bucket/out", "--recipe", "mixed", *ONE]
    first = _start(*args)
    wait_for(lambda: fs.exists(f"lease-bucket/out/{LEASE}") or first.poll() is not None, timeout=120)
    assert first.poll() is None, first.communicate()[1].decode()
    holder = json.loads(fs.cat_file(f"lease-bucket/out/{LEASE}"))
    assert holder["pid"] == first.pid
    second = cli("run", *args, "--staging-dir", str(tmp_path / "elsewhere"))
    assert second.returncode == 2, second.stderr
    assert f"is being written by another run (pid {first.pid}" in second.stderr
    assert len(second.stderr.strip().splitlines()) == 1
    _, errors = first.communicate(timeout=300)  # read as it runs: a full pipe would block the run
    assert first.returncode == 0, errors.decode()
    assert fs.exists("lease-bucket/out/summary.json") and not fs.exists(f"lease-bucket/out/{LEASE}")
    assert not (tmp_path / "elsewhere" / "_state").exists()


def test_a_lease_is_stale_when_its_process_is_gone_or_it_was_not_renewed() -> None:
    me = {"host": "here", "pid": os.getpid(), "start_time": process_start_time(os.getpid())}
    assert holder_alive(me, LEASE_SECONDS * 10, "here")  # this host's live process: its age does not matter
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    assert not holder_alive({**me, "pid": gone.pid}, 0.0, "here")  # killed on this host: taken over at once
    assert holder_alive({**me, "host": "another"}, LEASE_SECONDS - 1, "here")
    assert not holder_alive({**me, "host": "another"}, LEASE_SECONDS + 1, "here")
