import json
from collections import defaultdict
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest

from cleaner.dedup.cluster import run_dedup
from cleaner.dedup.components import components
from cleaner.dedup.params import DedupParams
from cleaner.dedup.removals import load_removals, split_removed
from cleaner.dedup.store import UnitSignatures
from tests.conftest import corpus_records
from tests.dedup.helpers import dedup, write_units

PARAMS = DedupParams()


def known_pairs(corpus_dir: Path, files: set[str], min_jaccard: float) -> tuple[list[tuple[str, str]], list[dict]]:
    """Documents and labelled pairs (corpus README: char-5-gram Jaccard of lower-cased text)."""
    pairs = []
    with open(corpus_dir / "dedup" / "near_dup_pairs.jsonl", encoding="utf-8") as fh:
        for line in fh:
            pair = json.loads(line)
            if pair["file_a"] in files and pair["file_b"] in files and pair["jaccard_char5"] >= min_jaccard:
                pairs.append(pair)
    wanted = defaultdict(set)
    for pair in pairs:
        wanted[pair["file_a"]].add(pair["id_a"])
        wanted[pair["file_b"]].add(pair["id_b"])
    docs = [
        (f"{name}:{record['id']}", record["text"])
        for name in sorted(wanted)
        for record in corpus_records(corpus_dir, name)
        if record["id"] in wanted[name]
    ]
    return docs, pairs


