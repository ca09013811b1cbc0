import os
from pathlib import Path

import pytest

from cleaner.recipe import load_recipe
from cleaner.run.executors import LocalExecutor

MARK = "CLEANER_TEST_WORKER_ENV_MARK"


def _getenv_in_workers(executor: LocalExecutor) -> list[str | None]:
    try:
        return [value for value in executor.map(os.getenv, [MARK], heartbeat=5.0)]
    finally:
        executor.close()


def test_local_workers_get_the_environment_the_driver_has_when_their_pool_starts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Workers fork from a fork server started with the first pool; a variable the driver sets
    later (storage options travel so) must still reach the workers of a later pool."""
    recipe_path = tmp_path / "recipe.yaml"
    recipe_path.write_text("stages: []\noutput: {tokenizer: none}\n", "utf-8")
    recipe = load_recipe(recipe_path)
    monkeypatch.delenv(MARK, raising=False)
    assert _getenv_in_workers(LocalExecutor(recipe, 1)) == [None]
    monkeypatch.setenv(MARK, "set after the fork server started")
    assert _getenv_in_workers(LocalExecutor(recipe, 1)) == ["set after the fork server started"]
