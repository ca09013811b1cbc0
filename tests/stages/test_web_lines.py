"""boilerplate_lines: a raw web page loses its menus, share bars and footers; its article stays whole."""

from __future__ import annotations

import json
import random
from collections import Counter
from pathlib import Path

import pytest

from cleaner.resources import RECIPES_DIR, SHIPPED, load_phrases
from cleaner.stages.base import validate_stage
from cleaner.stages.web_lines import (
    _LATIN_WORDS,
    _LIST_ITEM,
    _LIST_ITEM_FIRST,
    _SENTENCE_MARKS,
    _SEPARATOR_MARKS,
    _SEPARATORS,
    _TERMINAL,
    _TERMINAL_LAST,
    BAD,
    GOOD,
    NEARGOOD,
    SHORT,
    BoilerplateLines,
    _ascii_marks,
    _latin_words,
    _promote_runs,
    _revise,
    _two_words,
)
from tests.conftest import corpus_records

LISTS = SHIPPED / "blacklists" / "boilerplate"
#: A Yahoo China news page (2005) with its portal navigation, teaser lists, ads and legal footer.
ZH_PAGE = ("zh_web_cwced_pages.jsonl", "cwced-2bac7fb2-efbd-4444-99c8-51c72acf5c7d")
#: A BBC News article page with site navigation, share bars, related stories and the footer.
EN_PAGE = ("en_news_bbc_cx.jsonl", "cx-bbc-business-38728059")


def _stage(**params: object) -> BoilerplateLines:
    stage = BoilerplateLines(**params)
    validate_stage(stage, RECIPES_DIR)
    stage.setup()
    return stage


def _page(corpus_dir: Path, file: str, doc_id: str) -> dict:
    with open(corpus_dir / "web" / file, encoding="utf-8") as fh:
        for line in fh:
            record = json.loads(line)
            if record["id"] == doc_id:
                return record
    pytest.fail(f"{doc_id} not in {file}")


def _lines(text: str) -> set[str]:
    return {line.strip() for line in text.split("\n") if line.strip()}


def test_shipped_lists_load_without_duplicates() -> None:
    for name, minimum in (("web_zh", 100), ("web_en", 60)):
        phrases = [p.lower() for p in load_phrases(LISTS / f"{name}.txt")]
        assert len(phrases) >= minimum
        assert len(set(phrases)) == len(phrases)
    stage = _stage()
    assert {"the", "of", "and", "der", "le"} <= stage._stop_words
    assert stage._function_chars.fullmatch("的") and not stage._function_chars.fullmatch("国")


def test_chinese_page_keeps_the_article_and_drops_navigation_and_footer(corpus_dir: Path) -> None:
    record = _page(corpus_dir, *ZH_PAGE)
    out = _stage().normalise(record["text"])
    kept = _lines(out)
    paragraphs = [p.strip() for p in record["source_main_text"].split("\n") if len(p.strip()) >= 40]
    assert len(paragraphs) == 5
    for paragraph in paragraphs:
        assert paragraph in kept, paragraph[:40]
    assert "妻子变成替代母亲" in kept and "夫妻关系变成室友" in kept  # headings between paragraphs
    for boilerplate in (
        "雅虎中国 - 体育",
        "上一页",
        "相关报道",
        "发表评论",
        "[头条]",
        "热词回顾",
        "返回页首",
        "Copyright ©",
    ):
        assert boilerplate not in out, boilerplate
    assert len(out) < 0.5 * len(record["text"])


def test_english_page_keeps_the_article_and_drops_navigation_and_footer(corpus_dir: Path) -> None:
    record = _page(corpus_dir, *EN_PAGE)
    out = _stage().normalise(record["text"])
    kept = _lines(out)
    gold = " ".join(record["source_main_text"].split())
    article = [line for line in _lines(record["text"]) if len(line) >= 100 and line in gold]
    assert len(article) >= 20
    missing = [line for line in article if line not in kept]
    assert not missing, missing
    for boilerplate in ("Skip to content", "Share this with", "More on this story", "Top Stories", "Copyright ©"):
        assert boilerplate not in out, boilerplate
    assert "• Home" not in out and "News navigation" not in out
    assert kept <= _lines(record["text"])  # lines are removed whole, never rewritten


