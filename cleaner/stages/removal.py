"""Markup and link debris: HTML tags, URLs, markdown images, wiki page refs and citation marks,
reference sections. Each rule deletes its spans or replaces them with a placeholder."""

from __future__ import annotations

import re
from dataclasses import dataclass

import regex

from cleaner.stages.charsets import latin1_view
from cleaner.stages.registry import register
from cleaner.stages.spans import SpanRemover

_HTML_ELEMENTS = (
    "a abbr address area article aside audio b base bdi bdo blockquote body br button canvas caption center "
    "cite code col colgroup data datalist dd del details dfn dialog div dl dt em embed fieldset figcaption "
    "figure font footer form frame frameset h1 h2 h3 h4 h5 h6 head header hr html i iframe img input ins kbd "
    "label legend li link main map mark meta meter nav noscript object ol optgroup option output p param "
    "picture pre progress q rp rt ruby s samp script section select small source span strike strong style "
    "sub summary sup svg table tbody td template textarea tfoot th thead time title tr track tt u ul var "
    "video wbr"
).split()
#: Possessive throughout: what a quantifier gives back can never start what follows it (a name
#: character is not `=`, `/` or `>`; a value stops at a space or a quote), so backtracking could only
#: retry the same failure, which the `regex` module does in time quadratic in the run.
_ATTRIBUTE = r"""[A-Za-z_:@][-\w:.@]*+(?:\s*+=\s*+(?:"[^"<>]{0,2000}+"|'[^'<>]{0,2000}+'|[^\s"'=<>`]{1,2000}+))?"""
_TAG_NAMES = "|".join(sorted(_HTML_ELEMENTS, key=len, reverse=True))
_HTML_TAG = regex.compile(
    rf"<!DOCTYPE[^<>]{{0,500}}+>|</?(?:{_TAG_NAMES})(?:\s++{_ATTRIBUTE}){{0,50}}+\s*+/?>",
    regex.IGNORECASE,
)
#: Blocks removed with their contents: comments, scripts, styles.
_BLOCK_OPEN = regex.compile(r"<!--|<(script|style)\b[^<>]{0,2000}+>", regex.IGNORECASE)
_BLOCK_CLOSE = {"script": regex.compile(r"</script\s*>", regex.I), "style": regex.compile(r"</style\s*>", regex.I)}


def _block_end(text: str, opening: regex.Match[str]) -> int:
    """End of the comment or element `opening` starts, or -1 when it is never closed."""
    name = (opening.group(1) or "").lower()
    if not name:
        close = text.find("-->", opening.end())
        return close + 3 if close >= 0 else -1
    match = _BLOCK_CLOSE[name].search(text, opening.end())
    return match.end() if match else -1


@register
@dataclass
class RemoveHtmlTags(SpanRemover):
    """Real HTML tags only: a known element name with well-formed attributes (`a<b 且 c>d` stays).

    Comments, scripts and styles go with their contents. Each closer is searched once, forward:
    when one is missing no later block can close either, so the scan stops (linear time).
    """

    name = "remove_html_tags"
    pattern = _HTML_TAG

    placeholder: str = "<TAG>"

    def normalise(self, text: str) -> str:
        if "<" not in text:
            return text
        replacement = self.placeholder if self.action == "replace" else ""
        pieces, done = [], 0
        while opening := _BLOCK_OPEN.search(text, done):
            end = _block_end(text, opening)
            if end < 0:
                break
            pieces += [text[done : opening.start()], replacement]
            done = end
        pieces.append(text[done:])
        return super().normalise("".join(pieces))


#: RFC 3986 characters; the last one may not be punctuation that ends an English sentence.
_URL_CHARS = r"[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]"
_URL_END = r"[A-Za-z0-9\-_~/#=&%+@$]"
_HOST = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?)*"
#: The `regex` module's whitespace, spelled out: the stdlib's `\s` also has U+001C-U+001F.
_SPACE = "\t\n\x0b\x0c\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
#: The stdlib engine: a `www.` host must end in a top-level domain, found by giving labels back
#: one at a time, which it does in constant time per label (the `regex` module in time quadratic
#: in the host: 391 s for one 1 MB `www.a.a.a...`). A failed host is never rescanned, as no
#: other URL can start inside it.
_URL = re.compile(
    rf"(?<![A-Za-z0-9])(?:(?:https?|ftp)://(?:[^{_SPACE}/@]{{1,64}}@)?{_HOST}|www\.{_HOST}\.[A-Za-z]{{2,}})"
    rf"(?::\d{{1,5}})?(?:[/?#](?:{_URL_CHARS}*{_URL_END})?)?",
    re.IGNORECASE,
)
#: A character no URL holds.
_URL_BREAK = re.compile(f"[{_SPACE}]")
#: A text with more cues than one in this many characters (a worst case, not a page) is substituted
#: whole: the time of `_URL.sub` per character does not grow with the cues.
_SPARSE_CUES = 256


