"""Stats serialise from their fields: a JSON round trip and addition keep every count."""

from collections import Counter

import pytest

from cleaner.errors import AccountingError
from cleaner.run.stats import StageCounters, Stats, check_accounting


def _stats() -> Stats:
    stage = StageCounters("length_filter", "filter", 10, 7, Counter(too_short=3), 0, 0.12345, {"hits": {"porn": 2}})
    return Stats(10, 7, 3, 0, Counter(), 4096, 900, 800, 150, 120, 1.5, [stage])


def test_json_round_trip_is_lossless_and_uses_the_published_keys() -> None:
    data = _stats().to_json()
    assert list(data["stages"][0]) == ["stage", "kind", "in", "out", "rejected", "chars_removed", "seconds", "counters"]
    assert data["stages"][0]["seconds"] == 0.123
    assert Stats.from_json(data).to_json() == data


def test_empty_stage_counters_are_not_written() -> None:
    assert "counters" not in StageCounters("unicode_normalise", "normaliser").to_json()


def test_add_sums_every_count_and_nested_counter() -> None:
    total = Stats()
    total.add(_stats())
    total.add(_stats())
    assert (total.read, total.kept, total.rejected, total.tokens_in, total.tokens_out) == (20, 14, 6, 300, 240)
    (stage,) = total.stages
    assert (stage.label, stage.docs_in, stage.rejected["too_short"], stage.extra) == (
        "length_filter",
        20,
        6,
        {"hits": {"porn": 4}},
    )
    check_accounting(total, "two units")


def test_accounting_mismatch_raises() -> None:
    broken = _stats()
    broken.kept += 1
    with pytest.raises(AccountingError, match="read 10 != kept 8"):
        check_accounting(broken, "unit")


def test_a_rule_inside_a_route_keeps_its_parent_through_json_and_addition() -> None:
    inner = StageCounters("route/chinese/length_filter", "filter", 5, 4, Counter(too_short=1), parent="route")
    unit = Stats(read=5, kept=4, rejected=1, stages=[StageCounters("route", "router", 5, 4), inner])
    assert unit.to_json()["stages"][1]["parent"] == "route" and "parent" not in unit.to_json()["stages"][0]
    total = Stats()
    total.add(Stats.from_json(unit.to_json()))
    assert total.stages[1].parent == "route" and total.stages[1].rejected == Counter(too_short=1)
    check_accounting(total, "one routed unit")
