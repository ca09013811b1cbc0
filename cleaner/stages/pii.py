"""Personal data: e-mails, mainland phone numbers, ID cards, bank cards, credit codes, @mentions,
WeChat IDs. Numbers are matched whole (never inside a longer digit run) and validated by checksum
where one exists, so an order number `订单号2023123456789` or an ISBN keeps its digits."""

from __future__ import annotations

import re
from dataclasses import dataclass

import regex

from cleaner.stages.registry import register
from cleaner.stages.spans import SpanRemover

_LOCAL_CHAR = "[A-Za-z0-9._%+-]"
#: A whole run of local characters (none before it), which holds no `@`.
_LOCAL_PART = rf"(?<!{_LOCAL_CHAR}){_LOCAL_CHAR}{{1,64}}"
_DOMAIN = (
    r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?)*"
    r"\.[A-Za-z]{2,24}(?![A-Za-z0-9-])"
)
#: The stdlib engine: the domain ends at the last label that is a top-level domain, found by giving
#: labels back one at a time, which it does in constant time per label (the `regex` module in time
#: quadratic in the domain: `x@a.a.a...` of 80k characters took 2.6 s). Each `@` starts at most
#: one attempt (a local part cannot contain one), so no domain is scanned twice.
_EMAIL = re.compile(f"{_LOCAL_PART}@{_DOMAIN}")
#: `_EMAIL`'s two halves, tried at each `@`: the local part ending there (searched for in the 64
#: characters before it), the domain from there.
_LOCAL_PART_BEFORE = re.compile(rf"{_LOCAL_PART}\Z")
_AT_DOMAIN = re.compile(f"@{_DOMAIN}")
#: A text with more than one `@` in this many characters (a worst case, not a page) is left to
#: `_EMAIL.sub`, whose time per character does not grow with the `@`.
_SPARSE_AT = 64


@register
@dataclass
class RemoveEmails(SpanRemover):
    """E-mail addresses, up to the top-level domain (`foo@bar.com 获取` keeps `获取`)."""

    name = "remove_emails"
    pattern = _EMAIL

    placeholder: str = "<EMAIL>"

    def normalise(self, text: str) -> str:
        # `_EMAIL.sub` tries every position (20-30 ns a character); most documents have no `@`, and
        # those with one have a few, tried one by one (3-4x faster on pages with addresses).
        at_count = text.count("@")
        if not at_count:
            return text
        if at_count * _SPARSE_AT > len(text):
            return super().normalise(text)
        return self._remove_at_each_at(text)

    def _remove_at_each_at(self, text: str) -> str:
        """`_EMAIL.sub`, as the one attempt each `@` can start, left to right. The local part cannot
        start before the end of the previous address: the search starts there, and its lookbehind
        sees the character before (a domain's, so an address ending inside the run is not matched
        again, as sub, which resumes there, would not)."""
        replacement = self.placeholder if self.action == "replace" else ""
        pieces, done = [], 0
        at = text.find("@")
        while at >= 0:
            local = _LOCAL_PART_BEFORE.search(text, max(done, at - 64), at)
            domain = _AT_DOMAIN.match(text, at) if local else None
            if local and domain and self.accept(text[local.start() : domain.end()]):
                pieces += [text[done : local.start()], replacement]
                done = domain.end()
            at = text.find("@", at + 1)
        pieces.append(text[done:])
        return "".join(pieces)


_PHONE = regex.compile(
    # mobile: 1[3-9]x xxxx xxxx, optionally +86 / 86 and grouped by spaces or dashes
    r"(?<![\d+])(?:\+?86[- ]?)?1[3-9]\d(?:[- ]?\d{4}){2}(?!\d)"
    # landline: area code in brackets or followed by a separator, 7-8 digits, optional extension
    r"|(?<!\d)(?:\+?86[- ]?)?(?:[(（]0\d{2,3}[)）][- ]?|0\d{2,3}[- ])\d{7,8}(?:[-转]\d{1,5})?(?!\d)"
    # 400 / 800 service numbers
    r"|(?<!\d)[48]00[- ]\d{3}[- ]\d{4}(?!\d)"
)
_SEVEN_DIGITS = regex.compile(r"\d{3}[- ]?\d{4}")


@register
@dataclass
class RemovePhones(SpanRemover):
    """Mainland mobile numbers, landlines with an area code, 400/800 numbers.

    The old mobile pattern had an empty alternative and matched any 11 digits; here a number must
    stand alone (no digit before or after), so longer numbers are left whole.
    """

    name = "remove_phones"
    pattern = _PHONE

    placeholder: str = "<PHONE>"

    def normalise(self, text: str) -> str:
        # Every number above holds three digits, maybe a space or dash, then four: a search the
        # regex engine runs at a third of the pattern's cost, and most texts fail it.
        return super().normalise(text) if _SEVEN_DIGITS.search(text) else text