@register
@dataclass
class RemoveUrls(SpanRemover):
    """`http://`, `https://`, `ftp://` and `www.` links, by URL grammar.

    A URL ends at the first character outside RFC 3986 (space, hanzi, full-width punctuation) and
    never ends on sentence punctuation, so the words after it stay; `Microsoft:` and `awww` are
    not URLs (the old patterns `ftp?:` and `www?` matched them).
    """

    name = "remove_urls"
    pattern = _URL

    placeholder: str = "<URL>"

    def normalise(self, text: str) -> str:
        # Every URL holds `://` or `www.` (in any case); the stdlib engine has no such literal scan of
        # its own and tries every position (25 ns a character). Most texts hold neither, and those
        # that do are substituted only around each one. Only W and w case-fold to w, so the
        # lower-cased Latin-1 view holds `www.` where the text does in any case (2 ns a character,
        # where str.lower takes 4-5).
        hosts = latin1_view(text).lower() if "w" in text or "W" in text else b""
        cues = text.count("://") + hosts.count(b"www.")
        if not cues:
            return text
        if cues * _SPARSE_CUES > len(text):
            return super().normalise(text)
        return self._remove_around_cues(text, hosts)

    def _remove_around_cues(self, text: str, hosts: bytes) -> str:
        """The substitution on the spans between two spaces or newlines around each cue: no URL holds
        one, so each URL lies within such a span and is matched there as in the whole text."""
        pieces, done = [], 0
        cue = _next_cue(text, hosts, 0)
        while cue >= 0:
            start = max(done, text.rfind(" ", done, cue) + 1, text.rfind("\n", done, cue) + 1)
            space = _URL_BREAK.search(text, cue)
            end = space.start() if space else len(text)
            pieces += [text[done:start], super().normalise(text[start:end])]
            done = end
            cue = _next_cue(text, hosts, end)
        pieces.append(text[done:])
        return "".join(pieces)


def _next_cue(text: str, hosts: bytes, start: int) -> int:
    """Where the next `://` or `www.` from `start` is, -1 when there is none."""
    found = [at for at in (text.find("://", start), hosts.find(b"www.", start)) if at >= 0]
    return min(found, default=-1)


_MARKDOWN_IMAGE = regex.compile(r"!\[[^\[\]\n]{0,1000}+\]\([^()\s]{0,2000}+(?:\s++\"[^\"\n]{0,500}+\")?\)")


@register
@dataclass
class RemoveMarkdownImages(SpanRemover):
    """`![alt](path "title")`: images carry no text a model should learn."""

    name = "remove_markdown_images"
    pattern = _MARKDOWN_IMAGE

    placeholder: str = "<IMAGE>"


_PAGE_RANGE = r"\d{1,5}(?:\s?[–—-]\s?\d{1,5})?"
_CITATION = regex.compile(
    # wiki page refs `pp=66–67`, `p=12, 15`; a decimal such as `p=0.05` is a statistic and stays
    rf"(?<![A-Za-z0-9])pp?={_PAGE_RANGE}(?:,\s?{_PAGE_RANGE})*(?![\d.])"
    # citation marks `[1]`, `[1-3]`, `[2,5]`, `[注 2]`, `［3］` (not indexing such as `a[1]`)
    r"|(?<![A-Za-z0-9_\])])[\[［](?:注\s?)?\d{1,3}(?:\s?[,，–—-]\s?\d{1,3}){0,10}[\]］]"
    r"|\[(?:来源请求|需要引用|原创研究|citation needed)\]",
    regex.IGNORECASE,
)


@register
@dataclass
class RemoveCitations(SpanRemover):
    """Wiki page references (`pp=66–67`) and citation marks (`[1]`, `[注 2]`, `[来源请求]`).

    Replaces the old `\\[.*?\\]` that deleted every bracketed span, markdown link text included.
    """

    name = "remove_citations"
    pattern = _CITATION


_ENTRY_START = r"(?:[\[［]\d{1,3}[\]］]|\d{1,3}[.、．)）]|[（(]\d{1,3}[)）]|[①-⑳]|[-*•])"
#: Possessive where nothing given back could start what follows (an entry never starts with a space or
#: a newline); a line with a type code is scanned forward for the first one, not back from its end.
_REFERENCE_SECTION = regex.compile(
    r"^[ \t]*+(?:#{1,6}[ \t]*+)?(?:参考文献|参考资料|参考书目|References|Bibliography)[ \t]*+"
    r"(?:[:：][^\n]*+|(?=\n|\Z))"
    rf"(?:\n(?:[ \t]*+\n)*+[ \t]*+{_ENTRY_START}[^\n]*+|\n[^\n]*?\[[JMCDRSPNZ]\][^\n]*+)*+",
    regex.MULTILINE | regex.IGNORECASE,
)


@register
@dataclass
class RemoveReferenceSection(SpanRemover):
    """A `参考文献：` / `References` heading line and the entry lines under it.

    The section ends at the first line that is not an entry (`[1] …`, `1. …`, `①`, or a line
    with a GB/T 7714 type code such as `[J]`), so text after the references is kept; the old
    `参考文献[:：].*` cut to the end of the document once newlines were gone.
    """

    name = "remove_reference_section"
    pattern = _REFERENCE_SECTION
