"""C4 line cleaner and page rules (Raffel et al. 2020, 2.2): the published rules, datatrove's own
C4QualityFilter test cases with the paper's decision, and real text."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
import regex

from cleaner.document import Document
from cleaner.stages.c4 import _ABBREVIATIONS, _CASE_TWINS, _CITATION, _SENTENCE_ENDS, C4Lines, C4Quality
from tests.conftest import corpus_records


def doc(text: str) -> Document:
    return Document("i", text, "f", 1, {})


PAGE = """Home | About | Contact
The committee met on Tuesday to discuss the budget.
Please enable JavaScript to view the comments.
We use cookies to improve your experience. Read our privacy policy.
Members agreed that spending on parks should rise[1].
Short line.
What happens next is up to the council?
Read more...
"""


def test_line_rules() -> None:
    cleaned = C4Lines().normalise(PAGE)
    assert cleaned.split("\n") == [
        "The committee met on Tuesday to discuss the budget.",
        "Members agreed that spending on parks should rise.",
        "What happens next is up to the council?",
    ]
    fineweb_style = C4Lines(require_terminal_punctuation=False).normalise(PAGE)
    assert "Home | About | Contact" in fineweb_style and "Short line." not in fineweb_style


def test_page_rules() -> None:
    rule = C4Quality()
    assert rule.check(doc("One sentence. Two sentences. Three.")).detail == "sentences 3 < 5"
    five = "It rained. We stayed in. The cat slept. I read a book. Then the sun came out."
    assert rule.check(doc(five)) is None
    assert rule.check(doc(five + " Lorem ipsum dolor sit amet.")).reason == "c4_lorem_ipsum"
    assert rule.check(doc(five + " function f() { return 1; }")).reason == "c4_curly_braces"


def c4(text: str, **line_params: object) -> str | None:
    """The reason C4 (line rules, then page rules, as datatrove's C4QualityFilter) rejects `text` for."""
    verdict = C4Quality().check(doc(C4Lines(**line_params).normalise(text)))  # type: ignore[arg-type]
    return None if verdict is None else verdict.reason


def test_initials_titles_and_spaced_dots_end_no_sentence() -> None:
    text = "Wait . . . . we will see what happens here. Dr. J. R. R. Tolkien wrote the book in Oxford."
    assert C4Quality().check(doc(text)).detail == "sentences 2 < 5"


@pytest.mark.parametrize(
    ("text", "sentences"),
    [
        ('He said "stop." Then he left! Why? Because. E.g. this one. The U.S. economy grew. It did.', 7),
        ("Wait... we will see. Really?! Yes. Mr. Smith sold 3.5 tons, etc. and more. (See above.) Ok!!", 6),
        ("pressure of the work.\nheadmaster which was created. it ran for a decade.\n\nHome about us", 4),
    ],
)
def test_sentence_ends(text: str, sentences: int) -> None:
    """Every non-empty line is a sentence (C4 counts per line), plus the ends inside it."""
    assert C4Quality(min_sentences=100).check(doc(text)).detail == f"sentences {sentences} < 100"


# datatrove's C4QualityFilter cases (tests/pipeline/filters/test_filters.py): C4 there is one
# filter; here c4_lines then c4_quality.


def test_datatrove_keeps_quality_text() -> None:
    text = (
        "This is a well-written paragraph with several sentences.\n"
        "The content continues with more good information here.\n"
        "Another important point is being made in this line.\n"
        "We can see that this document has quality content.\n"
        "Finally, the conclusion wraps everything up nicely.\n"
        "An additional sentence to ensure we pass the threshold."
    )
    assert c4(text) is None


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        (
            "This is a sentence with lorem ipsum dolor sit amet.\nAnother sentence with proper punctuation.\n"
            "More content to fill out the document.\nEven more content is needed to pass the check.\n"
            "The final sentence of the document.",
            "c4_lorem_ipsum",
        ),
        (
            "This is some code with a { bracket.\nAnother sentence follows this one.\n"
            "More content to fill out the document.\nEven more content is needed to pass.\n"
            "The final sentence of the document.",
            "c4_curly_braces",
        ),
        ("Just one sentence.", "c4_too_few_sentences"),
    ],
)
def test_datatrove_rejections(text: str, reason: str) -> None:
    assert c4(text) == reason


def test_datatrove_policy_lines_removed() -> None:
    text = "This site uses cookies for tracking.\nAnother valid line here today."
    assert C4Lines(min_words_per_line=0).normalise(text) == "Another valid line here today."


def test_real_articles_survive_line_cleaning(corpus_dir: Path) -> None:
    records = corpus_records(corpus_dir, "en/en_web_pages_maintext.jsonl", 100)
    lines, quality = C4Lines(), C4Quality()
    kept = [quality.check(doc(lines.normalise(r["text"]))) is None for r in records]
    assert sum(kept) / len(kept) > 0.7


