"""m100hub.consultations.counting: results from tallies, checked against hand-computed counts."""

from __future__ import annotations

import enum
import random

import pytest

from m100hub.consultations.counting import (
    SECTORS,
    QuestionResult,
    Round,
    decode,
    encode,
    instant_runoff,
    tally_question,
)

YES, NO, ABSTAIN = 1, 2, 3


def rounds_summary(rounds: list[Round]) -> list[tuple[dict[int, int], int, list[int]]]:
    return [(r.votes, r.exhausted, r.eliminated) for r in rounds]


def ranked(option_ids: list[int], rows: list[tuple[str, int]]) -> QuestionResult:
    """A ranked question whose ballots all come from citizens."""
    return tally_question("ranked", option_ids, [(key, "citizen", n) for key, n in rows])


# --- yes/no, single, approval ------------------------------------------------------------


def test_yes_no_counts_percentages_and_sectors():
    rows = [
        ("1", "public", 3),
        ("1", "citizen", 5),
        ("2", "citizen", 2),
        ("2", "private", 4),
        ("3", "civil", 1),
    ]
    result = tally_question("yes_no", [YES, NO, ABSTAIN], rows)
    # 15 ballots: yes 8 (53.3 %), no 6 (40 %), abstain 1 (6.7 %)
    assert result.kind == "yes_no"
    assert result.ballots == 15
    assert result.ballots_by_sector == {"public": 3, "private": 4, "civil": 1, "citizen": 7}
    assert [o.option_id for o in result.options] == [YES, NO, ABSTAIN]
    assert [o.votes for o in result.options] == [8, 6, 1]
    assert [o.percent for o in result.options] == pytest.approx([800 / 15, 40.0, 100 / 15])
    assert result.options[0].by_sector == {"public": 3, "private": 0, "civil": 0, "citizen": 5}
    assert result.options[1].by_sector == {"public": 0, "private": 4, "civil": 0, "citizen": 2}
    assert result.percent_of_sector(YES, "citizen") == pytest.approx(500 / 7)
    assert result.percent_of_sector(NO, "private") == 100.0
    assert result.percent_of_sector(YES, "private") == 0.0
    assert result.winners == [YES]
    assert result.rounds == []


def test_percent_of_sector_without_ballots_in_that_sector_is_zero():
    result = tally_question("single", [10, 20], [("10", "citizen", 2)])
    assert result.ballots_by_sector["public"] == 0
    assert result.percent_of_sector(10, "public") == 0.0
    assert result.percent_of_sector(10, "citizen") == 100.0
    with pytest.raises(KeyError):
        result.percent_of_sector(99, "citizen")
    with pytest.raises(KeyError):
        result.percent_of_sector(10, "academia")


def test_single_choice_with_a_tie_for_most_votes():
    rows = [("20", "civil", 4), ("10", "public", 1), ("10", "private", 3), ("30", "citizen", 2)]
    result = tally_question("single", [10, 20, 30], rows)
    # 10 ballots: 10 → 4 (40 %), 20 → 4 (40 %), 30 → 2 (20 %)
    assert [(o.option_id, o.votes, o.percent) for o in result.options] == [
        (10, 4, 40.0),
        (20, 4, 40.0),
        (30, 2, 20.0),
    ]
    assert result.winners == [10, 20]  # both, in ballot order


def test_approval_percentages_are_shares_of_ballots_and_may_sum_over_100():
    rows = [("3,5", "citizen", 4), ("5", "public", 3), ("3,5,9", "civil", 2), ("9", "citizen", 1)]
    result = tally_question("approval", [3, 5, 9], rows)
    # 10 ballots; 3 approved by 4+2 = 6, 5 by 4+3+2 = 9, 9 by 2+1 = 3
    assert result.ballots == 10
    assert [o.votes for o in result.options] == [6, 9, 3]
    assert [o.percent for o in result.options] == [60.0, 90.0, 30.0]
    assert sum(o.percent for o in result.options) == 180.0
    assert result.options[1].by_sector == {"public": 3, "private": 0, "civil": 2, "citizen": 4}
    assert result.percent_of_sector(5, "citizen") == 80.0  # 4 of the 5 citizen ballots
    assert result.winners == [5]


