"""The command line: wrong usage is one clear line and exit code 2; status reads a run's files."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import cli


@pytest.mark.parametrize(
    "args, message",
    [
        (["run"], "the following arguments are required: SOURCE, DEST"),
        (["run", "a", "b", "--bogus"], "unrecognized arguments: --bogus"),
        (["run", "a", "b", "--workers", "0"], "must be at least 1"),
        (["run", "a", "b", "--workers", "two"], "expected a whole number"),
        (["run", "a", "b", "--progress-seconds", "0"], "must be a positive number"),
        (["run", "a", "b", "--progress-seconds", "nan"], "must be a positive number"),
        (["frobnicate"], "invalid choice: 'frobnicate'"),
        ([], "the following arguments are required: command"),
    ],
)
def test_usage_errors(args: list[str], message: str) -> None:
    result = cli(*args)
    assert result.returncode == 2
    assert message in result.stderr
    assert result.stderr.count("\n") == 1  # one line, no usage dump or traceback


def test_missing_source(tmp_path: Path) -> None:
    result = cli("run", str(tmp_path / "missing"), str(tmp_path / "out"))
    assert result.returncode == 2
    assert "SOURCE" in result.stderr and "does not exist" in result.stderr
    assert not (tmp_path / "out").exists()


def test_source_without_inputs(tmp_path: Path) -> None:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "readme.txt").write_text("x")
    result = cli("run", str(tmp_path / "src"), str(tmp_path / "out"), "--runs-dir", str(tmp_path / "runs"))
    assert result.returncode == 2 and "holds no .jsonl" in result.stderr


def test_status_of_a_finished_run_and_of_nothing(tmp_path: Path) -> None:
    src = tmp_path / "a.jsonl"
    src.write_text('{"text": "one two three four five six seven eight nine ten eleven"}\nnot json\n')
    dest = tmp_path / "out"
    assert cli("run", str(src), str(dest), "--runs-dir", str(tmp_path / "runs")).returncode == 0
    status = cli("status", str(dest))
    assert status.returncode == 0
    assert "finished: 2 read = 1 kept + 0 rejected + 1 malformed" in status.stdout
    nothing = cli("status", str(tmp_path))
    assert nothing.returncode == 2 and "holds no run" in nothing.stderr


def _source(tmp_path: Path) -> Path:
    src = tmp_path / "src"
    src.mkdir()
    (src / "a.jsonl").write_text('{"text": "a document"}\n')
    return src


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--workers", "1000"], "more than 4 per core"),
        (["--recipe", "{bomb}"], "expands to more than"),
    ],
)
def test_refused_before_anything_is_written(tmp_path: Path, extra: list[str], message: str) -> None:
    bomb = tmp_path / "bomb.yaml"
    bomb.write_text(
        "a: &a [1,1,1,1,1,1,1,1,1,1]\n"
        + "".join(f"{b}: &{b} [{','.join([f'*{a}'] * 10)}]\n" for a, b in zip("abcde", "bcdef"))
        + "stages: *f\n"
    )
    args = [arg.replace("{bomb}", str(bomb)) for arg in extra]
    result = cli("run", str(_source(tmp_path)), str(tmp_path / "out"), *args)
    assert result.returncode == 2 and message in result.stderr
    assert result.stderr.count("\n") == 1 and len(result.stderr) < 400
    assert not (tmp_path / "out").exists()


def test_ray_executor_without_ray_writes_nothing(tmp_path: Path) -> None:
    blocker = tmp_path / "site"
    blocker.mkdir()
    (blocker / "ray.py").write_text("raise ImportError('no ray here')\n")
    result = cli(
        "run", str(_source(tmp_path)), str(tmp_path / "out"), "--executor", "ray", env={"PYTHONPATH": str(blocker)}
    )
    assert result.returncode == 2 and "needs Ray" in result.stderr
    assert not (tmp_path / "out").exists()


def test_version_is_the_installed_distribution_version() -> None:
    from importlib.metadata import version

    result = cli("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"cleaner {version('corpus-cleaner')}"


@pytest.mark.parametrize("args", [["-q", "-v", "status", "x"], ["run", "a", "b", "-q", "-v"]])
def test_quiet_and_verbose_exclude_each_other(args: list[str]) -> None:
    result = cli(*args)
    assert result.returncode == 2 and "not allowed with argument" in result.stderr
