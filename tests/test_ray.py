"""The Ray executor gives output byte-identical to the local executor."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import cli, make_source, output_bytes, write_recipe

pytest.importorskip("ray", reason="ray is not installed (pip install -e '.[ray]')")


def test_ray_output_matches_local(corpus_dir: Path, tmp_path: Path) -> None:
    source = make_source(corpus_dir, tmp_path)
    recipe = write_recipe(tmp_path / "r.yaml", chunk_bytes="64KiB", batch_rows=100)
    common = ["--recipe", str(recipe), "--workers", "2", "--runs-dir", str(tmp_path / "runs")]
    local = cli("run", str(source), str(tmp_path / "local"), *common)
    assert local.returncode == 0, local.stderr
    on_ray = cli("run", str(source), str(tmp_path / "ray"), *common, "--executor", "ray")
    assert on_ray.returncode == 0, on_ray.stderr
    assert "(ray)" in on_ray.stdout
    assert output_bytes(tmp_path / "ray") == output_bytes(tmp_path / "local")
    assert len(output_bytes(tmp_path / "local")) == 8
