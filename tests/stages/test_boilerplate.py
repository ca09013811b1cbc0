"""trim_boilerplate: head/tail sentences holding a listed phrase go; real text stays."""

from __future__ import annotations

from pathlib import Path

import pytest

from cleaner.resources import RECIPES_DIR, SHIPPED, load_phrases
from cleaner.stages.base import validate_stage
from cleaner.stages.boilerplate import TrimBoilerplate
from tests.conftest import corpus_records

LISTS = SHIPPED / "blacklists" / "boilerplate"


def _stage(**params: object) -> TrimBoilerplate:
    stage = TrimBoilerplate(**params)
    validate_stage(stage, RECIPES_DIR)
    stage.setup()
    return stage


@pytest.mark.parametrize(("name", "minimum"), [("wechat", 100), ("news", 100), ("ebook", 100), ("legal", 40)])
def test_shipped_lists(name: str, minimum: int) -> None:
    phrases = load_phrases(LISTS / f"{name}.txt")
    assert len(phrases) >= minimum
    assert len(set(phrases)) == len(phrases)


def test_issue_phrases_are_listed() -> None:
    listed = {p for f in LISTS.glob("*.txt") for p in load_phrases(f)}
    for phrase in ["原标题", "点击上方蓝字", "长按二维码", "转载请注明出处", "责任编辑", "本书由", "更多精校小说尽在"]:
        assert phrase in listed
    assert {"审判员", "书记员"} <= listed


def test_head_and_tail_cut_title_line_kept() -> None:
    text = (
        "原标题：人工智能新进展\n"
        "近年来，人工智能发展迅速。我来分享一下今天的经历，这是真实的文字。\n"
        "正文继续。\n点击上方蓝字关注我们！\n分享\n"
    )
    assert (
        _stage().normalise(text) == "近年来，人工智能发展迅速。我来分享一下今天的经历，这是真实的文字。\n正文继续。\n"
    )


def test_plain_title_line_followed_by_body_is_kept() -> None:
    text = "人工智能的未来\n近年来，人工智能发展迅速。"
    assert _stage().normalise(text) == text


def test_two_character_word_never_cuts_real_sentence() -> None:
    text = "谢谢你们一直以来对我的帮助和支持，我会继续努力。\n分享是一种美德，编辑部的同事都这样认为。"
    assert _stage().normalise(text) == text
    assert _stage().normalise(text + "\n谢谢！") == text + "\n"


def test_scan_stops_after_max_misses() -> None:
    body = "".join(f"第{n}句是正文。" for n in range(1, 7))
    text = body + "转载请注明出处。" + body
    assert _stage(max_misses=5).normalise(text) == text
    assert _stage(max_misses=7).normalise(text) == body + body


def test_real_wechat_articles_lose_tail_prompt(corpus_dir: Path) -> None:
    docs = [d["text"] for d in corpus_records(corpus_dir, "zh/zh_wechat_articles.jsonl")]
    stage = _stage()
    with_prompt = [d for d in docs if d.rstrip().endswith("扫描或长按二维码加关注：")]
    assert with_prompt
    for doc in with_prompt:
        out = stage.normalise(doc)
        assert "长按二维码" not in out[-50:]
        assert out[:20] == doc[:20] or len(out) > 0.8 * len(doc)


def test_real_news_bodies_mostly_kept(corpus_dir: Path) -> None:
    docs = [d["text"] for d in corpus_records(corpus_dir, "zh/zh_news_peoples_daily_1998.jsonl", limit=300)]
    stage = _stage(phrase_lists=["blacklists/boilerplate/news.txt"])
    kept = sum(len(stage.normalise(d)) for d in docs)
    assert kept > 0.98 * sum(map(len, docs))


def test_legal_tail_on_real_judgment(corpus_dir: Path) -> None:
    body = corpus_records(corpus_dir, "zh/zh_court_judgments.jsonl", limit=1)[0]["text"].rstrip()
    signature = "\n审判长　王某\n审判员　李某\n人民陪审员　赵某\n二〇一六年八月十日\n书记员　张某\n"
    stage = _stage(phrase_lists=["blacklists/boilerplate/legal.txt"], direction="tail", max_misses=2)
    out = stage.normalise(body + signature)
    assert out.startswith(body)
    assert "审判员" not in out and "书记员" not in out
    assert "二〇一六年八月十日" in out


def test_missing_list_is_a_validation_error(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="phrase_lists"):
        validate_stage(TrimBoilerplate(phrase_lists=["nope.txt"]), tmp_path)


def test_list_beside_recipe_is_pinned(tmp_path: Path) -> None:
    (tmp_path / "mine.txt").write_text("# comment\n自定义口号\n", encoding="utf-8")
    stage = TrimBoilerplate(phrase_lists=["mine.txt"])
    validate_stage(stage, tmp_path)
    assert stage.phrase_lists == [str((tmp_path / "mine.txt").resolve())]
    stage.setup()
    assert stage.normalise("自定义口号在此。\n正文。") == "正文。"


def test_long_sentence_is_never_cut() -> None:
    long_sentence = "本文来源于网络，" + "功能丰富，界面简洁，" * 20 + "欢迎下载使用。"
    assert _stage().normalise(long_sentence) == long_sentence
    assert _stage(max_sentence_chars=1000).normalise(long_sentence) == ""


def test_short_phrase_inside_a_word_does_not_cut() -> None:
    text = "房间很好。\n十分享受。"
    assert _stage().normalise(text) == text


def test_real_hotel_reviews_lose_only_short_thanks(corpus_dir: Path) -> None:
    docs = [d["text"] for d in corpus_records(corpus_dir, "zh/zh_reviews_hotel_chnsenticorp.jsonl")]
    stage = _stage()
    changed = [(d, stage.normalise(d)) for d in docs]
    changed = [(d, o) for d, o in changed if d != o]
    assert changed
    for doc, out in changed:
        assert len(doc) - len(out) <= 12


def test_real_interview_lines_survive_news_list(corpus_dir: Path) -> None:
    docs = [d["text"] for d in corpus_records(corpus_dir, "zh/zh_news_peoples_daily_1998.jsonl")]
    interviews = [d for d in docs if "\n记者：" in d]
    assert interviews
    stage = _stage(phrase_lists=["blacklists/boilerplate/news.txt"])
    for doc in interviews:
        assert stage.normalise(doc).count("记者：") == doc.count("记者：")


def test_phrase_inside_real_sentence_does_not_cut() -> None:
    text = "快递很快。\n给快递小哥点个赞，产品质量也不错，挺好的。"
    assert _stage().normalise(text) == text
    assert _stage().normalise(text + "\n点个赞！") == text + "\n"


def test_label_opening_a_sentence_cuts_it() -> None:
    text = "责任编辑：张三丰和他的同事们一起负责本期所有稿件\n正文。"
    assert _stage(phrase_lists=["blacklists/boilerplate/news.txt"]).normalise(text) == "正文。"


def test_real_online_reviews_keep_their_sentences(corpus_dir: Path) -> None:
    docs = [d["text"] for d in corpus_records(corpus_dir, "zh/zh_reviews_online_shopping.jsonl")]
    stage = _stage()
    removed = sum(len(d) - len(stage.normalise(d)) for d in docs)
    assert removed < 0.001 * sum(map(len, docs))
