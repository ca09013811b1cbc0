import numpy as np

from cleaner.dedup.components import components
from cleaner.dedup.keepers import greedy_keepers, greedy_rounds
from cleaner.dedup.stars import large_star, small_star

NONE = np.zeros(4, dtype=bool)


def test_greedy_removes_only_documents_linked_to_a_kept_one():
    # Chain 0~1~2~3: 0 stays, 1 goes (to 0), 2 stays (its only better neighbour went), 3 goes to 2.
    a, b = np.array([0, 1, 2]), np.array([1, 2, 3])
    assert greedy_keepers(4, a, b, NONE).tolist() == [0, 0, 2, 2]


def test_greedy_picks_the_best_kept_neighbour_and_ignores_edge_order():
    a, b = np.array([3, 2, 3, 1]), np.array([0, 3, 1, 2])
    assert greedy_keepers(4, a, b, NONE).tolist() == [0, 1, 1, 0]


def test_protected_documents_always_stay():
    protected = np.array([True, True, False, False])
    a, b = np.array([0, 1, 1]), np.array([1, 2, 3])
    assert greedy_keepers(4, a, b, protected).tolist() == [0, 1, 1, 1]


def test_greedy_matches_the_sequential_rule_on_random_graphs():
    rng = np.random.default_rng(5)
    for _ in range(20):
        n = 60
        a, b = rng.integers(0, n, 80), rng.integers(0, n, 80)
        keeper = greedy_keepers(n, a, b, np.zeros(n, dtype=bool))
        neighbours = [set() for _ in range(n)]
        for x, y in zip(a.tolist(), b.tolist()):
            if x != y:
                neighbours[max(x, y)].add(min(x, y))
        kept: set[int] = set()
        for node in range(n):
            if neighbours[node] & kept:
                assert keeper[node] in neighbours[node] & kept
            else:
                kept.add(node)
                assert keeper[node] == node


def random_graph(rng: np.random.Generator, n: int, m: int) -> tuple[np.ndarray, np.ndarray]:
    a, b = rng.integers(0, n, m), rng.integers(0, n, m)
    keep = a != b
    return np.minimum(a, b)[keep], np.maximum(a, b)[keep]


def test_greedy_decided_range_by_range_matches_the_whole_graph():
    # What sweep.py does: each rank range replays the rounds with the fate and round of the
    # better documents of earlier ranges fixed, and must reproduce one run over the whole graph
    # (including which kept neighbour a document goes to, which depends on the round order).
    rng = np.random.default_rng(11)
    for trial in range(30):
        n = 80
        a, b = random_graph(rng, n, 120)
        protected = np.arange(n) < trial % 4
        whole, whole_round = greedy_rounds(n, a, b, protected)
        keeper, decided = np.arange(n), np.full(n, 1)
        decided[protected] = 0
        for lo, hi in ((0, 13), (13, 40), (40, 41), (41, n)):
            mine = (b >= lo) & (b < hi)
            fixed = np.full(n, -1)
            fixed[:lo] = decided[:lo]
            got, rounds = greedy_rounds(n, a[mine], b[mine], protected, fixed, keeper == np.arange(n))
            keeper[lo:hi], decided[lo:hi] = got[lo:hi], rounds[lo:hi]
        assert keeper.tolist() == whole.tolist()
        assert decided[whole_round >= 0].tolist() == whole_round[whole_round >= 0].tolist()


def test_large_and_small_star_rounds_end_in_stars_on_the_smallest_node():
    rng = np.random.default_rng(7)
    for _ in range(20):
        n = 300
        a, b = random_graph(rng, n, 250)
        chain = np.stack([np.arange(n - 60, n - 1), np.arange(n - 59, n)], axis=1)  # a long path
        edges = np.concatenate([np.stack([a, b], axis=1), chain]).astype(np.uint64)
        for _ in range(100):
            stepped = small_star(large_star(edges, np.ones(len(edges), dtype=bool)))
            if np.array_equal(stepped, edges):
                break
            edges = stepped
        root = np.arange(n)
        root[edges[:, 1].astype(np.int64)] = edges[:, 0]
        all_a = np.concatenate([a, chain[:, 0]])
        all_b = np.concatenate([b, chain[:, 1]])
        assert root.tolist() == components(n, all_a, all_b).tolist()
        assert len(np.unique(edges[:, 1])) == len(edges)  # every leaf has one centre
