"""User rules: a stage registered by a plugin file, module or entry point is validated and run like
a shipped one, in the driver and in every worker; a broken plugin is one line and exit 2."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from cleaner.errors import RecipeError
from cleaner.recipe import load_recipe
from cleaner.stages.plugins import module_name_for
from cleaner.stages.registry import STAGES
from tests.helpers import cli, make_source, output_bytes

#: A rule only this test defines: reject documents without the character 的 (rare in English).
PLUGIN = """
from dataclasses import dataclass

from cleaner.document import Rejection
from cleaner.stages.base import Filter
from cleaner.stages.registry import register


@register
@dataclass
class NeedsDe{suffix}(Filter):
    name = "needs_de{suffix}"
    min_count: int = 1

    def check(self, doc):
        count = doc.text.count("的")
        return Rejection("too_few_de", f"{{count}} < {{self.min_count}}") if count < self.min_count else None
"""


def write_plugin(folder: Path, suffix: str, name: str = "needs_de.py") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(PLUGIN.format(suffix=suffix), encoding="utf-8")
    return path


def write_recipe(path: Path, plugins: str, stage: str) -> Path:
    path.write_text(
        f"""
plugins: {plugins}
input: {{text_field: text, chunk_bytes: 64KiB}}
stages:
  - unicode_normalise
  - {stage}: {{min_count: 3}}