def test_options_keep_the_order_given_not_the_order_of_votes():
    result = tally_question("single", [30, 10, 20], [("10", "citizen", 5), ("20", "citizen", 1)])
    assert [o.option_id for o in result.options] == [30, 10, 20]
    assert [o.votes for o in result.options] == [0, 5, 1]


def test_string_enum_kinds_and_sectors_are_accepted():
    class Sector(enum.StrEnum):
        PUBLIC = "public"

    class Kind(enum.StrEnum):
        SINGLE = "single"

    result = tally_question(Kind.SINGLE, [1], [("1", Sector.PUBLIC, 2)])
    assert result.kind == "single" and type(result.kind) is str
    assert result.ballots_by_sector == {"public": 2, "private": 0, "civil": 0, "citizen": 0}
    assert all(type(sector) is str for sector in result.options[0].by_sector)


# --- keys ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "ids", "key"),
    [
        ("yes_no", [2], "2"),
        ("single", [17], "17"),
        ("approval", [9, 3, 5], "3,5,9"),
        ("approval", [4], "4"),
        ("ranked", [9, 3, 5], "9>3>5"),
        ("ranked", [12], "12"),
    ],
)
def test_encode_and_decode(kind, ids, key):
    assert encode(kind, ids) == key
    expected = sorted(ids) if kind == "approval" else ids
    assert decode(kind, key) == expected
    assert encode(kind, decode(kind, key)) == key


def test_encode_decode_round_trip_on_random_ballots():
    rng = random.Random(7)
    for _ in range(200):
        ids = rng.sample(range(1, 1000), rng.randint(1, 8))
        assert decode("ranked", encode("ranked", ids)) == ids
        assert decode("approval", encode("approval", ids)) == sorted(ids)
        assert decode("single", encode("single", ids[:1])) == ids[:1]


def test_approval_encoding_sorts_numerically_not_as_text():
    assert encode("approval", [10, 9, 100]) == "9,10,100"


@pytest.mark.parametrize(
    ("kind", "key"),
    [
        ("single", ""),
        ("single", "abc"),
        ("single", "3,5"),
        ("single", "-3"),
        ("single", "+3"),
        ("single", " 3"),
        ("single", "3\n"),
        ("single", "03"),
        ("single", "1.5"),
        ("single", "\u00b3"),  # superscript three: a digit to str.isdigit, not an id
        ("yes_no", "1>2"),
        ("approval", ""),
        ("approval", "3,,5"),
        ("approval", "3,5,"),
        ("approval", ",3"),
        ("approval", "5,3"),
        ("approval", "3,3"),
        ("approval", "3>5"),
        ("ranked", ""),
        ("ranked", "3>>5"),
        ("ranked", ">3"),
        ("ranked", "3>5>3"),
        ("ranked", "3,5"),
    ],
)
def test_decode_rejects_garbage(kind, key):
    with pytest.raises(ValueError):
        decode(kind, key)


def test_decode_rejects_non_strings_and_unknown_kinds():
    with pytest.raises(ValueError):
        decode("single", 17)
    with pytest.raises(ValueError):
        decode("borda", "1")


@pytest.mark.parametrize(
    ("kind", "ids"),
    [
        ("single", []),
        ("single", [1, 2]),
        ("yes_no", [1, 2]),
        ("approval", []),
        ("ranked", []),
        ("ranked", [-1]),
        ("ranked", [True]),
        ("borda", [1]),
    ],
)
def test_encode_rejects_invalid_ballots(kind, ids):
    with pytest.raises(ValueError):
        encode(kind, ids)


# --- robustness ----------------------------------------------------------------------------


def test_unknown_option_ids_are_ignored_but_their_ballots_are_counted():
    single = tally_question("single", [1, 2], [("1", "public", 3), ("99", "civil", 1)])
    # the ballot for removed option 99 was cast: 4 ballots, option 1 has 3 of them
    assert single.ballots == 4
    assert single.ballots_by_sector["civil"] == 1
    assert [o.votes for o in single.options] == [3, 0]
    assert single.options[0].percent == 75.0
    assert single.winners == [1]

    approval = tally_question("approval", [3, 5], [("3,4", "public", 2), ("4", "public", 1)])
    assert approval.ballots == 3
    assert [o.votes for o in approval.options] == [2, 0]


