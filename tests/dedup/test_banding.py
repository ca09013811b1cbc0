import numpy as np
import pytest
from datasketch.lsh import _optimal_param

from cleaner.dedup.banding import optimal_banding


@pytest.mark.parametrize("num_perm", [8, 16, 64, 128, 256])
@pytest.mark.parametrize("weights", [(0.1, 0.9), (0.5, 0.5), (0.9, 0.1)])
def test_the_banding_is_datasketchs_choice_across_thresholds(num_perm, weights):
    for threshold in np.round(np.arange(0.05, 1.0, 0.05), 2).tolist():
        expected = tuple(int(v) for v in _optimal_param(threshold, num_perm, *weights))
        assert optimal_banding(threshold, num_perm, *weights) == expected, (threshold, num_perm, weights)


def test_a_higher_threshold_takes_longer_bands():
    low, high = optimal_banding(0.5, 128, 0.5, 0.5), optimal_banding(0.9, 128, 0.5, 0.5)
    assert high[1] > low[1] and high[0] < low[0]
