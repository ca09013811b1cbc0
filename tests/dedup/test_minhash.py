import numpy as np
import pytest

from cleaner.dedup import minhash
from cleaner.dedup.minhash import minhash_batch, permutations
from cleaner.dedup.params import DedupParams
from cleaner.dedup.store import hash_batch


def reference(hashes: np.ndarray, num_perm: int = 128, seed: int = 1) -> np.ndarray:
    a, b = permutations(num_perm, seed)
    return ((hashes[:, None] * a + b).min(axis=0) >> np.uint64(32)).astype(np.uint32)


def test_batch_equals_one_document_at_a_time_including_documents_longer_than_a_block():
    rng = np.random.default_rng(0)
    sizes = [1, 7, minhash.BLOCK_SHINGLES * 2 + 5, 3, minhash.BLOCK_SHINGLES, 40]
    docs = [rng.integers(0, 2**64, size=s, dtype=np.uint64) for s in sizes]
    offsets = np.concatenate(([0], np.cumsum(sizes)))
    signatures = minhash_batch(np.concatenate(docs), offsets)
    for doc, signature in zip(docs, signatures):
        assert (signature == reference(doc)).all()


def test_estimated_jaccard_is_unbiased_with_the_expected_error():
    rng = np.random.default_rng(1)
    errors = []
    for _ in range(200):
        shared = rng.integers(0, 2**64, size=800, dtype=np.uint64)
        only_a, only_b = (rng.integers(0, 2**64, size=100, dtype=np.uint64) for _ in range(2))
        a, b = np.concatenate([shared, only_a]), np.concatenate([shared, only_b])
        signatures = minhash_batch(np.concatenate([a, b]), np.array([0, len(a), len(a) + len(b)]))
        errors.append((signatures[0] == signatures[1]).mean() - 800 / 1000)
    assert abs(np.mean(errors)) < 0.01
    assert np.std(errors) == pytest.approx(np.sqrt(0.8 * 0.2 / 128), rel=0.25)


def test_empty_documents_are_refused():
    with pytest.raises(ValueError):
        minhash_batch(np.array([1], dtype=np.uint64), np.array([0, 0, 1]))


def test_signatures_bands_and_exact_hashes_are_fixed_across_runs_and_machines():
    # Golden values: a change here makes stores of earlier runs incomparable (bump the store version).
    signatures = minhash_batch(np.array([1, 2, 3, 2**63], dtype=np.uint64), np.array([0, 2, 4]))
    assert signatures[:, :4].tolist() == [
        [2701257435, 3393385139, 1077288422, 2818256795],
        [1158052514, 162684252, 2060582265, 1860225276],
    ]
    batch = hash_batch(["你好世界测试一下"], DedupParams())
    assert batch.bands[0, :3].tolist() == [18374932146436459629, 14223592377793877026, 8661498253244904501]
    assert batch.exact.tolist() == [[18312721213341721650, 2377671213918161450]]