def test_unknown_option_ids_in_rankings_are_skipped():
    result = ranked([1, 2], [("99>2>1", 3), ("1>99", 2), ("99", 1)])
    # "99>2>1" counts for 2; "1>99" for 1; "99" ranks nothing left: exhausted from round 1
    assert [o.votes for o in result.options] == [2, 3]  # first preferences
    assert result.ballots == 6
    assert rounds_summary(result.rounds) == [({1: 2, 2: 3}, 1, [])]
    assert result.rounds[0].continuing_total == 5
    assert result.winners == [2]  # 3 of 5 continuing ballots


def test_only_unknown_options_give_no_winner():
    result = ranked([1, 2], [("99", 4)])
    assert result.ballots == 4
    assert rounds_summary(result.rounds) == [({1: 0, 2: 0}, 4, [])]
    assert result.winners == []
    assert tally_question("single", [1, 2], [("99", "civil", 4)]).winners == []


def test_zero_count_rows_are_ignored():
    rows = [("1", "public", 2), ("2", "citizen", 1)]
    zeros = [("2", "public", 0), ("1", "private", 0), ("3", "civil", 0)]
    for kind in ("single", "ranked"):
        plain = tally_question(kind, [1, 2, 3], rows)
        assert tally_question(kind, [1, 2, 3], zeros + rows + zeros) == plain
        assert plain.ballots_by_sector["private"] == 0


def test_no_ballots_at_all():
    for kind in ("yes_no", "single", "approval", "ranked"):
        result = tally_question(kind, [1, 2, 3], [("1", "public", 0)])
        assert result.ballots == 0
        assert result.ballots_by_sector == dict.fromkeys(SECTORS, 0)
        assert [(o.votes, o.percent) for o in result.options] == [(0, 0.0)] * 3
        assert result.rounds == []
        assert result.winners == []
    assert instant_runoff([1, 2], {}) == ([], [])
    assert instant_runoff([], {(1,): 3}) == ([], [])


@pytest.mark.parametrize(
    "rows",
    [
        [("1", "academia", 1)],  # unknown sector
        [("1", "public", -1)],  # negative count
        [("1", "public", 1.5)],  # not an integer
        [("x", "public", 1)],  # malformed key
        [("1,2", "public", 1)],  # several choices on a single-choice question
    ],
)
def test_tally_question_rejects_corrupt_rows(rows):
    with pytest.raises(ValueError):
        tally_question("single", [1, 2], rows)


def test_invalid_options_and_kinds_are_rejected():
    with pytest.raises(ValueError):
        tally_question("single", [1, 1], [])
    with pytest.raises(ValueError):
        tally_question("borda", [1], [])
    with pytest.raises(ValueError):
        instant_runoff([1, 2], {(1,): -1})


# --- instant runoff ------------------------------------------------------------------------


def test_ranked_majority_in_the_first_round():
    result = ranked([1, 2, 3], [("1>2", 6), ("2>1", 2), ("3", 1)])
    # 9 ballots, 1 has 6 first preferences > 4.5: wins in round 1
    assert [o.votes for o in result.options] == [6, 2, 1]
    assert [o.percent for o in result.options] == pytest.approx([600 / 9, 200 / 9, 100 / 9])
    assert rounds_summary(result.rounds) == [({1: 6, 2: 2, 3: 1}, 0, [])]
    assert result.rounds[0].number == 1
    assert result.rounds[0].continuing_total == 9
    assert result.winners == [1]