def test_space_separated_chinese_menu_is_a_menu(corpus_dir: Path) -> None:
    """Yahoo China's search-keyword links are Han words separated by single spaces: a menu of three
    segments, removed; a space between Han and Latin words separates nothing."""
    text = _page(corpus_dir, *ZH_PAGE)["text"]
    menu = "周杰伦 容祖儿 老鼠爱大米"
    assert menu in text.split("\n")
    assert _SEPARATORS.split(menu) == ["周杰伦", "容祖儿", "老鼠爱大米"]
    assert _SEPARATORS.split("股票报价技术由 TIBCO Software") == ["股票报价技术由 TIBCO Software"]
    assert menu not in _lines(_stage().normalise(text))


def _raw_web_lines(corpus_dir: Path) -> list[str]:
    """Stripped lines of raw Chinese and English web pages, with one line per separator branch."""
    lines = [
        line.strip()
        for name in ("zh_web_cwced_pages.jsonl", "en_news_bbc_cx.jsonl", "zh_cc_chinesewebtext.jsonl")
        for record in corpus_records(corpus_dir, f"web/{name}", limit=300)
        for line in record["text"].split("\n")
    ]
    return lines + [
        "首页\u3000新闻",
        "首页\u00a0新闻",
        "Home - News",
        "A — B",
        "a\tb",
        "x｜y",
        "Home » News",
        "a/b\\c>d|e",
    ]


def test_separator_marks_bound_the_segments(corpus_dir: Path) -> None:
    """The menu split is skipped on the count of separator marks: no line may split into more than
    one segment per mark plus one, on the real lines of raw web pages and on each separator branch;
    and the `str.count` of ASCII lines must count what the regex counts."""
    lines = _raw_web_lines(corpus_dir)
    assert sum(1 for line in lines if len(_SEPARATORS.split(line)) >= 3) > 500
    assert [line for line in lines if len(_SEPARATORS.split(line)) > len(_SEPARATOR_MARKS.findall(line)) + 1] == []
    ascii_lines = [line for line in lines if line.isascii()]
    assert sum(_ascii_marks(line) for line in ascii_lines) > 1000
    assert [line for line in ascii_lines if _ascii_marks(line) != len(_SEPARATOR_MARKS.findall(line))] == []


def test_word_fast_paths_find_the_regex_words(corpus_dir: Path) -> None:
    """`_latin_words` (a byte translation and a split where the letters are Latin-1) and
    `_two_words` give `_LATIN_WORDS.findall`'s answers on real lines of every script, lower-cased
    as the stage sees them, and on the apostrophe and Latin-1 edge cases."""
    lines = _raw_web_lines(corpus_dir) + [
        line.strip()
        for name in ("multi/multi_web_pages_fulltext.jsonl", "en/en_usenet_20newsgroups.jsonl")
        for record in corpus_records(corpus_dir, name, limit=200)
        for line in record["text"].split("\n")
    ]
    lines += ["rock'n'roll isn't l'été", "a'bé ×÷ ’tis", "'' x' 'y", "łódź über", "don’t", "ΣΑΣ x"]
    lowered = [line.lower() for line in lines]
    assert sum("'" in line for line in lowered) > 100 and sum(not line.isascii() for line in lowered) > 1000
    assert [line for line in lowered if _latin_words(line) != _LATIN_WORDS.findall(line)] == []
    assert [line for line in lowered if _two_words(line) != (len(_LATIN_WORDS.findall(line)) >= 2)] == []


def test_news_brief_of_one_long_sentence_is_kept(corpus_dir: Path) -> None:
    """Hexun's brief is one sentence of 100 Han characters in clauses, between a breadcrumb and the
    editor's line: its function-character share (0.11) is middling, and alone among boilerplate a
    near-good line went; the title and dateline go with it."""
    text = _page(corpus_dir, "zh_news_gne_testpages.jsonl", "gne-tests_hexun_1")["text"]
    kept = _lines(_stage().normalise(text))
    assert any(line.startswith("据财联社9月26日消息") and line.endswith("“1.5小时交通圈”。") for line in kept)
    assert "交通运输部：着力打造京津冀区域综合立体交通网络" in kept
    assert not any("和讯网 > 股票" in line or "责任编辑" in line or "扫码阅读全文" in line for line in kept)