def test_case_twins_are_all_the_non_ascii_letters_that_match_ascii() -> None:
    """`_may_ban` lower-cases the page instead of the IGNORECASE regex where no case twin is in
    it: that holds only if no other character matches an ASCII letter or lower-cases to ASCII."""
    ascii_letter = regex.compile(r"[a-z]", regex.IGNORECASE)
    found = [
        char
        for char in map(chr, range(0x80, 0x110000))
        if ascii_letter.match(char) or any(lower.isascii() for lower in char.lower())
    ]
    assert found == list(_CASE_TWINS)


def keep(stage: C4Lines, line: str, banned: regex.Pattern[str] | None) -> bool:
    """C4's rules for one stripped line, one line at a time."""
    if len(line.split()) < stage.min_words_per_line:
        return False
    if stage.require_terminal_punctuation and (
        not line.endswith(tuple(stage.terminal_punctuation)) or line.endswith("...")
    ):
        return False
    if line and max(map(len, line.split())) > stage.max_word_length:
        return False
    return not (banned and banned.search(line))


def test_rules_over_the_lines_keep_what_each_line_rule_keeps(corpus_dir: Path) -> None:
    """`_kept` (one pass per rule) keeps the lines the rules keep one line at a time, with every
    rule able to drop a line: terminal punctuation on and off, words too long, banned phrases."""
    texts = [
        record["text"]
        for name in ("en/en_web_pages_fulltext.jsonl", "multi/multi_web_pages_fulltext.jsonl")
        for record in corpus_records(corpus_dir, name, 150)
    ]
    stages = [C4Lines(), C4Lines(require_terminal_punctuation=False, max_word_length=12, min_words_per_line=5)]
    dropped = [0, 0]
    for text in texts:
        lines = [line.strip() for line in text.split("\n")]
        for i, stage in enumerate(stages):
            expected = [line for line in lines if keep(stage, line, stage._banned)]
            assert stage._kept(lines, stage._banned) == expected
            dropped[i] += len(lines) - len(expected)
    assert min(dropped) > 1000


def test_page_wide_phrase_test_keeps_the_line_rules(corpus_dir: Path) -> None:
    """Pages the lower-cased test clears and pages it sends to the regex lose the same lines as
    with the regex on every line: ASCII pages, pages with other letters, case twins, phrases in
    any case."""
    texts = [
        record["text"]
        for name in ("en/en_web_pages_fulltext.jsonl", "multi/multi_web_pages_fulltext.jsonl")
        for record in corpus_records(corpus_dir, name, 150)
    ]
    texts += [
        "Café news: the Privacy POLICY changed.\nA second fine line here.",
        "\ud800 JavaScript is off in this café.\nA second fine line here.",
        "Read our PRIVACY Policy now please.\nA second fine line here.",
        "We uſe cookies on this site.\nA second fine line here.",
        "JAVASCRİPT is off for you.\nA second fine line here.",
        "The Terms of Use apply to all.\nA second fine line here.",
    ]
    stage = C4Lines()
    may_ban = [stage._may_ban(text) for text in texts]
    assert 10 < sum(may_ban) < len(texts) - 10
    for text in texts:
        lines = [line.strip() for line in _CITATION.sub("", text).split("\n")]
        assert stage.normalise(text) == "\n".join(line for line in lines if keep(stage, line, stage._banned))
    assert [stage.normalise(text) for text in texts[-4:]] == ["A second fine line here."] * 4


#: The sentence end as one pattern, as it was before each opening mark had its own.
ONE_SENTENCE_END = regex.compile(
    r"(?<=[^\s.!?。！？])"
    r"(?:\.*+[!?][.!?]*+|[。！？]++|\.{2,}+(?![\"'”’)\]]*+[^\S\n]++\p{Ll})"
    rf"|(?<!(?<![^\s.])\p{{L}})(?<!(?<![\w.])(?i:{_ABBREVIATIONS}))\.)"
    r"[\"'”’)\]]*+(?=[^\S\n]++\S)"
)


def test_sentence_ends_by_opening_mark_count_as_one_pattern(corpus_dir: Path) -> None:
    """The patterns of each opening mark, summed, count the ends the one pattern finds: on real
    pages and on random strings of marks, quotes, spaces, initials and abbreviations."""
    texts = [
        record["text"]
        for name in ("en/en_web_pages_fulltext.jsonl", "multi/multi_web_pages_fulltext.jsonl")
        for record in corpus_records(corpus_dir, name, 150)
    ]
    pieces = [*".!?。！？\"'”’)] \n\t\x1c\xa0aZé1", "Dr", "e.g", "U.S", " . . ", "J. R.", "...", "etc.", "Wait"]
    rng = random.Random(0)
    texts += ["".join(rng.choices(pieces, k=rng.randint(1, 30))) for _ in range(20_000)]
    found = [len(ONE_SENTENCE_END.findall(text)) for text in texts]
    assert sum(found) > 10_000
    split = [sum(len(pattern.findall(text)) for pattern in _SENTENCE_ENDS.values()) for text in texts]
    assert split == found