def test_first_round_leader_can_lose():
    A, B, C, D = 1, 2, 3, 4
    rows = [("1", 35), ("2>3", 30), ("3>2", 20), ("4>3>2", 15)]
    # 100 ballots, a majority needs more than 50.
    # Round 1: A 35, B 30, C 20, D 15            → D eliminated; its 15 go to C.
    # Round 2: A 35, B 30, C 35                  → B eliminated; its 30 go to C.
    # Round 3: A 35, C 65                        → C wins, though A led round 1.
    result = ranked([A, B, C, D], rows)
    assert rounds_summary(result.rounds) == [
        ({A: 35, B: 30, C: 20, D: 15}, 0, [D]),
        ({A: 35, B: 30, C: 35}, 0, [B]),
        ({A: 35, C: 65}, 0, []),
    ]
    assert [r.number for r in result.rounds] == [1, 2, 3]
    assert [r.continuing_total for r in result.rounds] == [100, 100, 100]
    assert result.winners == [C]
    assert [o.votes for o in result.options] == [35, 30, 20, 15]  # first preferences


def test_exhausted_ballots_are_not_part_of_the_majority_base():
    rows = [("1", 40), ("2", 35), ("3", 15), ("3>2", 10)]
    # Round 1: 1 40, 2 35, 3 25 of 100           → 3 eliminated.
    # Round 2: the 15 "3" ballots are exhausted; the 10 "3>2" go to 2.
    #          1 40, 2 45 of 85 continuing       → 2 wins (45 > 42.5, though 45 < 50 of 100).
    result = ranked([1, 2, 3], rows)
    assert rounds_summary(result.rounds) == [
        ({1: 40, 2: 35, 3: 25}, 0, [3]),
        ({1: 40, 2: 45}, 15, []),
    ]
    assert result.rounds[1].continuing_total == 85
    assert result.ballots == 100
    assert result.winners == [2]


def test_exhausted_count_is_cumulative():
    rows = [("1", 9), ("2", 6), ("3", 4), ("4", 2), ("4>1", 1)]
    # Round 1: 9, 6, 4, 3 of 22                  → 4 eliminated; "4>1" → 1, 2 exhausted.
    # Round 2: 10, 6, 4 of 20 (10 is not > 10)   → 3 eliminated; 4 more exhausted.
    # Round 3: 10, 6 of 16                       → 1 wins.
    result = ranked([1, 2, 3, 4], rows)
    assert [r.exhausted for r in result.rounds] == [0, 2, 6]
    assert [r.continuing_total for r in result.rounds] == [22, 20, 16]
    assert result.winners == [1]


def test_last_place_tie_broken_by_an_earlier_round():
    rows = [("1", 12), ("2>3", 6), ("3", 8), ("4>2", 2)]
    # Round 1: 1 12, 2 6, 3 8, 4 2 of 28         → 4 eliminated; "4>2" goes to 2.
    # Round 2: 1 12, 2 8, 3 8: 2 and 3 tie last. In round 1, 2 had 6 < 8 → 2 eliminated
    #          (the ballot-order rule alone would have eliminated 3).
    # Round 3: "2>3" → 3; "4>2" exhausted: 1 12, 3 14 of 26 → 3 wins.
    result = ranked([1, 2, 3, 4], rows)
    assert rounds_summary(result.rounds) == [
        ({1: 12, 2: 6, 3: 8, 4: 2}, 0, [4]),
        ({1: 12, 2: 8, 3: 8}, 0, [2]),
        ({1: 12, 3: 14}, 2, []),
    ]
    assert result.winners == [3]


def test_last_place_tie_uses_the_latest_earlier_round_where_they_differ():
    rows = [("1", 17), ("2", 7), ("3", 6), ("4>2", 2), ("4>3", 1), ("5>3", 2)]
    # Round 1: 1 17, 2 7, 3 6, 4 3, 5 2 of 35    → 5 eliminated; "5>3" → 3.
    # Round 2: 1 17, 2 7, 3 8, 4 3               → 4 eliminated; 2 to option 2, 1 to option 3.
    # Round 3: 1 17, 2 9, 3 9: 2 and 3 tie last. Latest earlier round first: round 2 has
    #          2 7 < 3 8 → 2 eliminated (round 1, with 3 6 < 2 7, would have said 3, and so
    #          would the ballot order).
    # Round 4: 2's 9 ballots are exhausted: 1 17, 3 9 of 26 → 1 wins.
    result = ranked([1, 2, 3, 4, 5], rows)
    assert rounds_summary(result.rounds) == [
        ({1: 17, 2: 7, 3: 6, 4: 3, 5: 2}, 0, [5]),
        ({1: 17, 2: 7, 3: 8, 4: 3}, 0, [4]),
        ({1: 17, 2: 9, 3: 9}, 0, [2]),
        ({1: 17, 3: 9}, 9, []),
    ]
    assert result.winners == [1]


