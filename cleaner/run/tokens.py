"""Token counts for kept documents, made by the workers during the run (no second pass).

The default is `cl100k_base`, counted by the Rust `bpe-openai` crate (GitHub's linear-time BPE;
Python bindings in the `bpe-openai` wheel, vocabulary inside it, nothing downloaded). Its counts
equal tiktoken's (tests/run/test_tokens.py checks them against tiktoken on the corpus) in 0.6 of
tiktoken's CPU time on real text (0.052 against 0.087 s/MB over the 96,913 documents of
../shared/corpus), and it stays linear where tiktoken is not: 2 M characters of one letter take it
0.03 s, tiktoken 1.4 s. A team that trains its own model counts with that model's Hugging Face
`tokenizer.json` instead (the `tokenizers` library).

Counts exclude special tokens: `<|endoftext|>` in a document is plain text (documents are
untrusted), and a Hugging Face tokenizer is asked for no BOS/EOS, so the count is the document's
own tokens, comparable across tokenizers.
"""

from __future__ import annotations

import importlib.machinery
import importlib.util
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

from cleaner.errors import UsageError

DEFAULT_TOKENIZER = "cl100k_base"

#: The wheel's compiled module.
BPE_MODULE = "bpe_openai._bindings"


def _bpe_bindings() -> ModuleType:
    """The wheel's compiled module, loaded without its package's Python wrapper: importing that
    builds every encoding's metadata in Python (0.5-0.9 CPU s per process, against 0.03 for the
    module and its cl100k_base), refuses texts of 1 M characters or more and builds a token list
    only to be counted. Registered under its own name, so importing the package later reuses it."""
    if BPE_MODULE in sys.modules:
        return sys.modules[BPE_MODULE]
    spec = importlib.util.find_spec("bpe_openai")  # finds the package without running it
    folder = Path(spec.submodule_search_locations[0]) if spec and spec.submodule_search_locations else None
    files = [folder / f"_bindings{suffix}" for suffix in importlib.machinery.EXTENSION_SUFFIXES] if folder else []
    path = next((f for f in files if f.is_file()), None)
    if path is None:
        raise UsageError(f"token counts with {DEFAULT_TOKENIZER} need the bpe-openai wheel (or --tokenizer none)")
    loader = importlib.machinery.ExtensionFileLoader(BPE_MODULE, str(path))
    module = importlib.util.module_from_spec(importlib.util.spec_from_loader(BPE_MODULE, loader))
    loader.exec_module(module)
    sys.modules[BPE_MODULE] = module
    return module


def _cl100k_counter() -> Callable[[str], int]:
    count = _bpe_bindings().tokenizer_for_encoding(DEFAULT_TOKENIZER).count

    def count_text(text: str) -> int:
        try:
            return count(text)
        except UnicodeEncodeError:
            # A lone surrogate (JSON allows "\ud800") cannot cross into Rust: it counts as U+FFFD,
            # as tiktoken counts it.
            return count(text.encode("utf-16", "surrogatepass").decode("utf-16", "replace"))

    return count_text


def _tokenizer_file(spec: str) -> Path:
    path = Path(spec)
    if path.is_dir():
        path = path / "tokenizer.json"
    if not path.is_file():
        raise UsageError(
            f"tokenizer {spec!r} is neither {DEFAULT_TOKENIZER!r} nor a Hugging Face tokenizer.json "
            "(or a folder holding one)"
        )
    return path


def check_tokenizer(spec: str) -> None:
    """Raise UsageError before a run starts when `spec` cannot count: the counter is built (0.03
    CPU s for the default; loading a tokenizer.json is what checks the file)."""
    TokenCounter(spec)


class TokenCounter:
    """Counts tokens with one tokenizer; built once per worker from a picklable spec string.

    `spec` is "cl100k_base" (default) or the path of a Hugging Face `tokenizer.json` (or of the
    folder holding it). `name` is what reports print: "cl100k_base" or "tokenizer.json:<abs path>".
    """

    def __init__(self, spec: str = DEFAULT_TOKENIZER) -> None:
        self.spec = spec
        if spec == DEFAULT_TOKENIZER:
            self.name = DEFAULT_TOKENIZER
            self._count_one = _cl100k_counter()
            self._count_many = None
            return
        path = _tokenizer_file(spec)
        try:
            from tokenizers import Tokenizer
        except ImportError:
            raise UsageError(
                f"--tokenizer {spec}: counting with a tokenizer.json needs the `tokenizers` package "
                "(pip install tokenizers)"
            ) from None
        try:
            tokenizer = Tokenizer.from_file(str(path))
        except Exception as err:  # the library raises a bare Exception for a bad file
            raise UsageError(f"cannot load tokenizer {path}: {err}") from None
        self.name = f"tokenizer.json:{path.resolve()}"
        self._count_one = lambda text: len(tokenizer.encode(text, add_special_tokens=False).ids)
        self._count_many = lambda texts: [
            len(e.ids) for e in tokenizer.encode_batch(list(texts), add_special_tokens=False)
        ]

    def count(self, text: str) -> int:
        return self._count_one(text)

    def count_batch(self, texts: Sequence[str]) -> list[int]:
        """One count per text (cl100k_base has no batch call: a thread pool per call would only
        oversubscribe the cores a worker process shares)."""
        if self._count_many is not None:
            return self._count_many(texts)
        return [self._count_one(text) for text in texts]

    def __reduce__(self) -> tuple[Any, tuple[str]]:
        """Pickles as its spec, so a counter can be handed to pool workers and rebuilt there."""
        return (TokenCounter, (self.spec,))


#: Characters of text a unit holds back before counting them (a few MB of str). Counting right
#: after each document's stages runs the tokenizer with the CPU caches full of the stages' tables;
#: counting in runs keeps its vocabulary warm: on stage_profile's mixed inputs the token count went
#: from 0.15 to 0.10 CPU s/MB (64k chars: 0.11, one run per unit: 0.096).
PENDING_CHARS = 1_000_000


class UnitTokens:
    """A unit's `tokens_in` (every parsed document as read) and `tokens_out` (kept documents),
    counted in runs of about PENDING_CHARS; the totals, and `kept_counts` (each kept document's
    tokens, in unit order: the dedup signatures keep them, so removing a duplicate subtracts its
    count instead of counting its text again), are final after `flush()`."""

    def __init__(self, counter: TokenCounter) -> None:
        self.counter = counter
        self.tokens_in = 0
        self.tokens_out = 0
        self.kept_counts: list[int] = []
        #: (text, counts into tokens_in, counts into tokens_out)
        self._pending: list[tuple[str, bool, bool]] = []
        self._chars = 0

    def kept(self, text: str, original: str) -> None:
        """A kept document: its text as written and as read (counted once when unchanged)."""
        if text == original:
            self._hold(text, True, True)
        else:
            self._hold(text, False, True)
            self._hold(original, True, False)

    def rejected(self, original: str) -> None:
        """A rejected document: its text as read."""
        self._hold(original, True, False)

    def _hold(self, text: str, into_in: bool, into_out: bool) -> None:
        self._pending.append((text, into_in, into_out))
        self._chars += len(text)
        if self._chars >= PENDING_CHARS:
            self.flush()

    def flush(self) -> None:
        count = self.counter.count
        for text, into_in, into_out in self._pending:
            tokens = count(text)
            if into_in:
                self.tokens_in += tokens
            if into_out:
                self.tokens_out += tokens
                self.kept_counts.append(tokens)
        self._pending = []
        self._chars = 0
