"""A crash campaign: the run's process group is SIGKILLed at random points of every phase, again
and again, and each time the same command resumes; the final output equals an undisturbed run's,
and nothing a dead run was writing is left behind."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.helpers import PROJECT, cli, output_bytes, real_lines, write_lines

MIN_KILLS = 10


def _source(corpus_dir: Path, root: Path) -> Path:
    src = root / "src"
    zh = real_lines(corpus_dir, "zh/zh_news_sogoucs.jsonl", 300)
    en = real_lines(corpus_dir, "en/en_web_pages_maintext.jsonl", 120)
    web = real_lines(corpus_dir, "web/zh_cc_chinesewebtext.jsonl", 40)
    write_lines(src / "zh" / "a.jsonl", zh[:150] + zh[:20])  # exact duplicates across and within shards
    write_lines(src / "zh" / "b.jsonl", zh[150:] + zh[140:160])
    write_lines(src / "en" / "c.jsonl", en)
    write_lines(src / "web" / "d.jsonl", web)
    return src


def _phase(dest: Path) -> str:
    """The phase a run in DEST is in, from the files it has written so far."""
    state = dest / "_state"
    if not (state / "plan.json").exists():
        return "start-up"
    shards = json.loads((state / "plan.json").read_text())
    units = [c["unit"] for s in shards for c in s["chunks"]]
    done = [s for s in shards if (state / "done" / f"{s['sid']}.json").exists()]
    if not done and not all((state / "parts" / u).is_dir() for u in units):
        return "clean"
    if not done and not (state / "dedup" / "summary.json").exists():
        return "dedup"
    if len(done) < len(shards):
        return "finalise"
    return "summary" if not (dest / "summary.json").exists() else "report"


def _debris(dest: Path) -> list[str]:
    temporary = [p for p in dest.rglob("*.tmp*")]
    parts = list((dest / "_state" / "parts").glob("*")) if (dest / "_state" / "parts").exists() else []
    return sorted(str(p.relative_to(dest)) for p in [*temporary, *parts])


#: The phases kills aim at in turn; each kill waits until the run is in its target phase, then a
#: random moment more.
TARGETS = ("clean", "dedup", "finalise", "report", "start-up")
PHASES = ("start-up", "clean", "dedup", "finalise", "summary", "report")


def _kill_in(proc: subprocess.Popen, dest: Path, target: str, rng: random.Random) -> str | None:
    """SIGKILL the run's process group once it is in `target` (or later); None if it finished first."""
    while proc.poll() is None:
        phase = _phase(dest)
        if PHASES.index(phase) >= PHASES.index(target):
            time.sleep(rng.uniform(0, 0.3))
            if proc.poll() is not None:
                return None
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            return phase
        time.sleep(0.02)
    return None


def test_kills_at_random_points_resume_to_identical_output(corpus_dir: Path, tmp_path: Path) -> None:
    src = _source(corpus_dir, tmp_path)
    args = ["--recipe", "mixed", "--workers", "2", "--progress-seconds", "0.2", "--runs-dir", str(tmp_path / "runs")]
    reference = tmp_path / "reference"
    assert cli("run", str(src), str(reference), *args).returncode == 0
    expected = output_bytes(reference)

    dest = tmp_path / "crashed"
    rng = random.Random(20261201)
    killed_in: list[str] = []
    completed = 0
    finish_next = False  # after a kill in the last phases, let a run complete, check it, start afresh
    while True:
        proc = subprocess.Popen(
            [sys.executable, "-m", "cleaner", "run", str(src), str(dest), *args],
            cwd=PROJECT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
        target = TARGETS[len(killed_in) % len(TARGETS)]
        phase = None if finish_next or len(killed_in) >= MIN_KILLS else _kill_in(proc, dest, target, rng)
        if phase is not None:
            killed_in.append(phase)
            finish_next = phase in ("summary", "report")
            continue
        proc.wait()
        assert proc.returncode == 0, proc.stderr.read().decode()
        assert output_bytes(dest) == expected
        assert _debris(dest) == []
        completed += 1
        finish_next = False
        if len(killed_in) >= MIN_KILLS:
            break
        subprocess.run(["rm", "-rf", str(dest)], check=True)
    assert {"start-up", "clean", "dedup", "finalise", "report"} <= set(killed_in), killed_in
    totals = json.loads((dest / "summary.json").read_text())["totals"]
    assert totals["read"] == json.loads((reference / "summary.json").read_text())["totals"]["read"] > 0