def test_last_place_tie_without_history_eliminates_the_option_listed_later():
    rows = [("1", 5), ("2>1", 3), ("3>2", 3)]
    # Round 1: 1 5, 2 3, 3 3 of 11; 2 and 3 tie last with no earlier round.
    # Ballot order 1, 2, 3 → 3 goes; round 2: 1 5, 2 6 → 2 wins.
    by_order = ranked([1, 2, 3], rows)
    assert rounds_summary(by_order.rounds) == [
        ({1: 5, 2: 3, 3: 3}, 0, [3]),
        ({1: 5, 2: 6}, 0, []),
    ]
    assert by_order.winners == [2]
    # Ballot order 1, 3, 2 → 2 goes; round 2: 1 8, 3 3 → 1 wins.
    reordered = ranked([1, 3, 2], rows)
    assert rounds_summary(reordered.rounds) == [
        ({1: 5, 3: 3, 2: 3}, 0, [2]),
        ({1: 8, 3: 3}, 0, []),
    ]
    assert reordered.winners == [1]


def test_final_two_way_tie_reports_both_winners():
    rounds, winners = instant_runoff([1, 2], {(1,): 5, (2,): 5})
    assert rounds_summary(rounds) == [({1: 5, 2: 5}, 0, [])]
    assert winners == [1, 2]


def test_three_way_tie_then_final_two_way_tie():
    rows = [("1", 4), ("2", 4), ("3>1", 2), ("3>2", 2)]
    # Round 1: 4, 4, 4: all tied, no history → 3 (listed last) eliminated.
    # Round 2: 1 6, 2 6, equal in round 1 too → a tie: both win.
    result = ranked([1, 2, 3], rows)
    assert rounds_summary(result.rounds) == [
        ({1: 4, 2: 4, 3: 4}, 0, [3]),
        ({1: 6, 2: 6}, 0, []),
    ]
    assert result.winners == [1, 2]


def test_final_two_way_tie_separated_by_an_earlier_round_is_not_shared():
    rows = [("1", 5), ("2", 4), ("3>2", 1), ("3", 1)]
    # Round 1: 5, 4, 2 of 11                     → 3 eliminated.
    # Round 2: 1 5, 2 5 of 10 (1 exhausted); round 1 had 2 4 < 1 5 → 2 eliminated.
    # Round 3: 1 5 of 5, the only option left    → 1 wins.
    result = ranked([1, 2, 3], rows)
    assert rounds_summary(result.rounds) == [
        ({1: 5, 2: 4, 3: 2}, 0, [3]),
        ({1: 5, 2: 5}, 1, [2]),
        ({1: 5}, 6, []),
    ]
    assert result.winners == [1]


def test_everyone_tied_terminates_with_the_first_two_options():
    rounds, winners = instant_runoff([1, 2, 3, 4, 5, 6], {(i,): 1 for i in range(1, 7)})
    # each round eliminates the last listed option; at 1 vs 2 (1 each, always equal) a tie
    assert [r.eliminated for r in rounds] == [[6], [5], [4], [3], []]
    assert [r.exhausted for r in rounds] == [0, 1, 2, 3, 4]
    assert winners == [1, 2]


def test_a_single_option():
    result = ranked([7], [("7", 3), ("99>7", 1)])
    assert rounds_summary(result.rounds) == [({7: 4}, 0, [])]
    assert result.winners == [7]
    assert result.options[0].percent == 100.0