def test_polish_article_is_kept_and_its_navigation_dropped(corpus_dir: Path) -> None:
    """Without Polish function words no line of a Polish page was good, so the page was left whole
    and its menus failed it (fineweb_dup_lines): dziennik.pl's court story."""
    pages = corpus_records(corpus_dir, "multi/multi_web_pages_fulltext.jsonl")
    (record,) = [r for r in pages if r["id"] == "web-6ad1ae3090274230"]
    kept = _lines(_stage().normalise(record["text"]))
    assert any(line.startswith("12 maja. Tego dnia mija termin") for line in kept)
    assert not {"Gospodarka", "Piłka nożna", "Reklama", "Newsletter"} & kept
    assert len(kept) < 10


def test_short_content_line_between_paragraphs_is_kept(corpus_dir: Path) -> None:
    out = _stage().normalise(_page(corpus_dir, *EN_PAGE)["text"])
    kept = _lines(out)
    assert "That's because they're not going to people." in kept
    assert "They're going to robots." in kept
    assert "Trumpisms on the TPP: How true are they?" in kept  # a heading before its paragraph


@pytest.mark.parametrize(
    ("page", "first", "block_start", "block_end", "second"),
    [
        (EN_PAGE, '"The TPP and agreements', "Share this story", "    23 January 2017", "But, she adds, the game"),
        (ZH_PAGE, "像许多日本女性一样", "相关报道：", "第1页/共1页", "据英国《卫报》4日报道"),
    ],
)
def test_boilerplate_block_between_two_paragraphs_is_removed(
    corpus_dir: Path, page: tuple[str, str], first: str, block_start: str, block_end: str, second: str
) -> None:
    """The page's own share bar / related-links block, put between two of its paragraphs."""
    lines = _page(corpus_dir, *page)["text"].split("\n")
    start = next(i for i, line in enumerate(lines) if line.startswith(block_start))
    end = next(i for i, line in enumerate(lines) if i > start and line.startswith(block_end))
    block = lines[start : end + 1]
    assert len([line for line in block if line.strip()]) >= 8
    para_a = next(line for line in lines if line.startswith(first))
    para_b = next(line for line in lines if line.startswith(second))
    text = "\n\n".join([para_a, "\n".join(block), para_b])
    assert _stage().normalise(text) == f"{para_a}\n\n{para_b}"


def test_page_without_content_and_short_texts_are_left_alone(corpus_dir: Path) -> None:
    stage = _stage()
    lines = _page(corpus_dir, *EN_PAGE)["text"].split("\n")
    navigation = "\n".join(lines[: lines.index("Business selected")])
    assert stage.classify(navigation) and not any(keep for _, keep in stage.classify(navigation))
    assert stage.normalise(navigation) == navigation  # the page rules judge a page with no article
    assert stage.normalise("Sign in\nHome\n" + lines[137]) == "Sign in\nHome\n" + lines[137]  # under min_lines
    one_line = lines[137]
    assert stage.normalise(one_line) == one_line


def test_clean_news_articles_are_mostly_untouched(corpus_dir: Path) -> None:
    """People's Daily articles (title, dateline, paragraphs) are clean text: few change, little goes."""
    stage = _stage()
    with open(corpus_dir / "zh" / "zh_news_peoples_daily_1998.jsonl", encoding="utf-8") as fh:
        texts = [json.loads(line)["text"] for _, line in zip(range(300), fh)]
    outputs = [stage.normalise(text) for text in texts]
    changed = sum(out != text for out, text in zip(outputs, texts))
    removed = 1 - sum(map(len, outputs)) / sum(map(len, texts))
    assert changed < 0.3 * len(texts)
    assert removed < 0.03