def found_share(tmp_path: Path, docs: list[tuple[str, str]], pairs: list[dict]) -> float:
    """Share of labelled pairs of which at most one document is left after dedup."""
    removed = dedup(tmp_path, write_units(tmp_path, docs, PARAMS, [len(docs) // 2, len(docs) - len(docs) // 2]), PARAMS)
    found = [f"{p['file_a']}:{p['id_a']}" in removed or f"{p['file_b']}:{p['id_b']}" in removed for p in pairs]
    return sum(found) / len(found)


def test_known_chinese_near_duplicates_are_found(corpus_dir, tmp_path):
    files = {
        "zh/zh_court_judgments.jsonl",
        "zh/zh_reviews_hotel_chnsenticorp.jsonl",
        "zh/zh_reviews_online_shopping.jsonl",
        "zh/zh_app_descriptions_iflytek.jsonl",
        "zh/zh_hant_poetry_tang.jsonl",
    }
    docs, pairs = known_pairs(corpus_dir, files, 0.9)
    assert len(pairs) > 1000
    assert found_share(tmp_path, docs, pairs) >= 0.98


def test_known_english_near_duplicates_are_found(corpus_dir, tmp_path):
    # The labels use character 5-grams; our English shingles are word 5-grams, which a small
    # edit disturbs more, so a few labelled pairs fall below 0.8 on our shingles.
    docs, pairs = known_pairs(corpus_dir, {"en/en_sms_spam.jsonl", "en/en_web_pages_fulltext.jsonl"}, 0.9)
    assert len(pairs) > 200
    assert found_share(tmp_path, docs, pairs) >= 0.95


HEADER_ZH = "本文来源：人民日报客户端　责任编辑：王小明　版权所有，未经授权不得转载。关注我们的公众号获取更多资讯。\n"
FOOTER_ZH = "\n（完）欢迎转发分享。如有侵权请联系删除。点击阅读原文，查看更多精彩内容。扫码关注，每日推送。"
FOOTER_EN = (
    "\n\nCopyright 2024 Example News Ltd. All rights reserved. Subscribe to our newsletter for daily updates, "
    "follow us on social media, and read our privacy policy and terms of service before commenting."
)


def test_different_documents_sharing_boilerplate_are_not_merged(corpus_dir, tmp_path):
    news = [r["text"][:300] for r in corpus_records(corpus_dir, "zh/zh_news_peoples_daily_1998.jsonl", 80)]
    news = [t for t in news if len(t) >= 150][:40]
    posts = [r["text"][:800] for r in corpus_records(corpus_dir, "en/en_usenet_20newsgroups.jsonl", 80)]
    posts = [t for t in posts if len(t.split()) >= 60][:40]
    docs = [(f"zh{i}", HEADER_ZH + t + FOOTER_ZH) for i, t in enumerate(news)]
    docs += [(f"en{i}", t + FOOTER_EN) for i, t in enumerate(posts)]
    assert dedup(tmp_path, write_units(tmp_path, docs, PARAMS), PARAMS) == {}


def write_scored(path: Path, docs: list[tuple[str, str, float | None]], name: str = "s000000-c0000") -> Path:
    unit = UnitSignatures(name, PARAMS)
    for row, (doc_id, text, quality) in enumerate(docs):
        unit.add(row, doc_id, text, "input.jsonl", row + 1, quality)
    unit.write(path)
    return path


BASE = "我们在这家酒店住了三个晚上，房间干净整洁，服务员态度很好，早餐种类丰富，离地铁站也很近，下次还会再来。"


def test_exact_duplicates_keep_the_best_document(tmp_path):
    docs = [
        ("a", BASE, None),
        ("b", BASE.replace("，", ", ") + "  ", None),  # same text after folding, longer
        ("c", BASE, 0.9),  # highest quality wins
        ("d", "完全不同的另一条评论，讲的是一家饭店的菜品和价格，与上面那条没有关系。", None),
    ]
    removed = dedup(tmp_path, [write_scored(tmp_path / "u.parquet", docs)], PARAMS)
    assert set(removed) == {"a", "b"}
    assert {r["reason"] for r in removed.values()} == {"exact_duplicate"}
    assert {r["duplicate_of"] for r in removed.values()} == {"c"}
    assert {r["cluster_size"] for r in removed.values()} == {3}
    assert removed["a"]["cluster_id"] == removed["b"]["cluster_id"]


def test_keeper_ties_go_to_the_longest_then_the_first_document(tmp_path):
    near = BASE + "非常推荐"
    docs = [("first", BASE, None), ("second", BASE, None), ("longer", near, None)]
    removed = dedup(tmp_path, [write_scored(tmp_path / "u.parquet", docs)], PARAMS)
    assert removed["first"]["reason"] == "near_duplicate"
    assert removed["second"]["reason"] == "near_duplicate"
    assert removed["first"]["duplicate_of"] == "longer"
    docs = [("first", BASE, None), ("second", BASE, None)]
    removed = dedup(tmp_path / "2", [write_scored(tmp_path / "2.parquet", docs)], PARAMS)
    assert list(removed) == ["second"] and removed["second"]["duplicate_of"] == "first"


def test_tiny_documents_are_only_merged_when_equal(tmp_path):
    texts = ["好", "好的", "好！", "ok", "OK.", "ok thanks", "谢谢", "!!!", "???", "👍", "👍"]
    docs = [(f"t{i}", t, None) for i, t in enumerate(texts)]
    removed = dedup(tmp_path, [write_scored(tmp_path / "u.parquet", docs)], PARAMS)
    assert {k: v["duplicate_of"] for k, v in removed.items()} == {"t0": "t2", "t3": "t4", "t10": "t9"}


def court_docs(corpus_dir: Path, count: int = 300) -> list[tuple[str, str]]:
    return [(r["id"], r["text"]) for r in corpus_records(corpus_dir, "zh/zh_court_judgments.jsonl", count)]


def test_same_result_whatever_the_units_their_order_and_the_memory_budget(corpus_dir, tmp_path):
    docs = court_docs(corpus_dir)
    one = dedup(tmp_path / "one", write_units(tmp_path / "one", docs, PARAMS), PARAMS)
    assert len(one) > 30
    units = write_units(tmp_path / "three", docs, PARAMS, [100, 7, 193])
    spill = DedupParams(memory_budget_mb=0.02)
    summary = run_dedup(units[::-1], tmp_path / "spill", spill)
    assert summary["partitions"] > 1
    for params, folder in ((PARAMS, "three"), (spill, "three-spill")):
        removed = dedup(tmp_path / folder, units[::-1], params)
        assert {k: {**v, "row": None} for k, v in removed.items()} == {k: {**v, "row": None} for k, v in one.items()}


def test_dedup_against_an_earlier_run(corpus_dir, tmp_path):
    docs = court_docs(corpus_dir, 400)
    old_docs, new_docs = docs[:200], docs[200:]
    old_units = write_units(tmp_path / "old", old_docs, PARAMS, prefix="s000000")
    old_removed = dedup(tmp_path / "old", old_units, PARAMS)
    # New documents: copies of an old kept doc and of an old removed doc, plus the new batch.
    kept_old = next(d for d in old_docs if d[0] not in old_removed)
    removed_old = next(iter(old_removed))
    old_text = dict(old_docs)
    extra = [("copy-of-kept", kept_old[1]), ("copy-of-removed", old_text[removed_old])]
    new_units = write_units(tmp_path / "new", new_docs + extra, PARAMS, prefix="s000001")
    alone = dedup(tmp_path / "alone", new_units, PARAMS)
    against = dedup(tmp_path / "new", new_units, PARAMS, against=old_units, against_removed=tmp_path / "old" / "dedup")
    assert set(alone) <= set(against)
    assert against["copy-of-kept"]["duplicate_of"] == kept_old[0]
    assert against["copy-of-removed"]["duplicate_of"] == old_removed[removed_old]["duplicate_of"]
    old_ids = {d[0] for d in old_docs}
    assert not old_ids & set(against)
    assert any(r["duplicate_of"] in old_ids for k, r in against.items() if k not in {"copy-of-kept", "copy-of-removed"})


def test_stores_made_with_other_parameters_are_refused(tmp_path):
    old = write_units(tmp_path / "old", [("x", BASE)], DedupParams(num_perm=64))
    new = write_units(tmp_path / "new", [("y", BASE)], PARAMS, prefix="s000001")
    with pytest.raises(ValueError, match="signatures made with"):
        run_dedup(new, tmp_path / "dedup", PARAMS, against=old)


def test_finalise_splits_the_removed_rows_off(tmp_path):
    docs = [
        ("a", BASE, None),
        ("b", "另一条完全不同的评论内容，和第一条没有任何关系，只是用来占位的文字。", None),
        ("c", BASE, None),
    ]
    run_dedup([write_scored(tmp_path / "u.parquet", docs)], tmp_path / "dedup", PARAMS)
    kept = pa.table({"id": ["a", "b", "c"], "text": [d[1] for d in docs]})
    removals = load_removals(tmp_path / "dedup", "s000000-c0000")
    stay, dropped = split_removed(kept, removals)
    assert stay.column("id").to_pylist() == ["a", "b"]
    assert dropped.column("id").to_pylist() == ["c"]
    assert dropped.column("reason").to_pylist() == ["exact_duplicate"]
    assert dropped.column("duplicate_of").to_pylist() == ["a"]
    with pytest.raises(ValueError, match="ids differ"):
        split_removed(pa.table({"id": ["a", "b", "x"]}), removals)
    assert load_removals(tmp_path / "dedup", "s999999-c0000").num_rows == 0


def test_components_match_a_plain_union_find():
    rng = np.random.default_rng(3)
    n = 500
    a, b = rng.integers(0, n, 400), rng.integers(0, n, 400)
    parent = list(range(n))

    def find(x: int) -> int:
        while parent[x] != x:
            x = parent[x]
        return x

    for x, y in zip(a.tolist(), b.tolist()):
        rx, ry = find(x), find(y)
        parent[max(rx, ry)] = min(rx, ry)
    assert components(n, a, b).tolist() == [find(x) for x in range(n)]