def test_options_nobody_ranked_first_are_eliminated_first():
    rows = [("1>4", 5), ("2>4", 4), ("3>4", 3)]
    # Round 1: 1 5, 2 4, 3 3, 4 0 of 12: 4 is everyone's second choice but goes first.
    # Round 2: 5, 4, 3                           → 3 eliminated; "3>4" exhausted.
    # Round 3: 1 5, 2 4 of 9                     → 1 wins.
    result = ranked([1, 2, 3, 4], rows)
    assert rounds_summary(result.rounds) == [
        ({1: 5, 2: 4, 3: 3, 4: 0}, 0, [4]),
        ({1: 5, 2: 4, 3: 3}, 0, [3]),
        ({1: 5, 2: 4}, 3, []),
    ]
    assert result.winners == [1]


def test_several_options_without_first_preferences_go_one_per_round_last_listed_first():
    rounds, winners = instant_runoff([1, 2, 3, 4], {(1, 3): 2, (2, 4): 2, (3,): 0})
    # Round 1: 1 2, 2 2, 3 0, 4 0 of 4, no majority; 3 and 4 tie last with no history → 4.
    # Round 2: 3 (0) goes. Round 3: 1 2, 2 2, equal in every round → a tie.
    assert rounds_summary(rounds) == [
        ({1: 2, 2: 2, 3: 0, 4: 0}, 0, [4]),
        ({1: 2, 2: 2, 3: 0}, 0, [3]),
        ({1: 2, 2: 2}, 0, []),
    ]
    assert winners == [1, 2]


def test_instant_runoff_takes_rankings_directly():
    rounds, winners = instant_runoff([1, 2], {(9, 1): 3, (2,): 2, (): 1})
    # 9 is unknown (skipped); the empty ranking is exhausted from round 1
    assert rounds_summary(rounds) == [({1: 3, 2: 2}, 1, [])]
    assert rounds[0].continuing_total == 5
    assert winners == [1]


# --- properties on random tallies ----------------------------------------------------------


def random_ranked_rows(rng: random.Random, option_ids: list[int]) -> list[tuple[str, str, int]]:
    rows = []
    for _ in range(rng.randint(0, 25)):
        pool = option_ids + [999]  # 999: a removed option
        ranking = rng.sample(pool, rng.randint(1, len(pool)))
        rows.append((encode("ranked", ranking), rng.choice(SECTORS), rng.randint(0, 6)))
    return rows


def test_every_round_accounts_for_every_ballot():
    for seed in range(40):
        rng = random.Random(seed)
        option_ids = rng.sample(range(1, 50), rng.randint(1, 6))
        result = tally_question("ranked", option_ids, random_ranked_rows(rng, option_ids))
        assert len(result.rounds) <= len(option_ids)
        assert (result.rounds == []) == (result.ballots == 0)
        previous_exhausted = 0
        for number, current in enumerate(result.rounds, start=1):
            assert current.number == number
            assert sum(current.votes.values()) == current.continuing_total
            assert current.continuing_total + current.exhausted == result.ballots
            assert current.exhausted >= previous_exhausted
            assert len(current.votes) == len(option_ids) - number + 1
            previous_exhausted = current.exhausted
        assert all(len(r.eliminated) == 1 for r in result.rounds[:-1])
        if result.rounds:
            first = result.rounds[0]
            assert first.votes == {o.option_id: o.votes for o in result.options}
            assert result.rounds[-1].eliminated == []
            assert set(result.winners) <= set(result.rounds[-1].votes)
            assert 1 <= len(result.winners) <= 2 or first.continuing_total == 0


def test_result_does_not_depend_on_the_order_or_splitting_of_rows():
    for seed in range(20):
        rng = random.Random(seed)
        option_ids = rng.sample(range(1, 50), rng.randint(1, 6))
        rows = random_ranked_rows(rng, option_ids)
        expected = tally_question("ranked", option_ids, rows)
        shuffled = rows[:]
        rng.shuffle(shuffled)
        assert tally_question("ranked", option_ids, shuffled) == expected
        split = [
            part
            for key, sector, n in rows
            for part in ((key, sector, n // 2), (key, sector, n - n // 2))
        ]
        rng.shuffle(split)
        assert tally_question("ranked", option_ids, split) == expected
        approval_rows = [(encode("approval", decode("ranked", key)), s, n) for key, s, n in rows]
        approval = tally_question("approval", option_ids, approval_rows)
        assert tally_question("approval", option_ids, approval_rows[::-1]) == approval
