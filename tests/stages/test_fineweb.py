"""FineWeb quality (Penedo et al. 2024, 3.5) and its Chinese variant: the published rules, datatrove's
own FineWebQualityFilter test cases with the paper's decision, and real pages."""

from __future__ import annotations

from pathlib import Path

import pytest
import regex

from cleaner.document import Document
from cleaner.stages.fineweb import FineWebQuality, FineWebQualityZh
from tests.conftest import corpus_records


def doc(text: str) -> Document:
    return Document("i", text, "f", 1, {})


def kept_share(rule: object, texts: list[str]) -> float:
    return sum(rule.check(doc(t)) is None for t in texts) / len(texts)  # type: ignore[attr-defined]


def test_main_text_kept_more_than_full_pages(corpus_dir: Path) -> None:
    rule = FineWebQuality()
    main = [r["text"] for r in corpus_records(corpus_dir, "en/en_web_pages_maintext.jsonl", 150)]
    full = [r["text"] for r in corpus_records(corpus_dir, "en/en_web_pages_fulltext.jsonl", 150)]
    assert kept_share(rule, main) > 0.8
    assert kept_share(rule, full) < 0.5  # navigation, repeated menus, one-word lines


def test_each_rule() -> None:
    rule = FineWebQuality()
    menu = "\n".join(["Home", "News", "Sport", "Weather", "Contact us today for more information."])
    assert rule.check(doc(menu)).reason == "fineweb_short_lines"
    no_punct = "\n".join(f"this line has no final mark number {i} and goes on for a while" for i in range(10))
    assert rule.check(doc(no_punct)).detail == "line_punct_ratio 0 < 0.120"
    repeated = "\n".join(["A long sentence that is repeated on the page again and again."] * 3)
    assert rule.check(doc(repeated)).reason == "fineweb_dup_lines"


def test_only_fineweb_terminal_marks_end_a_line() -> None:
    lines = [
        "The council published its new budget for the coming year (updated)",
        "Readers who want the full report can sign up for our weekly newsletter:",
        "The new park will open next to the old railway station in spring [map]",
        "Residents asked for more buses on the northern routes through the valley;",
        "Others wanted the cycle lanes finished before the start of the winter;",
    ]
    assert FineWebQuality().check(doc("\n".join(lines))).detail == "line_punct_ratio 0 < 0.120"
    quoted = [line[: line.rindex(" ")] + ' "done."' for line in lines]
    assert FineWebQuality().check(doc("\n".join(quoted))) is None


# datatrove's FineWebQualityFilter cases (tests/pipeline/filters/test_filters.py).


@pytest.mark.parametrize(
    ("params", "text", "reason"),
    [
        (
            {"min_line_punct_ratio": 0.5},
            "No punctuation here\nAnother line without any\nStill nothing",
            "fineweb_line_punct",
        ),
        (
            {"max_short_line_ratio": 0.5, "short_line_chars": 30, "min_line_punct_ratio": 0.0},
            "hi.\nbye.\nok.\nno.\nyes.",
            "fineweb_short_lines",
        ),
        ({"max_newline_ratio": 0.1}, "\n".join(["a"] * 50), "fineweb_line_punct"),  # datatrove: any reason
    ],
)
def test_datatrove_rejections(params: dict, text: str, reason: str) -> None:
    assert FineWebQuality(**params).check(doc(text)).reason == reason


def test_datatrove_keeps_quality_text() -> None:
    text = (
        "This is a well-written paragraph that ends with proper punctuation.\n"
        "The content here is substantial and has meaningful information.\n"
        "Quality filtering ensures that only the best documents pass through.\n"
        "Each line here is long enough and ends with a terminal punctuation mark.\n"
        "This document should pass all the quality checks applied by the filter."
    )
    assert FineWebQuality().check(doc(text)) is None


def test_empty_text_is_not_measured() -> None:
    """datatrove rejects "" as "empty"; here the engine rejects it (empty_after_normalise) first."""
    assert list(FineWebQuality().measures(doc(""))) == []


def test_chinese_variant(corpus_dir: Path) -> None:
    rule = FineWebQualityZh()
    texts = [r["text"] for r in corpus_records(corpus_dir, "zh/zh_wiki_cmrc2018.jsonl", 300)]
    texts += [r["text"] for r in corpus_records(corpus_dir, "zh/zh_court_judgments.jsonl", 500)]
    assert kept_share(rule, texts) > 0.99
    wechat = corpus_records(corpus_dir, "zh/zh_wechat_articles.jsonl", 1)[0]["text"]
    assert rule.check(doc(wechat)).reason == "fineweb_short_lines"  # one token per line
    # A one-line paragraph without final punctuation is not judged by the line ratios.
    assert rule.check(doc("系列作品外传作品")) is None
    # Chinese lines end in 。” or ）as well; FineWeb's English marks alone would reject this.
    lines = [
        "他说：“会议明天在北京召开，请大家准时参加。”",
        "会议的议程已经发到每个人的邮箱（见附件）",
        "请各位代表提前半小时到达会场；",
    ]
    assert rule.check(doc("\n".join(lines))) is None
    assert FineWebQualityZh(terminal_punctuation=".'\"!?").check(doc("\n".join(lines))).reason == "fineweb_line_punct"


def test_zh_newlines_per_char_counts_what_regex_non_space_counts(corpus_dir: Path) -> None:
    """The per-character list-page ratio counts every character that is not whitespace, the ASCII
    separators \\x1c-\\x1f included (str.split takes them for whitespace, regex's \\S does not)."""
    texts = [r["text"] for r in corpus_records(corpus_dir, "web/zh_cc_chinesewebtext.jsonl", 50)]
    texts.append(texts[0] + "\x1c\x1d\n\x1e\x1f")
    rule = FineWebQualityZh()
    for text in texts:
        (ratio,) = [m.value for m in rule.measures(doc(text)) if m.name == "newlines_per_char"]
        assert ratio == text.count("\n") / len(regex.findall(r"\S", text))
