"""A planned activity keeps its identity when its station's plan is submitted again."""

from __future__ import annotations

from datetime import datetime

from activity_day.domain.activities import carried_uids

NINE, TWO, EIGHT = datetime(2026, 12, 5, 9), datetime(2026, 12, 5, 14), datetime(2026, 12, 5, 8)
OLD = [("理论宣讲", NINE, "a" * 32), ("道德讲堂", TWO, "b" * 32)]


def test_an_activity_added_before_the_others_moves_them_but_not_their_identity() -> None:
    uids = carried_uids(OLD, [("晨练", EIGHT), ("理论宣讲", NINE), ("道德讲堂", TWO)])
    assert uids[1:] == ["a" * 32, "b" * 32] and uids[0] not in ("a" * 32, "b" * 32) and len(uids[0]) == 32


def test_a_renamed_activity_at_the_same_start_is_the_same_activity() -> None:
    assert carried_uids(OLD, [("理论宣讲（改）", NINE), ("道德讲堂", TWO)]) == ["a" * 32, "b" * 32]


def test_a_removed_activity_takes_its_identity_with_it() -> None:
    uids = carried_uids(OLD, [("道德讲堂", TWO)])
    assert uids == ["b" * 32]


def test_a_moved_activity_is_a_new_one_and_two_at_one_start_are_not_guessed() -> None:
    moved = carried_uids(OLD, [("理论宣讲", datetime(2026, 12, 12, 9)), ("道德讲堂", TWO)])
    assert moved[1] == "b" * 32 and moved[0] != "a" * 32
    two = carried_uids(OLD, [("甲", NINE), ("乙", NINE), ("道德讲堂", TWO)])
    assert two[2] == "b" * 32 and "a" * 32 not in two[:2]


def test_a_new_identity_is_the_same_on_every_run_and_never_an_old_one() -> None:
    plan = [("晨练", EIGHT), ("晨练", EIGHT), ("理论宣讲", NINE)]
    first = carried_uids([], plan)
    assert first == carried_uids([], plan)  # a rerun, or another worker, stores the same rows
    assert len(set(first)) == 3 and all(len(u) == 32 for u in first)
    # an identity the old plan holds is never given to a new activity, even the one derived for it
    renamed = carried_uids([("新名称", EIGHT, first[0])], [("新名称", EIGHT), ("晨练", EIGHT)])
    assert renamed[0] == first[0] and renamed[1] != first[0] and len(set(renamed)) == 2