output: {{batch_rows: 100}}
""",
        encoding="utf-8",
    )
    return path


def rejected_rows(dest: Path) -> list[dict]:
    return [row for path in sorted((dest / "rejected").rglob("*.parquet")) for row in pq.read_table(path).to_pylist()]


def kept_texts(dest: Path) -> list[str]:
    return [t for path in sorted((dest / "kept").rglob("*.parquet")) for t in pq.read_table(path)["text"].to_pylist()]


def run_with_plugin(corpus_dir: Path, tmp_path: Path, *extra: str) -> tuple[Path, Path]:
    source = make_source(corpus_dir, tmp_path)
    write_plugin(tmp_path / "rules", "_run")
    recipe = write_recipe(tmp_path / "rules" / "r.yaml", "[needs_de.py]", "needs_de_run")
    return source, recipe


def test_plugin_rule_runs_in_two_local_workers(corpus_dir: Path, tmp_path: Path) -> None:
    source, recipe = run_with_plugin(corpus_dir, tmp_path)
    common = ["--recipe", str(recipe), "--runs-dir", str(tmp_path / "runs")]
    two = cli("run", str(source), str(tmp_path / "two"), *common, "--workers", "2")
    assert two.returncode == 0, two.stderr
    one = cli("run", str(source), str(tmp_path / "one"), *common, "--workers", "1")
    assert one.returncode == 0, one.stderr
    assert output_bytes(tmp_path / "two") == output_bytes(tmp_path / "one")
    rejected = [row for row in rejected_rows(tmp_path / "two") if row["stage"] == "needs_de_run"]
    assert len(rejected) > 100 and {row["reason"] for row in rejected} == {"too_few_de"}
    kept = kept_texts(tmp_path / "two")
    assert kept and all(text.count("的") >= 3 for text in kept)
    totals = json.loads((tmp_path / "two" / "summary.json").read_text())["totals"]
    assert totals["read"] == totals["kept"] + totals["rejected"] + totals["malformed"]


def test_plugin_rule_runs_under_ray(corpus_dir: Path, tmp_path: Path) -> None:
    pytest.importorskip("ray", reason="ray is not installed (pip install -e '.[ray]')")
    source, recipe = run_with_plugin(corpus_dir, tmp_path)
    common = ["--recipe", str(recipe), "--runs-dir", str(tmp_path / "runs"), "--workers", "2"]
    on_ray = cli("run", str(source), str(tmp_path / "ray"), *common, "--executor", "ray")
    assert on_ray.returncode == 0, on_ray.stderr
    local = cli("run", str(source), str(tmp_path / "local"), *common)
    assert local.returncode == 0, local.stderr
    assert output_bytes(tmp_path / "ray") == output_bytes(tmp_path / "local")
    assert any(row["stage"] == "needs_de_run" for row in rejected_rows(tmp_path / "ray"))


def test_a_plugin_that_fails_to_import_is_one_line_and_exit_2(corpus_dir: Path, tmp_path: Path) -> None:
    source = make_source(corpus_dir, tmp_path)
    (tmp_path / "broken.py").write_text("import os\n\nimport no_such_module_for_cleaner\n", encoding="utf-8")
    recipe = write_recipe(tmp_path / "r.yaml", "[broken.py]", "unicode_normalise")
    result = cli("run", str(source), str(tmp_path / "out"), "--recipe", str(recipe), "--runs-dir", str(tmp_path / "r"))
    assert result.returncode == 2 and result.stderr.count("\n") == 1, result.stderr
    assert "plugins[0]: " in result.stderr and "broken.py: cannot import (line 3): ModuleNotFoundError" in result.stderr
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    "text, message",
    [
        ("def broken(:\n", r"plugins\[0\]: .*bad\.py: cannot import \(line 1\): SyntaxError"),
        ("raise RuntimeError('no licence key')\n", r"cannot import \(line 1\): RuntimeError: no licence key"),
        ("import sys\nsys.exit(3)\n", r"cannot import \(line 2\): SystemExit: 3"),
        (
            "from cleaner.stages.length import LengthFilter\nfrom cleaner.stages.registry import register\n"
            "register(LengthFilter)\n",
            r"bad\.py: cannot import \(line 3\): TypeError: stage name 'length_filter' registered twice",
        ),
    ],
)
def test_import_errors_name_the_plugin_and_the_line(tmp_path: Path, text: str, message: str) -> None:
    (tmp_path / "bad.py").write_text(text, encoding="utf-8")
    with pytest.raises(RecipeError, match=message):
        load_recipe(write_recipe(tmp_path / "r.yaml", "[bad.py]", "unicode_normalise"))


def test_missing_plugin_and_bad_entries(tmp_path: Path) -> None:
    with pytest.raises(RecipeError, match=r"plugins\[0\]: nope\.py: no such file"):
        load_recipe(write_recipe(tmp_path / "r.yaml", "[nope.py]", "unicode_normalise"))
    with pytest.raises(RecipeError, match=r"plugins\[0\]: 'not a module': neither a \.py file nor a module name"):
        load_recipe(write_recipe(tmp_path / "r.yaml", "['not a module']", "unicode_normalise"))
    with pytest.raises(RecipeError, match=r"plugins: expected a list"):
        load_recipe(write_recipe(tmp_path / "r.yaml", "needs_de.py", "unicode_normalise"))


def test_a_misspelt_plugin_stage_gets_did_you_mean(tmp_path: Path) -> None:
    write_plugin(tmp_path, "_typo")
    with pytest.raises(RecipeError, match=r"stages\[1\]\.needs_dee_typo: unknown stage; did you mean 'needs_de_typo'"):
        load_recipe(write_recipe(tmp_path / "r.yaml", "[needs_de.py]", "needs_dee_typo"))


def test_a_changed_plugin_changes_the_fingerprint(tmp_path: Path) -> None:
    plugin = write_plugin(tmp_path, "_fp")
    recipe = write_recipe(tmp_path / "r.yaml", "[needs_de.py]", "needs_de_fp")
    before = load_recipe(recipe)
    assert load_recipe(recipe).fingerprint == before.fingerprint  # loading twice imports once
    plugin.write_text(plugin.read_text(encoding="utf-8") + "\n# tuned\n", encoding="utf-8")
    after = load_recipe(recipe)
    assert after.fingerprint != before.fingerprint
    assert after.settings["plugins"][0]["plugin"] == "needs_de.py"


def test_a_changed_plugin_refuses_a_resume(corpus_dir: Path, tmp_path: Path) -> None:
    source, recipe = run_with_plugin(corpus_dir, tmp_path)
    args = ["run", str(source), str(tmp_path / "out"), "--recipe", str(recipe), "--runs-dir", str(tmp_path / "runs")]
    assert cli(*args, "--workers", "1").returncode == 0
    plugin = tmp_path / "rules" / "needs_de.py"
    plugin.write_text(plugin.read_text(encoding="utf-8").replace("min_count: int = 1", "min_count: int = 2"))
    again = cli(*args, "--workers", "1")
    assert again.returncode == 2 and again.stderr.count("\n") == 1, again.stderr
    assert "holds a run made with different recipe settings (plugins[0].sha256: " in again.stderr


def test_file_plugins_get_a_stable_module_name(tmp_path: Path) -> None:
    path = write_plugin(tmp_path, "_name")
    assert module_name_for(path) == module_name_for(Path(str(path)))
    assert module_name_for(path) != module_name_for(tmp_path / "other" / "needs_de.py")
    load_recipe(write_recipe(tmp_path / "r.yaml", "[needs_de.py]", "needs_de_name"))
    assert STAGES["needs_de_name"].__module__ == module_name_for(path.resolve())


def test_module_plugin_and_entry_point(tmp_path: Path) -> None:
    """An importable module named in `plugins:`, and a package registering through the entry-point
    group, both seen by the driver and by the worker `cleaner explain` builds its stages in."""
    site = tmp_path / "site"
    write_plugin(site, "_mod", "user_rules_mod.py")
    write_plugin(site, "_ep", "user_rules_ep.py")
    dist = site / "user_rules-0.1.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: user-rules\nVersion: 0.1\n", encoding="utf-8")
    (dist / "entry_points.txt").write_text("[cleaner.stages]\nneeds_de_ep = user_rules_ep\n", encoding="utf-8")
    recipe = tmp_path / "r.yaml"
    recipe.write_text(
        "plugins: [user_rules_mod]\nstages: [{needs_de_mod: {min_count: 2}}, {needs_de_ep: {min_count: 1}}]\n",
        encoding="utf-8",
    )
    env = {"PYTHONPATH": os.pathsep.join([str(site), os.environ.get("PYTHONPATH", "")])}
    kept = cli("explain", "--recipe", str(recipe), "--text", "我的书的封面", env=env)
    assert kept.returncode == 0, kept.stderr
    assert "needs_de_mod: keep" in kept.stdout and "result: KEPT" in kept.stdout
    rejected = cli("explain", "--recipe", str(recipe), "--text", "我的书", env=env)
    assert "result: REJECTED by needs_de_mod: too_few_de (1 < 2)" in rejected.stdout
    (dist / "entry_points.txt").write_text("[cleaner.stages]\nbroken = no_such_module_ep\n", encoding="utf-8")
    broken = cli("explain", "--recipe", str(recipe), "--text", "我的书", env=env)
    assert broken.returncode == 2 and broken.stderr.count("\n") == 1
    assert "entry point broken = no_such_module_ep (package user-rules): cannot import" in broken.stderr
