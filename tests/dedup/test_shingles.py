import numpy as np

from cleaner.dedup.shingles import distinct_counts, shingle_batch


def shingles(text: str, ngram: int = 5) -> set[int]:
    hashes, offsets = shingle_batch([text], ngram)
    assert offsets.tolist() == [0, len(hashes)]
    return set(hashes.tolist())


def test_chinese_uses_character_ngrams_without_spaces_and_punctuation():
    assert shingles("今天天气很好，我们去公园散步。") == shingles("今天 天气很好 我们去公园散步！")
    assert len(shingles("今天天气很好我们去公园散步")) == len("今天天气很好我们去公园散步") - 4


def test_english_uses_lowercased_word_ngrams():
    text = "The quick brown fox jumps over the lazy dog"
    assert shingles(text) == shingles("the QUICK, brown fox -- jumps over the lazy dog!")
    assert len(shingles(text)) == 9 - 4
    assert shingles(text) != shingles("The quick brown fox jumped over the lazy dog")


def test_mixed_text_keeps_latin_words_whole():
    # "iphone" is one token among Chinese characters: 3 + 1 + 3 tokens give 3 five-grams.
    assert len(shingles("我买了iPhone手机壳")) == 3


def test_short_documents_get_their_own_signature():
    texts = ["好", "好的", "ok", "ok thanks", "!!!", "???", ""]
    hashes, offsets = shingle_batch(texts)
    assert np.diff(offsets).tolist() == [1] * len(texts)
    assert len(set(hashes.tolist())) == len(texts)


def test_batching_does_not_change_shingles():
    texts = [
        "第一篇文档的内容在这里。",
        "second document, in English words here",
        "短",
        "mixed 中文 and English 文本内容",
    ]
    together, offsets = shingle_batch(texts)
    for i, text in enumerate(texts):
        alone, _ = shingle_batch([text])
        assert together[offsets[i] : offsets[i + 1]].tolist() == alone.tolist()


def test_hashes_are_fixed_across_runs_and_machines():
    # Golden values: a change here changes every stored signature (bump the store version).
    hashes, _ = shingle_batch(["你好世界测试", "one two three four five"])
    assert hashes.tolist() == GOLDEN


GOLDEN = [1648329901136595155, 5696103550796343052, 17470504113680449896]


def test_distinct_counts_ignore_repeated_shingles():
    hashes = np.array([5, 3, 5, 5, 9, 9, 1], dtype=np.uint64) << np.uint64(40)
    assert distinct_counts(hashes, np.array([0, 4, 4 + 2, 7])).tolist() == [2, 1, 1]
