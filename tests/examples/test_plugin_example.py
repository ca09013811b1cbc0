"""The README's user-rule example: examples/plugins/min_digits.py and the recipe that uses it."""

from __future__ import annotations

from pathlib import Path

from cleaner.document import Document
from cleaner.recipe import load_recipe
from cleaner.resources import shipped_recipe
from tests.conftest import corpus_records
from tests.helpers import PROJECT, cli

EXAMPLE = PROJECT / "examples" / "plugins" / "recipe.yaml"


def test_the_example_recipe_adds_the_rule_after_the_length_filter() -> None:
    recipe = load_recipe(EXAMPLE)
    labels = [spec.label for spec in recipe.stages]
    base = [spec.label for spec in load_recipe(shipped_recipe("zh_web")).stages]
    assert labels == [*base[: base.index("length_filter") + 1], "min_digits", *base[base.index("length_filter") + 1 :]]
    specs = {spec.label: spec.params for spec in recipe.stages}
    assert specs["min_digits"]["min_digits"] == 5 and specs["length_filter"]["min_chars"] == 100


def test_the_rule_on_real_text(corpus_dir: Path) -> None:
    stage = next(spec for spec in load_recipe(EXAMPLE).stages if spec.name == "min_digits").build()
    news = corpus_records(corpus_dir, "zh/zh_news_peoples_daily_1998.jsonl", 200)
    verdicts = [stage.process(Document(str(i), r["text"], "news", i, {})) for i, r in enumerate(news)]
    digits = [sum(c.isdigit() for c in r["text"]) for r in news]
    assert [v is None for v in verdicts] == [d >= 5 for d in digits]
    assert 0 < verdicts.count(None) < len(news)
    rejected = next(v for v in verdicts if v is not None)
    assert rejected.reason == "too_few_digits" and rejected.detail.startswith("digits ")


def test_explain_shows_the_measured_digits() -> None:
    result = cli("explain", "--recipe", str(EXAMPLE), "--text", "1998年1月1日，新华社记者报道了新年的第一场雪。" * 5)
    assert result.returncode == 0, result.stderr
    assert "min_digits: keep" in result.stdout and "digits 30 (rejects if < 5)" in result.stdout


def fenced(text: str, language: str) -> str:
    """The first ```language block of `text`."""
    start = text.index(f"```{language}\n") + len(f"```{language}\n")
    return text[start : text.index("```\n", start)]


def test_the_readme_shows_the_example_as_it_is() -> None:
    readme = (PROJECT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("### Your own rules: plugins") :]
    assert fenced(section, "python") in (EXAMPLE.parent / "min_digits.py").read_text(encoding="utf-8")
    recipe_lines = EXAMPLE.read_text(encoding="utf-8").splitlines()
    assert all(line.split("#")[0].rstrip() in recipe_lines for line in fenced(section, "yaml").splitlines())
