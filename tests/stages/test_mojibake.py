"""Mojibake on real text: reversible misreads repaired and kept, lost-byte GBK news rejected, clean text kept."""

from __future__ import annotations

import re
from pathlib import Path

from cleaner.document import Document
from cleaner.stages import mojibake
from cleaner.stages.mojibake import GarbledText, MojibakeRepair, gbk_shift_spans
from cleaner.stages.normalise import UnicodeNormaliser
from tests.conftest import corpus_records
from tests.stages.web_labels import labelled

#: Clean text with ASCII question marks inside Chinese (reviews, forum-like judgments) and without.
CLEAN = [
    "zh/zh_reviews_online_shopping.jsonl",
    "zh/zh_reviews_ecommerce_eprstmt.jsonl",
    "zh/zh_court_judgments.jsonl",
    "zh/zh_wiki_cmrc2018.jsonl",
    "zh/zh_news_peoples_daily_1998.jsonl",
]


def doc(text: str) -> Document:
    return Document("i", text, "f", 1, {})


def garbled_rule() -> GarbledText:
    rule = GarbledText()
    rule.setup()
    return rule


def repair_stage() -> MojibakeRepair:
    stage = MojibakeRepair()
    stage.setup()
    return stage


def test_garbled_text_catches_each_misread(corpus_dir: Path) -> None:
    rule = garbled_rule()
    text = corpus_records(corpus_dir, "zh/zh_wiki_cmrc2018.jsonl", 1)[0]["text"][:300]
    misreads = {
        "UTF-8 read as GBK": text.encode("utf-8").decode("gbk", errors="ignore"),
        "U+FFFD": text.encode("gbk").decode("utf-8", errors="replace"),
        "GBK read as Latin-1": text.encode("gbk").decode("latin-1"),
        "UTF-8 read as Latin-1": text.encode("utf-8").decode("cp1252", errors="replace"),
        "锟斤拷": text[:150] + "锟斤拷锟斤拷锟斤拷" + text[150:],
        "烫烫烫/屯屯屯": text[:150] + "烫烫烫烫烫烫" + text[150:],
    }
    for kind, garbled in misreads.items():
        verdict = rule.check(doc(garbled))
        assert verdict is not None and verdict.reason == "garbled_text", kind
        assert f"mostly {kind}" in verdict.detail, (kind, verdict.detail)
    # Real names written with characters that also appear in mojibake (琛, 璀璨) are fine.
    assert rule.check(doc("张琛说，璀璨的灯光下，轱辘声渐远。这是一个普通的句子，没有乱码。")) is None


def test_lost_byte_run_decodes_one_byte_off(corpus_dir: Path) -> None:
    records = {r["id"]: r for r in corpus_records(corpus_dir, "web/zh_news_sogouca_mini.jsonl")}
    spans = gbk_shift_spans(records["sogouca-005"]["text"])
    assert "１颈ㄍㄑ对薄≌叛蕖∷真糊３乔" in spans
    # The article's own sentences between two marks are not runs.
    assert not any("胶南市" in span for span in spans)


def test_lost_byte_news_rejected_and_one_run_kept(corpus_dir: Path) -> None:
    rule = garbled_rule()
    pages = labelled(corpus_dir, "zh_news_sogouca_mini.jsonl")
    garbled = [r for r, label in pages if label["reason"] == "garbled"]
    good = [r for r, label in pages if label["label"] == "keep"]
    assert len(garbled) >= 20 and len(good) >= 5
    for record in garbled:
        verdict = rule.check(doc(record["text"]))
        assert verdict is not None and "gbk_shift_ratio" in verdict.detail, record["id"]
    # Each of these spans is a small share of its page: rejected because characters are lost.
    shares = [float(rule.check(doc(r["text"])).detail.split()[1]) for r in garbled]
    assert min(shares) < 0.02
    # sogouca-074 has one lost-byte run in a good article; the curator keeps it, and so do we.
    assert {r["id"] for r in good} >= {"sogouca-074"}
    assert all(rule.check(doc(r["text"])) is None for r in good)


