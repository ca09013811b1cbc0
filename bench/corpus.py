"""Where the benchmarks find real text: ../shared/corpus beside the checkout, never copied here."""

from pathlib import Path

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"

#: A mix of clean and noisy Chinese and English text, for throughput figures.
MIXED_FILES = [
    "zh/zh_news_peoples_daily_1998.jsonl",
    "zh/zh_wiki_cmrc2018.jsonl",
    "zh/zh_court_judgments.jsonl",
    "zh/zh_reviews_online_shopping.jsonl",
    "zh/zh_app_descriptions_iflytek.jsonl",
    "en/en_web_pages_maintext.jsonl",
    "en/en_usenet_20newsgroups.jsonl",
    "en/en_sms_spam.jsonl",
]
