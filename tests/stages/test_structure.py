"""Structure rules: tables of contents, table pages (the uniform-table regression), alternation spam."""

from __future__ import annotations

from pathlib import Path

from cleaner.document import Document
from cleaner.stages.structure import ChapterList, MixedScriptSpam, TablePage, WeakTablePage
from tests.conftest import corpus_records


def doc(text: str) -> Document:
    return Document("i", text, "f", 1, {})


def kept_share(rule: object, texts: list[str]) -> float:
    return sum(rule.check(doc(t)) is None for t in texts) / len(texts)  # type: ignore[attr-defined]


def test_uniform_table_is_detected() -> None:
    # Regression: every cell the same length gave std 0, the old 3-sigma trim dropped every cell,
    # the mean became NaN and the page was never a table.
    table = "\n".join(["姓名年龄", "张三二十", "李四三十", "王五四十", "赵六五十", "钱七六十"] * 3)
    verdict = TablePage().check(doc(table))
    assert verdict is not None and verdict.reason == "table_page"
    assert verdict.detail.startswith("segment_mean 4 < 10 (with std 0.00")
    cities = "，".join(["北京", "上海", "广州", "深圳", "杭州", "南京", "成都", "武汉"])
    assert WeakTablePage().check(doc(cities)).reason == "weak_table_page"


def test_prose_with_one_list_is_not_a_table() -> None:
    prose = (
        "五月艾是菊科蒿属的植物，分布于越南、老挝、缅甸、泰国、尼泊尔、菲律宾、印度等地。"
        "它生长在路旁、林缘、坡地及灌丛处，多年生草本，植株有浓烈的香气，主根明显，侧根多而细长。"
        "民间常用其叶入药，有温经止血、散寒止痛的功效，也用来驱蚊。"
    )
    assert TablePage().check(doc(prose)) is None


def test_clean_corpus_is_rarely_a_table_or_toc(corpus_dir: Path) -> None:
    texts = [r["text"] for r in corpus_records(corpus_dir, "zh/zh_court_judgments.jsonl", 500)]
    texts += [r["text"] for r in corpus_records(corpus_dir, "zh/zh_wiki_cmrc2018.jsonl", 300)]
    assert kept_share(WeakTablePage(), texts) > 0.99
    assert kept_share(ChapterList(), texts) > 0.99
    assert kept_share(MixedScriptSpam(), texts) == 1


def test_one_token_per_line_wechat_export_is_a_table(corpus_dir: Path) -> None:
    record = corpus_records(corpus_dir, "zh/zh_wechat_articles.jsonl", 1)[0]
    assert record["text"].startswith("公拍时间")
    assert TablePage().check(doc(record["text"])).reason == "table_page"


def test_table_of_contents_rejected_book_with_chapters_kept() -> None:
    toc = "\n".join(f"第{n}章 {title}" for n, title in enumerate(["起源", "远行", "归来"] * 4, 1))
    verdict = ChapterList().check(doc("目录\n" + toc))
    assert verdict.reason == "chapter_list" and verdict.detail == "short_headings 12 > 10"
    glued = toc.replace("\n", " ")  # a TOC that lost its newlines still splits at each 第X章
    assert ChapterList().check(doc(glued)).reason == "chapter_list"
    body = "他走在路上，想起很多往事，心里五味杂陈，却不知道该对谁说。" * 10
    book = "\n".join(f"第{n}章 起源\n{body}" for n in range(1, 13))
    assert ChapterList(max_headings=None).check(doc(book)) is None
    assert ChapterList().check(doc(book)).detail == "short_headings 12 > 10"


def test_legal_enumerations_are_not_headings() -> None:
    clauses = "\n".join(f"（{n}）被告应当在判决生效之日起十日内履行第{n}项义务；" for n in "一二三四五六七八九十")
    judgment = "本院认为，原告的诉讼请求部分成立，判决如下：\n" + clauses + "\n（十一）驳回原告其他诉讼请求。"
    assert ChapterList().check(doc(judgment)) is None


def test_alternation_spam() -> None:
    rule = MixedScriptSpam()
    verdict = rule.check(doc("想赚钱的朋友加a微b信c，领d红e包f，每天都有惊喜。"))
    assert verdict.reason == "mixed_script_spam" and "加a微b信c" in verdict.detail
    assert rule.check(doc("设x为y的z倍，求x的值。这是数学题。")) is None  # one run is not spam
    assert rule.check(doc("我用Python和Java写代码，也用C语言。")) is None