_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_ID_CARD = regex.compile(
    r"(?<![0-9A-Za-z])[1-9]\d{5}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dXx](?![0-9A-Za-z])"
)


def id_card_valid(number: str) -> bool:
    """GB 11643 check digit of an 18-character resident ID number."""
    total = sum(int(d) * w for d, w in zip(number[:17], _ID_WEIGHTS))
    return _ID_CHECK[total % 11] == number[17].upper()


@register
@dataclass
class RemoveIdCards(SpanRemover):
    """18-digit resident ID numbers with a plausible birth date and a valid check digit."""

    name = "remove_id_cards"
    pattern = _ID_CARD

    placeholder: str = "<ID_CARD>"

    def accept(self, span: str) -> bool:
        return id_card_valid(span)


_BANK_CARD = regex.compile(r"(?<![\d-])(?:[3-6]\d{3}(?:[- ]\d{4}){3}(?:[- ]?\d{1,3})?|[3-6]\d{15,18})(?![\d-])")


def luhn_valid(digits: str) -> bool:
    """The Luhn checksum every payment card number carries."""
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char) * (2 if position % 2 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


@register
@dataclass
class RemoveBankCards(SpanRemover):
    """16-19 digit card numbers (issuer prefix 3-6, optionally grouped by four) passing Luhn."""

    name = "remove_bank_cards"
    pattern = _BANK_CARD

    placeholder: str = "<BANK_CARD>"

    def accept(self, span: str) -> bool:
        digits = span.replace(" ", "").replace("-", "")
        return 16 <= len(digits) <= 19 and luhn_valid(digits)


_CREDIT_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_CREDIT_CODE = regex.compile(r"(?<![0-9A-Za-z])[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}(?![0-9A-Za-z])")


def credit_code_valid(code: str) -> bool:
    """GB 32100 check character of an 18-character unified social credit code."""
    total = sum(_CREDIT_ALPHABET.index(c) * w for c, w in zip(code[:17], _CREDIT_WEIGHTS))
    return _CREDIT_ALPHABET[-total % 31] == code[17]


@register
@dataclass
class RemoveCreditCodes(SpanRemover):
    """Unified social credit codes of companies and organisations, check character validated."""

    name = "remove_credit_codes"
    pattern = _CREDIT_CODE

    placeholder: str = "<CREDIT_CODE>"

    def accept(self, span: str) -> bool:
        # An all-digit match is far more often an ID card or account number than a credit code.
        return not span.isdigit() and credit_code_valid(span)


_MENTION = regex.compile(
    r"(?<![A-Za-z0-9._%+\-@])@(?:[A-Za-z0-9_\-]{1,30}|[\p{L}\p{N}_\-·]{1,8})(?![\p{L}\p{N}_\-·@]|\.\w)"
)


@register
@dataclass
class RemoveMentions(SpanRemover):
    """`@name` up to the next space or punctuation mark (at most 30 Latin or 8 other characters).

    A longer unbroken run is left alone instead of eating the sentence after the name; e-mail
    addresses never match (the `@` must not follow an address character).
    """

    name = "remove_mentions"
    pattern = _MENTION

    placeholder: str = "<MENTION>"


#: Possessive spaces: the ID starts with a letter, so no split of the spaces around the colon can
#: matter (`\s*[:：]?\s*` tried them all: 4 s for 微信号 and 20k spaces).
_WECHAT_ID = regex.compile(
    r"(?:(?:微信号|微信ID|微信id|微信账号|wx号|vx号|WeChat\s?ID)\s*+[:：]?|(?:微信|威信|薇信|VX|vx|V信|v信|WeChat)\s*+[:：])"
    r"\s*+(?P<span>[A-Za-z][-_A-Za-z0-9]{5,19})(?![-_A-Za-z0-9])",
    regex.IGNORECASE,
)


@register
@dataclass
class RemoveWechatIds(SpanRemover):
    """The ID after a WeChat label (`微信号：abc_123` -> `微信号：<WECHAT>`).

    A bare `微信` needs a colon before the ID, so prose such as `微信支付和Alipay` stays.
    """

    name = "remove_wechat_ids"
    pattern = _WECHAT_ID

    placeholder: str = "<WECHAT>"

    def normalise(self, text: str) -> str:
        # Every label holds 信, an x (wx, vx) or the h of WeChat, in either case (the only
        # characters the case-blind pattern matches to x and h): most texts have none.
        if "信" in text or "x" in text or "X" in text or "h" in text or "H" in text:
            return super().normalise(text)
        return text
