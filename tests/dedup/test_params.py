import pytest

from cleaner.config import build_dataclass
from cleaner.dedup.banding import optimal_banding
from cleaner.dedup.exact import exact_hashes
from cleaner.dedup.params import DedupParams


def test_bands_and_rows_come_from_the_threshold_unless_given():
    params = DedupParams(threshold=0.7, num_perm=256)
    assert params.lsh == optimal_banding(0.7, 256, params.false_positive_weight, params.false_negative_weight)
    assert DedupParams(bands=16, rows=8).lsh == (16, 8)


def test_a_recipe_dedup_section_is_validated_key_by_key():
    params = build_dataclass(DedupParams, {"threshold": 0.85, "memory_budget_mb": 512, "exact_fold": ["case"]}, "dedup")
    assert params.threshold == 0.85 and params.memory_budget_mb == 512.0 and params.exact_fold == ["case"]
    with pytest.raises(ValueError, match="dedup.treshold: unknown key"):
        build_dataclass(DedupParams, {"treshold": 0.8}, "dedup")
    with pytest.raises(ValueError, match="dedup.exact_fold"):
        build_dataclass(DedupParams, {"exact_fold": ["accents"]}, "dedup")
    with pytest.raises(ValueError, match="dedup.num_perm"):
        build_dataclass(DedupParams, {"num_perm": "128"}, "dedup")


@pytest.mark.parametrize(
    "change, key",
    [({"threshold": 1.5}, "threshold"), ({"bands": 20}, "bands"), ({"bands": 20, "rows": 20}, "bands")],
)
def test_impossible_values_are_refused(change, key):
    with pytest.raises(ValueError, match=f"^{key}:"):
        DedupParams(**change).validate()


def test_exact_hash_folds_case_whitespace_punctuation_and_width_as_configured():
    everything = ["case", "whitespace", "punctuation", "width"]
    same = exact_hashes(["Hello,  World!", "hello world", "ＨＥＬＬＯ　world。"], everything)
    assert len({tuple(row) for row in same.tolist()}) == 1
    folded = exact_hashes(["你好， 世界！", "你好世界"], everything)
    assert folded[0].tolist() == folded[1].tolist()
    spaces_only = exact_hashes(["Hello,  World!", "Hello,World!", "hello,World!"], ["whitespace"])
    assert spaces_only[0].tolist() == spaces_only[1].tolist() != spaces_only[2].tolist()
    different = exact_hashes(["Hello World", "hello world"], ["whitespace"])
    assert different[0].tolist() != different[1].tolist()
