"""unicode_normalise and whitespace_normalise: full-width forms, enclosed numbers, escapes,
homoglyphs, Chinese spacing; newlines and paragraphs always survive."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from cleaner.stages import normalise
from cleaner.stages.base import validate_stage
from cleaner.stages.normalise import UnicodeNormaliser, WhitespaceNormaliser
from tests.conftest import corpus_records


def test_fullwidth_alnum_on_real_news(corpus_dir: Path) -> None:
    docs = [d["text"] for d in corpus_records(corpus_dir, "zh/zh_news_sogoucs.jsonl")]
    out = [UnicodeNormaliser().normalise(d) for d in docs]
    assert any("ＶＩＰ" in d for d in docs) and not any("ＶＩＰ" in o for o in out)
    assert any("VIP" in o for o in out)
    assert not any(c in o for o in out for c in "０１２３４５６７８９")
    # Chinese punctuation is untouched by default
    assert sum(d.count("，") for d in docs) == sum(o.count("，") for o in out)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("① ⑩ ⑳", "1 10 20"),
        ("⑴ ⒇", "(1) (20)"),
        ("⒈ ⒐", "1. 9."),
        ("㈠ ㊀", "(一) 一"),
        ("Ⓐ ⓩ ❶ ➀ ➊", "A z 1 1 1"),
    ],
)
def test_enclosed_numbers_and_letters(text: str, expected: str) -> None:
    assert UnicodeNormaliser().normalise(text) == expected


def test_enclosed_can_be_switched_off() -> None:
    assert UnicodeNormaliser(enclosed_alnum=False).normalise("①") == "①"


def test_fullwidth_punctuation_keeps_chinese_marks_in_chinese_text() -> None:
    stage = UnicodeNormaliser(fullwidth_punctuation=True)
    assert stage.normalise("他说：“今天真好！”，然后走了；") == "他说：“今天真好！”，然后走了；"
    assert stage.normalise("Ｈｅｌｌｏ，ｗｏｒｌｄ！") == "Hello,world!"
    assert stage.normalise("比分4：2，时间21：30") == "比分4:2，时间21:30"
    assert stage.normalise("（含）＂出彩＂") == '(含)"出彩"'
    assert stage.normalise("南都讯\u3000记者") == "南都讯 记者"


def test_fullwidth_punctuation_is_off_by_default() -> None:
    assert UnicodeNormaliser().normalise("Ｈｉ，ｙｏｕ！") == "Hi，you！"


def test_keep_in_chinese_must_be_fullwidth_punctuation() -> None:
    with pytest.raises(ValueError, match="keep_in_chinese"):
        validate_stage(UnicodeNormaliser(keep_in_chinese="。"), Path("."))


def test_literal_escapes_removed_but_not_tags() -> None:
    stage = UnicodeNormaliser()
    assert stage.normalise("零<200b>宽\\u200b字<FEFF>符") == "零宽字符"
    assert stage.normalise("<HTML><ABCD> 第<2023>号") == "<HTML><ABCD> 第<2023>号"


def test_zero_width_and_controls_removed_newlines_kept() -> None:
    assert UnicodeNormaliser().normalise("标题\u200b\n正文\x07内容\t完") == "标题\n正文内容\t完"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Vіаgrа", "Viagra"),  # Cyrillic і, а inside a Latin word
        ("Μicrosoft", "Microsoft"),  # Greek capital Mu
        ("加微О信", "加微O信"),  # Cyrillic O between hanzi
    ],
)
def test_homoglyphs_folded_in_mixed_words(text: str, expected: str) -> None:
    assert UnicodeNormaliser().normalise(text) == expected


@pytest.mark.parametrize("text", ["Москва", "ΑΒΓ Αθήνα", "α粒子和γ射线", "5μm", "Москва大学"])
def test_homoglyphs_never_touch_real_scripts(text: str) -> None:
    assert UnicodeNormaliser().normalise(text) == text


def test_real_russian_and_greek_sentences_unchanged(corpus_dir: Path) -> None:
    records = corpus_records(corpus_dir, "langid/langid_lingua_sentences.jsonl")
    texts = [r["text"] for r in records if r.get("lang") in ("ru", "el", "uk", "bg")][:400]
    assert len(texts) > 50
    stage = UnicodeNormaliser()
    assert [t for t in texts if stage.normalise(t) != t] == []


def test_space_between_chinese_removed_but_not_around_latin() -> None:
    stage = WhitespaceNormaliser()
    assert stage.normalise("Hello. World 中文 English") == "Hello. World 中文 English"
    assert stage.normalise("你 好 ，世界。 后来\u3000他走了") == "你好，世界。后来他走了"
    assert stage.normalise("使用 Python 编程") == "使用 Python 编程"
    assert stage.normalise("or… … The “A” — b") == "or… … The “A” — b"


def test_space_removal_can_be_switched_off() -> None:
    assert WhitespaceNormaliser(remove_space_between_chinese=False).normalise("你 好") == "你 好"


def test_title_line_keeps_its_newline() -> None:
    text = "人工智能的未来\r\n近年来，人工智能发展迅速。\r\n\r\n\r\n\r\n第二段。"
    assert WhitespaceNormaliser().normalise(text) == "人工智能的未来\n近年来，人工智能发展迅速。\n\n第二段。"


def test_real_wiki_titles_stay_on_their_own_line(corpus_dir: Path) -> None:
    docs = [d["text"] for d in corpus_records(corpus_dir, "zh/zh_wiki_cmrc2018.jsonl", limit=200)]
    stage = WhitespaceNormaliser()
    for doc in docs:
        assert stage.normalise(doc).count("\n") == doc.strip().count("\n")


#: Real text with every kind of character the two stages look at: full-width forms, enclosed
#: numbers, Cyrillic and Greek, tabs, CRLF, ideographic and no-break spaces, blank-line runs.
MIXED = [
    "zh/zh_news_sogoucs.jsonl",
    "zh/zh_news_peoples_daily_1998.jsonl",
    "zh/zh_reviews_online_shopping.jsonl",
    "zh/zh_wechat_articles.jsonl",
    "en/en_web_pages_fulltext.jsonl",
    "en/en_usenet_20newsgroups.jsonl",
    "web/zh_cc_chinesewebtext.jsonl",
    "web/zh_email_trec06c_spam_ham.jsonl",
    "web/multi_cc_datajuicer_demo.jsonl",
    "multi/multi_web_pages_fulltext.jsonl",
    "langid/langid_lingua_sentences.jsonl",
]
#: What the real files hold too rarely: escapes, astral enclosed letters, spam homoglyphs.
MADE_UP = ["a<200b>b", "x\\u200by", "<2023> <HTML>", "🄐 and 😀", "😀", "Pаypal", "微О信", "ｗｗｗ", "①", "a\x0bb"]


def mixed_texts(corpus_dir: Path) -> list[str]:
    return [r.get("text") or r.get("content") or "" for name in MIXED for r in corpus_records(corpus_dir, name, 2000)]


@pytest.mark.parametrize("params", [{}, {"fullwidth_punctuation": True}, {"fold_homoglyphs": False}])
def test_unicode_normalise_skips_only_texts_its_rules_leave_alone(corpus_dir: Path, params: dict) -> None:
    stage = UnicodeNormaliser(**params)
    texts = mixed_texts(corpus_dir) + MADE_UP
    skipped = [t for t in texts if not stage._may_change(t)]
    changed = [t for t in texts if stage._apply_rules(t) != t]
    assert len(skipped) > 2000 and len(changed) > 500
    assert [t[:60] for t in skipped if stage._apply_rules(t) != t] == []


def old_whitespace_normalise(text: str, max_blank_lines: int = 1) -> str:
    """whitespace_normalise as its rules read, every regex run on every text."""
    text = normalise._LINE_BREAKS.sub("\n", text)
    text = normalise._SPACE_BETWEEN_CHINESE.sub("", text)
    text = normalise._UNICODE_SPACES.sub(" ", text)
    text = normalise._SPACE_RUNS.sub(" ", text)
    text = re.sub(r"[ \t]*\n[ \t]*", "\n", text)
    text = re.sub("\n{" + str(max_blank_lines + 2) + ",}", "\n" * (max_blank_lines + 1), text)
    return text.strip()


def test_whitespace_normalise_tests_give_what_every_rule_run_gives(corpus_dir: Path) -> None:
    texts = mixed_texts(corpus_dir) + ["a\t \tb \n\tc\r\nd\u2028e", "中 文\u3000字\u00a0词  x", " \n \n\n\n x \n"]
    stage, two_blank = WhitespaceNormaliser(), WhitespaceNormaliser(max_blank_lines=2)
    assert sum(stage.normalise(t) != t for t in texts) > 1000
    assert [t[:60] for t in texts if stage.normalise(t) != old_whitespace_normalise(t)] == []
    assert [t[:60] for t in texts if two_blank.normalise(t) != old_whitespace_normalise(t, 2)] == []


@pytest.mark.parametrize("one_by_one", [normalise._WORDS_ONE_BY_ONE, 2])
def test_mixed_words_folded_one_by_one_are_the_substitution(
    corpus_dir: Path, monkeypatch: pytest.MonkeyPatch, one_by_one: int
) -> None:
    monkeypatch.setattr(normalise, "_WORDS_ONE_BY_ONE", one_by_one)
    texts = [t for t in mixed_texts(corpus_dir) + MADE_UP if normalise._lookalike_script().search(t)]
    texts += ["Pаypal и Москва, 5μm α粒子 ΑΒΓ", "aд" * 100, "д " * 100 + "Pаypal", "\U0001e030x", "x𝐚д"]
    assert len(texts) > 20
    folded = [normalise._LOOKALIKE_WORD.sub(normalise._fold_mixed_word, t) for t in texts]
    assert sum(f != t for f, t in zip(folded, texts)) >= 4
    assert [t[:60] for t, f in zip(texts, folded) if normalise._fold_mixed_words(t) != f] == []


def test_mapped_runs_translate_as_the_whole_text_would(corpus_dir: Path) -> None:
    stage = UnicodeNormaliser(
        fullwidth_punctuation=True, keep_in_chinese="", remove_literal_escapes=False, fold_homoglyphs=False
    )
    texts = mixed_texts(corpus_dir) + MADE_UP
    assert sum(t.translate(stage._table) != t for t in texts) > 1000
    assert [t[:60] for t in texts if stage._apply_rules(t) != t.translate(stage._table)] == []