def test_lost_byte_runs_found_after_full_width_digits_became_ascii(corpus_dir: Path) -> None:
    # Recipes run garbled_text before unicode_normalise; placed after it, the rule still reads runs
    # whose full-width letters and digits became ASCII (enclosed numbers such as ⒕ are lost).
    rule, normalise = garbled_rule(), UnicodeNormaliser()
    garbled = [r for r, label in labelled(corpus_dir, "zh_news_sogouca_mini.jsonl") if label["reason"] == "garbled"]
    normalised = [normalise.normalise(r["text"]) for r in garbled]
    assert sum(text != r["text"] for text, r in zip(normalised, garbled)) >= 20
    assert sum(rule.check(doc(text)) is not None for text in normalised) >= 0.9 * len(garbled)


def test_clean_chinese_with_question_marks_is_kept(corpus_dir: Path) -> None:
    rule = garbled_rule()
    texts = [r["text"] for name in CLEAN for r in corpus_records(corpus_dir, name, 3000)]
    with_marks = [t for t in texts if "?" in t]
    assert len(with_marks) >= 200
    assert sum(rule.check(doc(t)) is not None for t in texts) == 0


def test_reversible_mojibake_is_repaired_and_kept(corpus_dir: Path) -> None:
    stage, rule = repair_stage(), garbled_rule()
    article = corpus_records(corpus_dir, "zh/zh_wiki_cmrc2018.jsonl", 1)[0]["text"]
    misread = article.encode("utf-8").decode("latin-1")
    assert rule.check(doc(misread)) is not None
    repaired = stage.normalise(misread)
    assert repaired == article and rule.check(doc(repaired)) is None
    # Read as cp1252 with bytes it lacks replaced by U+FFFD, characters are lost: not repaired.
    lossy = article.encode("utf-8").decode("cp1252", errors="replace")
    assert stage.normalise(lossy) == lossy and rule.check(doc(lossy)) is not None
    # A real English page with `â€™` and `Â ` from a UTF-8 page read as cp1252.
    page = next(r for r in corpus_records(corpus_dir, "en/en_web_pages_maintext.jsonl") if "â€™" in r["text"])
    fixed = stage.normalise(page["text"])
    assert "â€™" not in fixed and "’" in fixed and len(fixed) < len(page["text"])


def test_irreversible_mojibake_is_left_for_garbled_text(corpus_dir: Path) -> None:
    stage, rule = repair_stage(), garbled_rule()
    # GBK read as Latin-1: ftfy would turn parts of it into Cyrillic, so the repair is discarded.
    (page,) = [r for r, label in labelled(corpus_dir, "zh_web_cwced_pages.jsonl") if label["reason"] == "garbled"]
    assert stage.normalise(page["text"]) == page["text"]
    assert rule.check(doc(page["text"])) is not None
    # Clean text is never touched.
    for record in corpus_records(corpus_dir, "zh/zh_news_peoples_daily_1998.jsonl", 200):
        assert stage.normalise(record["text"]) == record["text"]


#: Real text of every kind the front stages see: Chinese, English, raw web pages with mojibake.
MIXED = [
    *CLEAN,
    "en/en_web_pages_fulltext.jsonl",
    "en/en_usenet_20newsgroups.jsonl",
    "web/zh_news_sogouca_mini.jsonl",
    "web/zh_cc_chinesewebtext.jsonl",
    "web/multi_cc_datajuicer_demo.jsonl",
]


def mixed_texts(corpus_dir: Path) -> list[str]:
    """Real texts and, for one in 20, its misreads: every kind of mojibake on real text."""
    texts = [r["text"] for name in MIXED for r in corpus_records(corpus_dir, name, 1500)]
    sample = texts[::20]
    return [
        *texts,
        *(t.encode("utf-8").decode("gbk", errors="ignore") for t in sample),
        *(t.encode("utf-8").decode("cp1252", errors="replace") for t in sample),
        *(t.encode("gbk", errors="ignore").decode("latin-1") for t in sample),
        *(t.encode("gbk", errors="ignore").decode("utf-8", errors="replace") for t in sample),
    ]


