"""blacklist: split words, allow-list, thresholds, user lists (plain and old format), URLs, clean text."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from cleaner.document import Document, Rejection
from cleaner.errors import RecipeError
from cleaner.recipe import load_recipe
from cleaner.stages.base import validate_stage
from cleaner.stages.blacklist import Blacklist
from cleaner.text.term_match import compact, fold
from tests.conftest import corpus_records


def build(tmp_path: Path, **params: object) -> Blacklist:
    stage = Blacklist(**params)  # type: ignore[arg-type]
    validate_stage(stage, tmp_path)
    stage.setup()
    return stage


def check(stage: Blacklist, text: str, **meta: object) -> Rejection | None:
    return stage.process(Document("d", text, "f", 1, dict(meta)))


@pytest.fixture(scope="module")
def shipped(tmp_path_factory: pytest.TempPathFactory) -> Blacklist:
    return build(tmp_path_factory.mktemp("recipe"))


def test_views_fold_and_compact() -> None:
    assert fold("色情網站　ＰＯＲＮ  Videos") == "色情网站 porn videos"
    assert compact(fold("赌.博 网*站 \u200b平台")) == "赌博网站平台"
    assert compact("百家乐，真人") == "百家乐，真人"  # sentence punctuation is kept


@pytest.mark.parametrize(
    "text",
    ["免费看 色 情 网 站，更多 約.炮 信息", "色*情*视*频 和 做-爱 视频", "真人荷官在线发牌，百 家 乐 开户送彩金"],
)
def test_split_and_traditional_words_are_caught(shipped: Blacklist, text: str) -> None:
    rejection = check(shipped, text)
    assert rejection is not None and rejection.reason in {"blacklist:porn", "blacklist:gambling"}


def test_detail_lists_at_most_ten_terms(shipped: Blacklist) -> None:
    text = "，".join(["色情网站", "色情视频", "色情电影", "色情小说", "色情图片", "黄色网站", "黄色视频"] * 2)
    text += "，成人网站，成人视频，成人电影，三级片，自拍偷拍"
    rejection = check(shipped, text)
    assert rejection is not None and rejection.reason == "blacklist:porn"
    assert len(rejection.detail.split(",")) == 10
    assert rejection.detail.startswith("色情网站,")  # most frequent first


def test_allow_list_masks_benign_words(tmp_path: Path) -> None:
    terms = tmp_path / "old.txt"
    terms.write_text("三级=>sex\n露点=>sex\n性=>sex\n码=>politician\n能性=>sex\n", encoding="utf-8")
    stage = build(tmp_path, categories=[], user_lists={"old.txt": "porn"}, disabled=[])
    hospital = "天津医科大学总医院是三级医院。三级医院的露点温度监测和代码审查提高了设备性能，可能性很大。" * 3
    assert check(stage, hospital) is None
    assert check(stage, "三级 三级 露点 露点 能性") is not None  # the same terms outside allowed words count


def test_mixed_script_words_mask_and_count_in_their_view(tmp_path: Path) -> None:
    """An allow word holding hanzi and ASCII masks an ASCII term in the folded view; a term holding
    hanzi and ASCII is matched in the compact view, where an ASCII-only page never reaches it."""
    (tmp_path / "terms.txt").write_text("qq\nav\na片\n成人\n", encoding="utf-8")
    (tmp_path / "allow.txt").write_text("qq群\n", encoding="utf-8")
    stage = build(tmp_path, categories=[], user_lists={"terms.txt": "porn"}, allow_lists=["allow.txt"])
    assert check(stage, "加入 QQ群 讨论，AV 接口说明") is None  # qq inside qq群 is masked: one term
    assert check(stage, "免费 A 片，成人 视频") == Rejection("blacklist:porn", "a片,成人")
    assert check(stage, "Free AV and QQ downloads") == Rejection("blacklist:porn", "av,qq")


def test_a_single_character_is_never_a_term(tmp_path: Path) -> None:
    (tmp_path / "chars.txt").write_text("共\n党\n性\n码\n", encoding="utf-8")
    stage = build(tmp_path, categories=[], user_lists={"chars.txt": "politics"}, disabled=[])
    assert check(stage, "共产党的性质，密码和代码。" * 20) is None


def test_english_terms_only_on_word_boundaries(tmp_path: Path) -> None:
    (tmp_path / "en.txt").write_text("sex\nporn\n", encoding="utf-8")
    stage = build(tmp_path, categories=[], user_lists={"en.txt": "porn"})
    assert check(stage, "Essex and Sussex, the Middlesex hospital, pornography studies") is None
    assert check(stage, "SEX! free porn, porn, sex.") == Rejection("blacklist:porn", "sex,porn")
    assert check(stage, "free p\u200bo\u200brn and s\u00adex") == Rejection("blacklist:porn", "porn,sex")


def test_thresholds_distinct_terms_and_rate(shipped: Blacklist, tmp_path: Path) -> None:
    news = (
        "警方今天通报，一个利用百家乐进行诈骗的团伙被查处。" + "案件仍在进一步调查之中，相关部门提醒市民提高警惕。" * 20
    )
    assert check(shipped, news) is None  # one term once in a long text
    assert check(shipped, "百家乐和老虎机") == Rejection("blacklist:gambling", "百家乐,老虎机")  # two distinct
    assert check(shipped, "百家乐！百家乐！") == Rejection("blacklist:gambling", "百家乐")  # rate 2 hits / 8 chars
    lenient = build(tmp_path, min_distinct={"gambling": 3}, per_1000={"gambling": 500.0})
    assert check(lenient, "百家乐和老虎机") is None
    assert check(lenient, "百家乐和老虎机和六合彩") is not None


def test_old_format_third_party_list_loads(corpus_dir: Path, tmp_path: Path) -> None:
    # A third-party list from the shared corpus, read in place as a user list (never shipped).
    old = corpus_dir / "wordlists" / "zh_xubuvd_keyword_categories.txt"
    stage = build(tmp_path, categories=[], user_lists={str(old): "misc"})
    rejection = check(stage, "震动棒，情自拍，姐包夜")  # three of its `=>sex` entries
    assert rejection is not None and rejection.reason == "blacklist:porn"
    assert check(stage, "六码中一特，六码中一特") == Rejection("blacklist:gambling", "六码中一特")
    political = next(
        line.split("=>")[0] for line in old.read_text(encoding="utf-8").splitlines() if "=>politician" in line
    )
    assert check(stage, f"{political}，{political}。") is None  # politician -> politics, off by default


def test_politics_is_off_by_default_and_needs_a_list(tmp_path: Path) -> None:
    (tmp_path / "p.txt").write_text("某口号甲\n某口号乙\n", encoding="utf-8")
    assert check(build(tmp_path, categories=[], user_lists={"p.txt": "politics"}), "某口号甲，某口号乙") is None
    enabled = build(tmp_path, categories=[], user_lists={"p.txt": "politics"}, disabled=[])
    assert check(enabled, "某口号甲，某口号乙") == Rejection("blacklist:politics", "某口号甲,某口号乙")
    with pytest.raises(ValueError, match=r"categories: no term list .*politics"):
        validate_stage(Blacklist(categories=["politics"], disabled=[]), tmp_path)


def test_url_domain_lists(shipped: Blacklist, tmp_path: Path) -> None:
    assert check(shipped, "hello", url="https://www.pornhub.com/view?x=1") == Rejection(
        "blacklist:porn", "url:pornhub.com"
    )
    assert check(shipped, "hello", url="https://pornhub.com.example.org/") is None
    (tmp_path / "bad.domains").write_text("spam-shop.example\n", encoding="utf-8")
    stage = build(tmp_path, domain_lists={"bad.domains": "fraud_ads"})
    assert check(stage, "hello", url="http://cdn.spam-shop.example/a") == Rejection(
        "blacklist:fraud_ads", "url:spam-shop.example"
    )
    assert check(stage, "hello") is None


def test_bad_user_lists_are_recipe_errors(tmp_path: Path) -> None:
    recipe = tmp_path / "r.yaml"
    recipe.write_text("stages:\n  - blacklist:\n      user_lists: {nope.txt: porn}\n", encoding="utf-8")
    with pytest.raises(RecipeError, match=r"stages\[0\]\.blacklist\.user_lists: file 'nope.txt' not found"):
        load_recipe(recipe)
    (tmp_path / "gbk.txt").write_bytes("色情网站".encode("gbk"))
    with pytest.raises(ValueError, match=r"user_lists: .*gbk.txt is not UTF-8"):
        validate_stage(Blacklist(user_lists={"gbk.txt": "porn"}), tmp_path)


def test_old_format_list_through_a_recipe(tmp_path: Path) -> None:
    (tmp_path / "old.txt").write_text("# old cleaner list\n约炮神器=>sex\n开户送彩金=>gumble\n", encoding="utf-8")
    recipe = tmp_path / "r.yaml"
    recipe.write_text(
        "stages:\n  - blacklist:\n      categories: []\n      user_lists: {old.txt: misc}\n", encoding="utf-8"
    )
    (stage,) = load_recipe(recipe).build_stages()
    stage.setup()
    assert stage.process(Document("d", "约 炮 神 器!约炮神器", "f", 1, {})) == Rejection("blacklist:porn", "约炮神器")
    assert stage.process(Document("d", "开户送彩金", "f", 1, {})) is None  # one hit: not enough on its own


def test_clean_encyclopedic_and_news_text_is_kept(shipped: Blacklist, corpus_dir: Path) -> None:
    for relative in ("zh/zh_wiki_cmrc2018.jsonl", "zh/zh_hant_wiki_drcd.jsonl", "zh/zh_news_peoples_daily_1998.jsonl"):
        records = corpus_records(corpus_dir, relative, 300)
        rejected = [r["text"][:40] for r in records if check(shipped, r["text"])]
        assert rejected == [], relative


def test_catches_real_sms_spam(shipped: Blacklist, corpus_dir: Path) -> None:
    spam = [r["text"] for r in corpus_records(corpus_dir, "en/en_sms_spam.jsonl") if r["label"] == "spam"]
    caught = sum(check(shipped, text) is not None for text in spam)
    assert caught >= 0.2 * len(spam)
    counters = shipped.counters()
    assert counters["hits"]["fraud_ads"] > 0 and counters["terms"]
    assert shipped.counters() == {"hits": {}, "docs_with_hits": {}, "terms": {}}  # drained


def test_fast_paths_find_what_the_full_fold_and_scan_find(corpus_dir: Path, tmp_path: Path) -> None:
    """`find` skips the compact view of a text without a character of its terms, and takes the
    caller's lower case where the text folds to itself: both must find what the full fold and
    scan find, on real text of every script (hits in both views) and traditional, full-width
    and zero-width text, and each compact-view term alone."""
    names = ["web/zh_email_trec06c_spam_ham.jsonl", "web/zh_web_cwced_pages.jsonl", "en/en_sms_spam.jsonl"]
    names += ["en/en_web_pages_fulltext.jsonl", "multi/multi_web_pages_fulltext.jsonl"]
    texts = [record["text"] for name in names for record in corpus_records(corpus_dir, name, 300)]
    texts += ["色情網站 ＰＯＲＮ Videos", "Ｓｅｘ and porn", "por\u200bn PORN porn", "İstanbul porn ΣΑΣ"]
    stage = build(tmp_path)
    texts += [entry.term for _, entry in stage._matcher._compact.items() if not entry.allow]  # each term alone
    fast = [stage._matcher.find(text, text.lower) for text in texts]
    stage._matcher._term_chars = re.compile(r"[\s\S]")
    full = [stage._matcher.find(text) for text in texts]
    assert fast == full
    skipped = [text for text in texts if not fold(text).isascii() and not re.search("[\u4e00-\u9fff]", text)]
    assert len(skipped) > 100 and sum(bool(hits) for hits, _ in full) > 50
    assert sum(any(not term.isascii() for term, _ in hits) for hits, _ in full) > 10
