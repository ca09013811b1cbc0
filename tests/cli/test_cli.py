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