def test_texts_without_a_garbled_cue_have_nothing_to_count(corpus_dir: Path) -> None:
    texts = mixed_texts(corpus_dir)
    cued = [not t.isascii() and mojibake._garbled_cue().search(t) is not None for t in texts]
    skipped = [t for t, cue in zip(texts, cued, strict=True) if not cue]
    counted = [t for t, cue in zip(texts, cued, strict=True) if cue]
    # Both paths are taken, and the counted one finds every kind.
    assert len(skipped) > 5000 and len(counted) > 1000
    found = {kind for t in counted for kind, chars in mojibake._chars_by_kind(t).items() if chars}
    assert found == {"replacement", "utf8_latin1", "gbk_latin1", "utf8_gbk"}
    assert [t[:60] for t in skipped if sum(mojibake._chars_by_kind(t).values())] == []
    # A lost-byte run holds a character that is not ASCII.
    spanned = [t for t in texts if gbk_shift_spans(t)]
    assert spanned and [t[:60] for t in spanned if t.isascii()] == []


def test_ftfy_start_class_admits_every_text_ftfy_is_needed_for(corpus_dir: Path) -> None:
    texts = mixed_texts(corpus_dir)
    needed = [bool(mojibake._NEEDS_FTFY.search(t)) for t in texts]
    assert 500 < sum(needed) < len(texts) - 5000
    assert [t[:60] for t, need in zip(texts, needed, strict=True) if mojibake._needs_ftfy(t) != need] == []


def test_latin1_texts_the_gate_skips_hold_no_misread(corpus_dir: Path) -> None:
    texts = mixed_texts(corpus_dir) + [
        r["text"] for r in corpus_records(corpus_dir, "multi/multi_web_pages_fulltext.jsonl")
    ]
    latin1 = [t for t in texts if mojibake._LATIN1_HIGH.search(t)]
    skipped = [t for t in latin1 if not mojibake._may_be_garbled(t)]
    assert len(skipped) > 200 and len(latin1) - len(skipped) > 200
    assert [t[:60] for t in skipped if mojibake._garbled_pattern().search(t)] == []


def test_repair_on_lines_beyond_ascii_is_fix_text_on_the_whole(corpus_dir: Path) -> None:
    import ftfy

    stage = repair_stage()
    texts = [t for t in mixed_texts(corpus_dir) if mojibake._needs_ftfy(t)]
    assert len(texts) > 500
    assert [t[:60] for t in texts if stage._fix_lines(t) != ftfy.fix_text(t, stage._config)] == []
    # A line longer than max_decode_length is fixed in the same pieces, counted from its start.
    stage._config = stage._config._replace(max_decode_length=7)
    for text in ("ab\nCafÃ© Ã©tÃ© Ã  la plage\nok Ã©\n", "FranÃ§ois\n\nx", "Ã©" * 20 + "\n" + "Ã¨" * 9):
        assert stage._fix_lines(text) == ftfy.fix_text(text, stage._config)


def test_latin1_view_tests_agree_with_the_class_searches() -> None:
    # A continuation beyond Latin-1 (cp1252's €, U+FFFD) reads as `?` in the view, as a real `?` does.
    samples = ["x Ã€ y", "Ã\ufffd", "\x85", "Ça va? Très bien? — oui", "naïve “quotes”", "itâ€™s", "Ã?Ã\ufffd"]
    samples += ["café? déjà vu", "3×4×5×6 ××××", "ÄãºÃÊÀ½ç", "é" * 3 + "?" + "é" * 3, "\ud800Ã€"]
    needed = [bool(mojibake._NEEDS_FTFY.search(s)) for s in samples]
    assert [mojibake._needs_ftfy(s) for s in samples] == needed == [1, 0, 1, 0, 0, 1, 0, 0, 0, 1, 0, 1]
    # The gate as class searches: a marker, or a Latin-1 letter and a pair or a GBK-as-Latin-1 run.
    gbk_run = re.compile(mojibake._GBK_AS_LATIN1 * 4)
    gated = [
        "\ufffd" in s or bool(mojibake._LATIN1_HIGH.search(s) and (mojibake._UTF8_PAIR.search(s) or gbk_run.search(s)))
        for s in samples
    ]
    assert [mojibake._may_be_garbled(s) for s in samples] == gated == [1, 1, 0, 0, 0, 1, 1, 0, 0, 1, 0, 1]
    # Mojibake characters below the Han blocks (々 〇) count only beside one from them.
    assert mojibake._mojibake_run_chars("々〇々〇々〇\U0001f600") == 0
    assert mojibake._mojibake_run_chars("々〇々〇々〇鐨") == 7