def _kept_classing_every_line(stage: BoilerplateLines, raw: list[str], stripped: list[str]) -> set[int]:
    """`_kept` as it ran before it put off the short ASCII lines: every line classed in page order."""
    counts, seen = Counter(stripped), {}
    indices, lengths, classes, headings = [], [], [], []
    for index, line in enumerate(stripped):
        if not line:
            continue
        if line in seen:
            length, klass = seen[line], BAD
        else:
            length, klass, heading = stage._classify(line, raw[index], counts[line] > 1)
            seen[line] = length
            if heading:
                headings.append(len(indices))
        indices.append(index)
        lengths.append(length)
        classes.append(klass)
    _promote_runs(classes, lengths, stage.length_high)
    if GOOD not in classes:
        return set()
    _revise(classes, lengths, headings, stage.max_heading_distance)
    return {index for index, klass in zip(indices, classes) if klass == GOOD}


def test_late_short_lines_change_nothing(corpus_dir: Path) -> None:
    """Short ASCII lines are classed only on a page with good text: pages cleaned one after another
    by one stage come out as from a fresh stage each, with the same counters, and each page keeps
    the lines it keeps when every line is classed in page order; no short ASCII line of a real
    page is near-good or good."""
    texts = [
        record["text"]
        for name in ("en_news_bbc_cx.jsonl", "en_warc_dolma_samples.jsonl", "zh_web_cwced_pages.jsonl")
        for record in corpus_records(corpus_dir, f"web/{name}", limit=60)
    ]
    texts += [record["text"] for record in corpus_records(corpus_dir, "en/en_usenet_20newsgroups.jsonl", limit=200)]
    stage, fresh, fresh_counts = _stage(), [], []
    for text in texts:
        fresh_stage = _stage()
        fresh.append(fresh_stage.normalise(text))
        fresh_counts.append(fresh_stage.counters())
    assert [stage.normalise(text) for text in texts] == fresh
    totals = {key: sum(counts[key] for counts in fresh_counts) for key in fresh_counts[0]}
    assert stage.counters() == totals and totals["docs_changed"] > 50
    assert sum(out == text for out, text in zip(fresh, texts)) > 50  # among them pages without good text
    for text in texts:
        raw = text.split("\n")
        stripped = [line.strip() for line in raw]
        assert stage._kept(raw, stripped) == _kept_classing_every_line(stage, raw, stripped)
    short_ascii = {line.strip() for text in texts for line in text.split("\n")}
    short_ascii = [line for line in short_ascii if line and line.isascii() and len(line) < stage.length_low]
    assert len(short_ascii) > 1000
    assert {stage._classify(line, line, False)[1] for line in short_ascii} <= {BAD, SHORT}


def test_counters_count_removed_lines(corpus_dir: Path) -> None:
    stage = _stage()
    text = _page(corpus_dir, *EN_PAGE)["text"]
    out = stage.normalise(text)
    counts = stage.counters()
    assert counts["docs_changed"] == 1
    assert counts["lines_kept"] == len([line for line in out.split("\n") if line.strip()])
    assert counts["lines_kept"] + counts["lines_removed"] == len(_lines_list(text))
    assert stage.counters() == {"docs_changed": 0, "lines_removed": 0, "lines_kept": 0}


def _lines_list(text: str) -> list[str]:
    return [line for line in text.split("\n") if line.strip()]


@pytest.mark.parametrize(
    ("params", "key"),
    [
        ({"length_low": 300}, "length_low"),
        ({"stopwords_low": 0.5, "stopwords_high": 0.4}, "stopwords_low"),
        ({"function_chars_high": 1.5}, "function_chars_low"),
        ({"cjk_weight": 0}, "cjk_weight"),
        ({"pattern_lists": ["blacklists/boilerplate/missing.txt"]}, "pattern_lists"),
    ],
)
def test_validate_names_the_bad_key(params: dict, key: str) -> None:
    with pytest.raises(ValueError, match=key):
        validate_stage(BoilerplateLines(**params), RECIPES_DIR)


