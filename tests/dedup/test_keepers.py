import numpy as np

from cleaner.dedup.keepers import greedy_keepers, union_find_keepers

NONE = np.zeros(4, dtype=bool)


def test_greedy_removes_only_documents_linked_to_a_kept_one():
    # Chain 0~1~2~3: 0 stays, 1 goes (to 0), 2 stays (its only better neighbour went), 3 goes to 2.
    a, b = np.array([0, 1, 2]), np.array([1, 2, 3])
    assert greedy_keepers(4, a, b, NONE).tolist() == [0, 0, 2, 2]
    assert union_find_keepers(4, a, b, NONE).tolist() == [0, 0, 0, 0]


def test_greedy_picks_the_best_kept_neighbour_and_ignores_edge_order():
    a, b = np.array([3, 2, 3, 1]), np.array([0, 3, 1, 2])
    assert greedy_keepers(4, a, b, NONE).tolist() == [0, 1, 1, 0]


def test_protected_documents_always_stay():
    protected = np.array([True, True, False, False])
    a, b = np.array([0, 1, 1]), np.array([1, 2, 3])
    assert greedy_keepers(4, a, b, protected).tolist() == [0, 1, 1, 1]
    assert union_find_keepers(4, a, b, protected).tolist() == [0, 1, 0, 0]


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
