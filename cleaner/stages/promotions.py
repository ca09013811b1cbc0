"""Promotions and ad templates: lotteries, scan-to-claim, add-me-on-WeChat, as a pattern list."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import regex

from cleaner.document import Document
from cleaner.stages.measure import Measure, MeasuredFilter
from cleaner.stages.registry import register

#: Default patterns. Gaps are bounded ({0,20}) so each pattern stays linear and local to a phrase:
#: the old `(获奖|有奖).*活动` matched 有奖 and 活动 paragraphs apart.
DEFAULT_PATTERNS = [
    r"(?:有奖|获奖|抽奖)[^。！？\n]{0,20}活动",
    r"扫(?:码|描二维码)[^。！？\n]{0,10}(?:领取|领|添加|加入|进群|关注|下载|购买|抢)",
    r"(?:加|添加|联系)(?:微信|薇信|威信|V信|vx|VX|wx|WX|客服微信)(?:号)?[:：]?\s*+[A-Za-z0-9_-]{5,}",
    r"长按(?:识别)?(?:图中|下方|上方)?二维码[^。！？\n]{0,10}(?:领取|关注|添加|进群|购买)",
    r"(?:免费|限时|限量|立即|马上)领取",
    r"(?:转发|分享)(?:到|至)?朋友圈[^。！？\n]{0,15}(?:领取|抽奖|集赞|送)",
    r"集赞[^。！？\n]{0,10}(?:送|领|免费)",
    r"(?:点击|戳)(?:阅读原文|下方链接|链接)[^。！？\n]{0,10}(?:领取|购买|抢购|下单)",
    r"(?:优惠券|红包)[^。！？\n]{0,10}(?:免费领|限时领|点击领|扫码领)",
    r"(?:代开|出售)[^。！？\n]{0,6}发票",
]
#: An upper bound on the default patterns' scan time per character: four times the slowest seen, on
#: text made of their first characters ("扫码" repeated: 2.5 µs per character, against 0.01 µs on
#: real text). A text too short to reach the timeout at this rate is scanned without the regex
#: module's timer, which costs about 2 µs per call, more than the scan of a short review.
_DEFAULT_SECONDS_PER_CHAR = 1e-5


@register
@dataclass
class Promotions(MeasuredFilter):
    """Rejects documents with at least `min_matches` matches of promotion / ad-template patterns.

    `patterns` replaces the defaults; `extra_patterns` adds to them. Patterns from a recipe run
    with the regex module's timeout (`timeout_seconds` per document), so a catastrophic user
    pattern cannot stall a worker; a timed-out document is kept and says so in explain. The
    defaults are linear: they run with the timeout only on texts long enough to reach it.
    Old cleaner: `detect_lottery` (reason `detect_lottery`: `(获奖|有奖).*活动`).
    """

    name = "promotions"

    patterns: list[str] | None = None
    extra_patterns: list[str] = field(default_factory=list)
    min_matches: int = 1
    timeout_seconds: float = 1.0

    def validate(self) -> None:
        for key in ("patterns", "extra_patterns"):
            for i, pattern in enumerate(getattr(self, key) or []):
                try:
                    regex.compile(pattern)
                except regex.error as err:
                    raise ValueError(f"{key}[{i}]: not a valid regex: {err}") from None
        if self.min_matches < 1:
            raise ValueError("min_matches: must be >= 1")
        if self.timeout_seconds <= 0:
            raise ValueError("timeout_seconds: must be > 0")

    def setup(self) -> None:
        self._compiled()

    def _compiled(self) -> regex.Pattern[str] | None:
        """All patterns as one alternation, compiled on first use (validate reports bad ones)."""
        if "_pattern" not in self.__dict__:
            patterns = [*(DEFAULT_PATTERNS if self.patterns is None else self.patterns), *self.extra_patterns]
            self._pattern = regex.compile("|".join(f"(?:{p})" for p in patterns)) if patterns else None
        return self._pattern

    def measure_names(self) -> tuple[str, ...]:
        return ("promotion_matches",)

    def measures(self, doc: Document) -> Iterator[Measure]:
        pattern = self._compiled()
        if pattern is None:
            return
        text = doc.text
        timeout: float | None = self.timeout_seconds
        defaults_only = self.patterns is None and not self.extra_patterns
        if defaults_only and len(text) * _DEFAULT_SECONDS_PER_CHAR < self.timeout_seconds:
            timeout = None
        try:
            found = [m.group() for m in pattern.finditer(text, timeout=timeout)]
        except TimeoutError:
            yield Measure("promotions", "promotion_matches", 0, ">=", self.min_matches, "timed out: not judged")
            return
        note = ", ".join(found[:3])
        yield Measure("promotions", "promotion_matches", len(found), ">=", self.min_matches, note)