def test_cheap_pre_tests_admit_every_regex_match() -> None:
    """The first- and last-character sets only spare regex calls: no (stripped, as the stage sees
    them) line either regex matches may fail them, whatever character opens or closes it."""
    for code in range(0x10000):
        char = chr(code)
        for line in (char + " item", char + "x] item"):
            if _LIST_ITEM.match(" \t" + line):
                assert line[0] in _LIST_ITEM_FIRST, repr(char)
        for line in ("A sentence." + char, "A sentence" + char, "A sentence. (By a reporter" + char):
            line = line.strip()
            if _TERMINAL.search(line):
                assert line[-1] in _TERMINAL_LAST, repr(char)
            if line and line[-1] in _SENTENCE_MARKS:
                assert _TERMINAL.search(line), repr(char)


def _context_by_line(classes: list[int], lengths: list[float], headings: list[int], distance: int) -> list[int]:
    """jusText's context pass line by line, as the stage ran it before it worked on runs: the
    nearest good or bad (and near-good) line before and after each line, from one scan each way."""
    classes = list(classes)

    def good_follows(i: int) -> bool:
        total = 0.0
        for j in range(i + 1, len(classes)):
            if classes[j] == GOOD:
                return True
            total += lengths[j]
            if total > distance:
                return False
        return False

    def nearest(decisive: tuple[int, ...], order: range) -> dict[int, int]:
        found, last = {}, BAD
        for i in order:
            found[i] = last
            last = classes[i] if classes[i] in decisive else last
        return found

    forward, backward = range(len(classes)), range(len(classes) - 1, -1, -1)
    for i in headings:
        if classes[i] == SHORT and good_follows(i):
            classes[i] = NEARGOOD
    strict = (nearest((GOOD, BAD), forward), nearest((GOOD, BAD), backward))
    near = (nearest((GOOD, BAD, NEARGOOD), forward), nearest((GOOD, BAD, NEARGOOD), backward))
    for i in [i for i in forward if classes[i] == SHORT]:
        before, after = strict[0][i], strict[1][i]
        if before == after:
            classes[i] = before
        elif (before == BAD and near[0][i] == NEARGOOD) or (after == BAD and near[1][i] == NEARGOOD):
            classes[i] = GOOD
        else:
            classes[i] = BAD
    strict = (nearest((GOOD, BAD), forward), nearest((GOOD, BAD), backward))
    for i in [i for i in forward if classes[i] == NEARGOOD]:
        classes[i] = BAD if strict[0][i] == BAD and strict[1][i] == BAD else GOOD
    for i in headings:
        if classes[i] == BAD and good_follows(i):
            classes[i] = GOOD
    return classes


def test_context_pass_on_runs_decides_as_line_by_line(corpus_dir: Path) -> None:
    """`_revise` works on runs of lines, and `_kept` skips it on pages without a good line: both
    must give what the line-by-line pass gives, on random pages of every class pattern and on the
    context-free classes of real raw pages."""
    rng = random.Random(15)
    pages = []
    for _ in range(3000):
        size = rng.randint(1, 24)
        classes = [rng.choice((BAD, SHORT, SHORT, NEARGOOD, GOOD)) for _ in range(size)]
        lengths = [float(rng.choice((5, 20, 30, 80, 150))) for _ in range(size)]
        pages.append((classes, lengths, [i for i in range(size) if classes[i] == SHORT and rng.random() < 0.6]))
    stage = _stage()
    for record in corpus_records(corpus_dir, "web/en_news_bbc_cx.jsonl", limit=40):
        lines = [line.strip() for line in record["text"].split("\n") if line.strip()]
        judged = [stage._classify(line, line, False) for line in lines]
        pages.append(([k for _, k, _ in judged], [n for n, _, _ in judged], [i for i, j in enumerate(judged) if j[2]]))
    pages_without_good = 0
    for classes, lengths, headings in pages:
        _promote_runs(classes, lengths, 200)
        expected = _context_by_line(classes, lengths, headings, 40)
        if GOOD not in classes:
            pages_without_good += 1
            assert GOOD not in expected
            continue
        _revise(classes, lengths, headings, 40)
        assert classes == expected
    assert 0 < pages_without_good < len(pages) / 2
