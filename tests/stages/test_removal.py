"""HTML tags, URLs, markdown images, citations, reference sections: delete or placeholder."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from cleaner.stages import removal
from cleaner.stages.base import validate_stage
from cleaner.stages.removal import (
    RemoveCitations,
    RemoveHtmlTags,
    RemoveMarkdownImages,
    RemoveReferenceSection,
    RemoveUrls,
)
from tests.conftest import corpus_records, random_texts


def test_html_real_tags_only() -> None:
    stage = RemoveHtmlTags()
    assert stage.normalise('<p class="x">你好<br/>世界</p>') == "你好世界"
    assert stage.normalise("a<b 且 c>d") == "a<b 且 c>d"
    assert stage.normalise("List<String> 与 x<y>z") == "List<String> 与 x<y>z"
    assert stage.normalise("<script>var a = '<b>';</script>正文<!-- 注释 -->") == "正文"
    assert RemoveHtmlTags(action="replace").normalise("<div>A</div>") == "<TAG>A<TAG>"


def test_html_on_real_wiki_text(corpus_dir: Path) -> None:
    docs = [d["text"] for d in corpus_records(corpus_dir, "zh/zh_wiki_cmrc2018.jsonl")]
    with_br = [d for d in docs if "<br>" in d]
    assert with_br
    stage = RemoveHtmlTags()
    assert all("<br>" not in stage.normalise(d) for d in with_br)
    assert sum(len(d) - len(stage.normalise(d)) for d in docs) < 0.01 * sum(map(len, docs))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "See https://example.com/a for details and more text 中文继续",
            "See <URL> for details and more text 中文继续",
        ),
        ("Microsoft: the company", "Microsoft: the company"),
        ("an awww moment", "an awww moment"),
        ("访问www.baidu.com/s?wd=1。谢谢", "访问<URL>。谢谢"),
        ("get ftp://ftp.x.org/pub/file.txt.", "get <URL>."),
        ("(see http://a.com/x).", "(see <URL>)."),
        ("地址：http://bbs.example.com/forum-79-1.html 一般的安装盘", "地址：<URL> 一般的安装盘"),
    ],
)
def test_urls(text: str, expected: str) -> None:
    assert RemoveUrls(action="replace").normalise(text) == expected


def test_urls_keep_english_words_on_real_pages(corpus_dir: Path) -> None:
    docs = [d["text"] for d in corpus_records(corpus_dir, "en/en_web_pages_maintext.jsonl")]
    stage = RemoveUrls()
    with_urls = [d for d in docs if "http" in d]
    assert with_urls
    for doc in with_urls:
        out = stage.normalise(doc)
        # only URL characters go: every word with a non-URL character (or none of :/.) survives
        assert len(out.split()) >= len(doc.split()) - doc.count("http") - doc.count("www.")


@pytest.mark.parametrize("sparse_cues", [removal._SPARSE_CUES, 0])
def test_urls_around_each_cue_are_the_substitution(
    corpus_dir: Path, monkeypatch: pytest.MonkeyPatch, sparse_cues: int
) -> None:
    # With 0 every text with a cue is substituted around its cues, however dense they are.
    monkeypatch.setattr(removal, "_SPARSE_CUES", sparse_cues)
    names = ["en/en_web_pages_fulltext.jsonl", "en/en_usenet_20newsgroups.jsonl", "web/zh_cc_chinesewebtext.jsonl"]
    texts = [r["text"] for name in names for r in corpus_records(corpus_dir, name, 2000)]
    tokens = [*"www. WwW. http:// HTTPS:// ftp:// a ab . - 1 / @ : com ? ( ) 中 # ! , %".split(), " ", "\n", "\t"]
    tokens += ["\u3000", "\xa0", "\x1c", "\u212a", "ww", "w.", ":/"]
    texts += random_texts(tokens, 20000, seed=3, max_tokens=40)
    assert sum(bool(removal._URL.search(t)) for t in texts) > 5000
    stage = RemoveUrls(action="replace")
    assert [t[:60] for t in texts if stage.normalise(t) != removal._URL.sub("<URL>", t)] == []


def test_markdown_images() -> None:
    stage = RemoveMarkdownImages()
    assert stage.normalise('前![示意图](http://a.cn/b.png "t")后') == "前后"
    assert stage.normalise("[链接](http://a.cn) 保留") == "[链接](http://a.cn) 保留"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("爱因斯坦[1]提出[注 2]。", "爱因斯坦提出。"),
        ("见 pp=66–67 与 p=12", "见  与 "),
        ("显著性 p=0.05 成立", "显著性 p=0.05 成立"),
        ("数组 a[1] 与 f(x)[2] 与 [链接](x)", "数组 a[1] 与 f(x)[2] 与 [链接](x)"),
        ("结论[2,5]成立[来源请求]", "结论成立"),
    ],
)
def test_citations(text: str, expected: str) -> None:
    assert RemoveCitations().normalise(text) == expected


def test_reference_section_ends_at_section_end() -> None:
    text = "正文。\n参考文献：\n[1] 张三. 书名[M]. 北京: 出版社, 2000.\n[2] 李四. 文章[J]. 2001.\n\n后记：正文继续。"
    assert RemoveReferenceSection().normalise(text) == "正文。\n\n\n后记：正文继续。"


def test_reference_word_in_prose_kept() -> None:
    text = "参考资料显示，今年增长。\n他查阅了参考文献。"
    assert RemoveReferenceSection().normalise(text) == text


def test_replace_needs_placeholder() -> None:
    with pytest.raises(ValueError, match="placeholder"):
        validate_stage(RemoveUrls(action="replace", placeholder=""), Path("."))


def test_unclosed_blocks_stay_linear() -> None:
    stage = RemoveHtmlTags()
    started = time.perf_counter()
    assert stage.normalise("<!--" * 20_000) == "<!--" * 20_000
    assert stage.normalise("<script>" * 10_000) == ""
    assert time.perf_counter() - started < 0.5
