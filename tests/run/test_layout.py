"""One place for every path under DEST, and no shard name escapes it."""

from pathlib import Path

import pytest

from cleaner.run.layout import RunLayout


def test_shard_outputs_sit_under_their_folders(tmp_path: Path) -> None:
    outputs = RunLayout(tmp_path).shard_outputs("zh/news")
    root = tmp_path.resolve()
    assert outputs.kept == root / "kept" / "zh" / "news.parquet"
    assert outputs.rejected == root / "rejected" / "zh" / "news.parquet"
    assert outputs.stats == root / "stats" / "zh" / "news.json"


@pytest.mark.parametrize("name", ["../../etc/passwd", "../../outside", "/abs/path"])
def test_names_that_would_escape_dest_are_refused(tmp_path: Path, name: str) -> None:
    with pytest.raises(ValueError, match="would write outside"):
        RunLayout(tmp_path / "dest").shard_outputs(name)


def test_state_paths_are_under_state(tmp_path: Path) -> None:
    layout = RunLayout(tmp_path)
    for path in (layout.plan, layout.manifest, layout.run_record, layout.part("s0-c0"), layout.done_marker("s0")):
        assert path.is_relative_to(layout.state)
