"""How much prose a page holds, on real text: curator-dropped short pages rejected, kept pages
(C4, homepages, BBC articles) kept, hard-wrapped mail counted whole."""

from __future__ import annotations

from pathlib import Path

import pytest
import regex

from cleaner.document import Document
from cleaner.stages.base import validate_stage
from cleaner.stages.prose import _SENTENCE_END, MinHanChars, MinProse
from tests.conftest import corpus_records
from tests.stages.web_labels import labelled, page

LABELLED = ["en_c4_llamafactory_demo.jsonl", "en_warc_dolma_samples.jsonl", "en_news_bbc_cx.jsonl"]


def doc(text: str) -> Document:
    return Document("i", text, "f", 1, {})


def prose_chars(rule: MinProse, text: str) -> float:
    return next(rule.measures(doc(text))).value


def test_short_pages_rejected_kept_pages_kept(corpus_dir: Path) -> None:
    rule = MinProse()
    pages = [(r, label) for name in LABELLED for r, label in labelled(corpus_dir, name)]
    short = [r for r, label in pages if label["label"] == "drop" and label["reason"] == "too_short"]
    assert len(short) >= 4
    # Captions of a family blog, a dictionary entry, a notice to customers: under 400 characters of prose.
    verdicts = [rule.check(page(r)) for r in short]
    assert all(v is not None and v.reason == "too_little_prose" and "prose_chars" in v.detail for v in verdicts)
    keeps = [r for r, label in pages if label["label"] == "keep"]
    assert len(keeps) >= 80
    assert [r["id"] for r in keeps if rule.check(page(r))] == []


def test_quoted_taglines_are_not_prose(corpus_dir: Path) -> None:
    """A shop's list of quoted product blurbs: long lines, but none ends a sentence."""
    (record,) = [r for r, _ in labelled(corpus_dir, "en_c4_llamafactory_demo.jsonl") if r["id"] == "c4demo-245"]
    lines = record["text"].splitlines()
    assert len(record["text"]) > 700 and sum(line.startswith('"') for line in lines) >= 5
    verdict = MinProse().check(page(record))
    assert verdict is not None and "1 prose lines" in verdict.detail
    # The same blurbs as sentences are prose.
    assert MinProse().check(doc("\n".join(line.strip('"') + "." for line in lines))) is None


def test_hard_wrapped_lines_run_on_into_their_sentence(corpus_dir: Path) -> None:
    posts = corpus_records(corpus_dir, "en/en_usenet_20newsgroups.jsonl")
    (post,) = [r["text"] for r in posts if "SEEKING THERMOCOUPLE" in r["text"]]
    body = post.split("\n\n\n\n", 1)[1].strip()
    rule = MinProse()
    # Every body line is prose (the first four run on into "acquisition card."); the headers are not.
    assert prose_chars(rule, post) == sum(len(line) for line in body.splitlines() if line)
    # A heading (short, no sentence end) breaks a run: the lines before it end no sentence.
    assert prose_chars(rule, "a line that is cut short\nHeading\nends here.") == 0


def test_a_line_of_dots_is_one_try() -> None:
    """Tried at every dot of the run, the sentence-end pattern was quadratic (minutes at 200 kB)."""
    assert prose_chars(MinProse(), "." * 200_000 + "x") == 0


def test_sentence_end_is_the_regex_one(corpus_dir: Path) -> None:
    """The stdlib pattern finds the sentence ends `regex` finds (its Unicode `\\s` and character
    classes) with every code point before a mark and after one, and on real lines of every script."""
    original = regex.compile(r"(?<=[^\s.!?…。！？])[.!?…。！？]++[\"'”’)\]]*+(?:\s|$)")
    every = [chr(code) for code in range(0x110000)]
    for text in (
        "".join(c + ".\n" for c in every),
        "".join("a." + c for c in every),
        "".join("a!)" + c for c in every),
    ):
        assert [m.start() for m in _SENTENCE_END.finditer(text)] == [m.start() for m in original.finditer(text)]
    lines = [
        line.strip()
        for name in (
            "en/en_usenet_20newsgroups.jsonl",
            "multi/multi_web_pages_fulltext.jsonl",
            "zh/zh_wechat_articles.jsonl",
        )
        for record in corpus_records(corpus_dir, name, limit=200)
        for line in record["text"].split("\n")
    ]
    assert sum(bool(original.search(line)) for line in lines) > 2000
    assert [line for line in lines if bool(_SENTENCE_END.search(line)) != bool(original.search(line))] == []


def test_thresholds() -> None:
    with pytest.raises(ValueError, match="min_han"):
        validate_stage(MinHanChars(min_han=0), Path("."))
    rule = MinProse(min_chars=30)
    assert rule.check(doc("Four words end here.")) is not None  # 20 characters
    assert rule.check(doc("Four words end here.\nAnd four more words follow.")) is None
    strict = MinProse(min_line_words=6)
    assert prose_chars(strict, "Four words end here. " * 3) == 62  # one line of 12 words
    assert prose_chars(strict, "Four words end here.\nFour words end here.") == 0
    with pytest.raises(ValueError, match="min_chars"):
        validate_stage(MinProse(min_chars=0), Path("."))


def test_chinese_minimum_counts_han_characters_not_markup(corpus_dir: Path) -> None:
    """A forum reply of 114 Han characters is kept though it has only 142 characters with its quoted
    header; a mail of 227 characters, ASCII art and a signature with 54 Han characters is too short."""
    rule = MinHanChars()
    records = {r["id"]: (r, label) for r, label in labelled(corpus_dir, "zh_email_trec06c_spam_ham.jsonl")}
    reply, label = records["trec06c-ham-2418"]
    assert label["label"] == "keep" and len(reply["text"]) < 150
    assert rule.check(page(reply)) is None
    art, label = records["trec06c-ham-2726"]
    assert label["reason"] == "too_short" and len(art["text"]) > 200
    rejection = rule.check(page(art))
    assert rejection is not None and rejection.reason == "too_short" and "han_chars 54 < 110" in rejection.detail


def test_chinese_minimum_does_not_judge_other_scripts(corpus_dir: Path) -> None:
    (post,) = corpus_records(corpus_dir, "en/en_usenet_20newsgroups.jsonl", limit=1)
    assert MinHanChars().check(doc(post["text"][:300])) is None
    assert MinHanChars().check(doc("短文。" * 20)) is not None
