"""Shared base for rules that delete spans or replace them with a placeholder such as `<EMAIL>`."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import ClassVar, Literal

import regex

from cleaner.stages.base import Normaliser


@dataclass
class SpanRemover(Normaliser):
    """Each match of `pattern` that `accept` approves is deleted or replaced by `placeholder`.

    When the pattern has a group named `span`, only that group is removed (`微信号：<WECHAT>`
    keeps its label). Subclasses set `pattern` and redeclare `placeholder` with their default.
    """

    #: A `regex` pattern, or a stdlib `re` one where that engine is linear and the other is not.
    pattern: ClassVar[regex.Pattern[str] | re.Pattern[str]]

    action: Literal["delete", "replace"] = "delete"
    placeholder: str = ""

    def validate(self) -> None:
        if self.action == "replace" and not self.placeholder:
            raise ValueError("placeholder: must not be empty when action is 'replace'")

    def accept(self, span: str) -> bool:
        """Checksums and other tests a regex cannot express; True keeps the match as a hit."""
        return True

    def _substitute(self, match: regex.Match[str] | re.Match[str]) -> str:
        group = "span" if "span" in match.re.groupindex and match.group("span") is not None else 0
        span = match.group(group)
        if not self.accept(span):
            return match.group(0)
        whole, start, end = match.group(0), match.start(group) - match.start(), match.end(group) - match.start()
        replacement = self.placeholder if self.action == "replace" else ""
        return whole[:start] + replacement + whole[end:]

    def normalise(self, text: str) -> str:
        return self.pattern.sub(self._substitute, text)
