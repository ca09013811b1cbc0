"""Personal data: whole numbers only, checksums validated, placeholders optional."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from cleaner.stages import pii
from cleaner.stages.pii import (
    RemoveBankCards,
    RemoveCreditCodes,
    RemoveEmails,
    RemoveIdCards,
    RemoveMentions,
    RemovePhones,
    RemoveWechatIds,
    credit_code_valid,
    id_card_valid,
    luhn_valid,
)
from tests.conftest import corpus_records, random_texts


def test_emails() -> None:
    stage = RemoveEmails(action="replace")
    assert stage.normalise("联系 foo.bar@example.com.cn 获取") == "联系 <EMAIL> 获取"
    assert stage.normalise("foo@bar.com获取资料") == "<EMAIL>获取资料"
    assert RemoveEmails().normalise("邮箱a@b.cn，谢谢") == "邮箱，谢谢"


@pytest.mark.parametrize("sparse_at", [pii._SPARSE_AT, 0])
def test_emails_tried_at_each_at_are_the_substitution(
    corpus_dir: Path, monkeypatch: pytest.MonkeyPatch, sparse_at: int
) -> None:
    # With 0 every text with an `@` is tried at each one, however dense they are.
    default = pii._SPARSE_AT
    monkeypatch.setattr(pii, "_SPARSE_AT", sparse_at)
    names = ["en/en_usenet_20newsgroups.jsonl", "en/en_web_pages_maintext.jsonl", "web/zh_cc_chinesewebtext.jsonl"]
    texts = [r["text"] for name in names for r in corpus_records(corpus_dir, name, 2000) if "@" in r["text"]]
    tokens = ["x", "@", "a", ".", "-", "com", "1", "%", " ", "ab", "_", "Z", "x@a", ".com", "a" * 40, "+", "中"]
    texts += random_texts(tokens, 20000, seed=7, max_tokens=40)
    sparse = [t for t in texts if t.count("@") * default <= len(t)]
    assert len(sparse) > 5000 and sum(bool(pii._EMAIL.search(t)) for t in sparse) > 500
    stage = RemoveEmails(action="replace")
    assert [t[:60] for t in texts if stage.normalise(t) != pii._EMAIL.sub("<EMAIL>", t)] == []


@pytest.mark.parametrize(
    "text",
    [
        "电话13812345678。",
        "电话138-1234-5678。",
        "电话138 1234 5678。",
        "电话+86 13812345678。",
        "电话010-12345678。",
        "电话(0755)1234567。",
        "电话400-123-4567。",
    ],
)
def test_phones_removed(text: str) -> None:
    assert RemovePhones(action="replace").normalise(text) == "电话<PHONE>。"


@pytest.mark.parametrize(
    "text", ["订单号2023123456789", "ISBN 9787111213826", "ISBN 978-7-111-21382-6", "共12345678元"]
)
def test_numbers_that_are_not_phones_keep_their_digits(text: str) -> None:
    assert RemovePhones().normalise(text) == text
    assert RemoveBankCards().normalise(text) == text
    assert RemoveIdCards().normalise(text) == text


def test_id_card_checksum() -> None:
    assert id_card_valid("11010519491231002X")
    assert not id_card_valid("110105194912310021")
    stage = RemoveIdCards(action="replace")
    assert stage.normalise("身份证11010519491231002X号") == "身份证<ID_CARD>号"
    assert stage.normalise("编号110105194912310021号") == "编号110105194912310021号"


def test_id_cards_in_real_judgments(corpus_dir: Path) -> None:
    docs = [d["text"] for d in corpus_records(corpus_dir, "zh/zh_court_judgments.jsonl")]
    numbers = {m for d in docs for m in re.findall(r"身份号码：?(\d{17}[\dX])", d)}
    valid = {n for n in numbers if id_card_valid(n)}
    assert len(valid) >= 5
    stage = RemoveIdCards()
    for doc in docs:
        if any(n in doc for n in valid):
            out = stage.normalise(doc)
            assert not any(n in out for n in valid)
            assert "公民身份号码" in out or "身份证号码" in out


def test_bank_cards_luhn() -> None:
    assert luhn_valid("4111111111111111")
    assert not luhn_valid("4111111111111112")
    stage = RemoveBankCards(action="replace")
    assert stage.normalise("卡号4111111111111111，") == "卡号<BANK_CARD>，"
    assert stage.normalise("卡号6222 0000 0000 0000 006，") == "卡号6222 0000 0000 0000 006，"
    assert stage.normalise("卡号4111 1111 1111 1111，") == "卡号<BANK_CARD>，"
    assert stage.normalise("单号4111111111111112，") == "单号4111111111111112，"


def test_credit_codes() -> None:
    assert credit_code_valid("91350100M000100Y43")
    stage = RemoveCreditCodes(action="replace")
    assert stage.normalise("信用代码91350100M000100Y43。") == "信用代码<CREDIT_CODE>。"
    assert stage.normalise("信用代码91350100M000100Y44。") == "信用代码91350100M000100Y44。"
    assert stage.normalise("身份号码120103198307231136") == "身份号码120103198307231136"


def test_mentions() -> None:
    stage = RemoveMentions(action="replace")
    assert stage.normalise("@张三 你好，今天见") == "<MENTION> 你好，今天见"
    assert stage.normalise("转发@人民日报：今天") == "转发<MENTION>：今天"
    assert stage.normalise("Thanks @john_doe.") == "Thanks <MENTION>."
    assert stage.normalise("mail foo@bar.com now") == "mail foo@bar.com now"
    long_run = "@张三今天去了北京参加会议然后回来了"
    assert stage.normalise(long_run) == long_run


def test_wechat_ids() -> None:
    stage = RemoveWechatIds(action="replace")
    assert stage.normalise("加微信号：abc_123 了解详情") == "加微信号：<WECHAT> 了解详情"
    assert stage.normalise("微信：wxid_abc123，备注来意") == "微信：<WECHAT>，备注来意"
    assert stage.normalise("支持微信支付和Alipay") == "支持微信支付和Alipay"
    assert stage.normalise("用微信 Alipay 付款") == "用微信 Alipay 付款"


@pytest.mark.parametrize("label", ["VX：", "Vx:", "WX号", "WECHAT:", "wechat id ", "V信："])
def test_wechat_labels_in_any_case(label: str) -> None:
    text = f"加{label}abc_12345 领资料"
    assert RemoveWechatIds(action="replace").normalise(text) == f"加{label}<WECHAT> 领资料"


def test_real_app_descriptions_lose_contact_details(corpus_dir: Path) -> None:
    docs = [d["text"] for d in corpus_records(corpus_dir, "zh/zh_app_descriptions_iflytek.jsonl")]
    emails, phones = RemoveEmails(), RemovePhones()
    with_email = [d for d in docs if re.search(r"[A-Za-z0-9_.]+@[A-Za-z0-9-]+\.(com|cn|net)", d)]
    assert len(with_email) > 20
    assert all(not re.search(r"[A-Za-z0-9_.]+@[A-Za-z0-9-]+\.(com|cn|net)\b", emails.normalise(d)) for d in with_email)
    changed = sum(phones.normalise(d) != d for d in docs)
    assert 0 < changed < 0.01 * len(docs)
