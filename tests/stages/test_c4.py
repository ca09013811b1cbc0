"""C4 line cleaner and page rules."""

from __future__ import annotations

from pathlib import Path

from cleaner.document import Document
from cleaner.stages.c4 import C4Lines, C4Quality
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


def test_real_articles_survive_line_cleaning(corpus_dir: Path) -> None:
    records = corpus_records(corpus_dir, "en/en_web_pages_maintext.jsonl", 100)
    lines, quality = C4Lines(), C4Quality()
    kept = [quality.check(doc(lines.normalise(r["text"]))) is None for r in records]
    assert sum(kept) / len(kept) > 0.7
