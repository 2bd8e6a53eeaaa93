"""Consultation results from vote tallies: percentages, sector breakdowns and instant runoff.

Why this module exists: ballots are never read on the results path. Votes are kept as
counters of identical ballots ("tallies"), one row ``(choice_key, sector, count)`` per
question, distinct choices and stakeholder sector, so showing results costs the same for ten
voters or ten thousand. Everything that turns those rows into numbers lives here as pure
functions (no Flask, database or translations), so it can be tested by hand-computed cases
and so that the rules the results page quotes are the rules the code applies.

Choice keys (``encode`` writes them, ``decode`` reads them back), by option id:

- ``yes_no`` and ``single``: the one chosen option, e.g. ``"17"``;
- ``approval``: the chosen options in ascending order, comma-separated, e.g. ``"3,5,9"``;
- ``ranked``: the ranked options in order of preference, ``">"``-separated, e.g. ``"9>3>5"``.

An option id in a key that is not among the question's options (a removed option) is
ignored: the ballot still counts as cast, its other choices count, and in a ranking the
removed option is skipped as if it had not been ranked. Rows with a count of 0 are ignored.
Kinds and sectors may be given as plain strings or as string enums with those values.

Instant-runoff rules (ranked questions):

1. Each round counts every ballot for its highest-ranked option still in the count. A ballot
   whose ranked options have all been eliminated is exhausted: it is not counted in that
   round or any later one.
2. An option wins when it has more than half of the ballots counted in the round (exhausted
   ballots are not part of this total), or when it is the only option left. Counting stops.
3. Otherwise the option with the fewest votes is eliminated, one per round. Options that
   nobody ranked first take part and are the first to go.
4. A tie for the fewest votes is broken by the earlier rounds, latest first: of the tied
   options, the one with fewer votes in the most recent earlier round where they differ is
   eliminated. If they were equal in every earlier round, the option listed later on the
   ballot is eliminated.
5. When only two options are left and they have equal votes in this round and in every
   earlier round, both are declared winners (a tie) and counting stops.
6. With no ballots there are no rounds and no winner.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace

SECTORS = ("public", "private", "civil", "citizen")
#: the group that sectors with too few ballots are shown in (merge_small_sectors)
OTHER = "other"
KINDS = ("yes_no", "single", "approval", "ranked")

_SEPARATOR = {"approval": ",", "ranked": ">"}
_ID_TOKEN = re.compile(r"0|[1-9][0-9]*")


@dataclass
class OptionResult:
    """One option's votes (ranked: first preferences) and share of the question's ballots."""

    option_id: int
    votes: int
    percent: float
    by_sector: dict[str, int]


@dataclass
class Round:
    """One instant-runoff round.

    ``votes`` holds the options still in the count (in ballot order); ``exhausted`` the
    ballots exhausted so far (cumulative); ``eliminated`` the option eliminated at the end of
    this round (``[]`` in the last round); ``continuing_total`` the ballots counted this round.
    """

    number: int
    votes: dict[int, int]
    exhausted: int
    eliminated: list[int]
    continuing_total: int


@dataclass
class QuestionResult:
    """The results of one question; ``options`` and ``winners`` follow the ballot order."""

    kind: str
    ballots: int
    ballots_by_sector: dict[str, int]
    options: list[OptionResult]
    rounds: list[Round]
    winners: list[int]

    def option(self, option_id: int) -> OptionResult:
        """The result of one option; KeyError when it is not one of the question's."""
        for result in self.options:
            if result.option_id == option_id:
                return result
        raise KeyError(option_id)

    def percent_of_sector(self, option_id: int, sector: str) -> float:
        """Share (0-100) of that sector's ballots given to the option (ranked: first
        preferences); 0.0 when the sector cast no ballot. KeyError on an unknown sector."""
        sector = str(sector)
        base = self.ballots_by_sector[sector]
        return _percent(self.option(option_id).by_sector[sector], base)


def encode(kind: str, option_ids: Sequence[int]) -> str:
    """The canonical choice key of a ballot. Approval ids are sorted, not deduplicated: the
    caller validates the ballot. ValueError on an unknown kind, no choice, a negative id, or
    more than one choice for yes_no/single."""
    kind = _check_kind(kind)
    ids = [_check_id(option_id) for option_id in option_ids]
    if not ids:
        raise ValueError("a ballot needs at least one choice")
    if kind not in _SEPARATOR:
        if len(ids) != 1:
            raise ValueError(f"a {kind} ballot has exactly one choice, got {len(ids)}")
        return str(ids[0])
    if kind == "approval":
        ids.sort()
    return _SEPARATOR[kind].join(str(option_id) for option_id in ids)


def decode(kind: str, key: str) -> list[int]:
    """The option ids of a choice key (ranked: in order of preference). Accepts exactly the
    keys ``encode`` writes for distinct ids: ValueError on anything else (empty or non-numeric
    parts, leading zeros, spaces, repeated ids, approval ids out of order, several ids for a
    yes_no/single key)."""
    kind = _check_kind(kind)
    if not isinstance(key, str):
        raise ValueError(f"a choice key is a string, got {type(key).__name__}")
    separator = _SEPARATOR.get(kind)
    tokens = key.split(separator) if separator else [key]
    if not all(_ID_TOKEN.fullmatch(token) for token in tokens):
        raise ValueError(f"malformed {kind} choice key {key!r}")
    ids = [int(token) for token in tokens]
    if len(set(ids)) != len(ids):
        raise ValueError(f"repeated option in {kind} choice key {key!r}")
    if kind == "approval" and ids != sorted(ids):
        raise ValueError(f"approval choice key {key!r} is not in ascending order")
    return ids


def tally_question(
    kind: str, option_ids: Sequence[int], tallies: Iterable[tuple[str, str, int]]
) -> QuestionResult:
    """The results of one question from its tally rows ``(choice_key, sector, count)``.

    ``option_ids`` are the question's current options in ballot order. ValueError on an
    unknown kind or sector, a negative count, or a malformed key (rows with count 0 are
    skipped unread); option ids in keys that are not in ``option_ids`` are ignored.
    """
    kind = _check_kind(kind)
    ids = _check_options(option_ids)
    ballots_by_sector = dict.fromkeys(SECTORS, 0)
    votes = {option_id: dict.fromkeys(SECTORS, 0) for option_id in ids}
    rankings: dict[tuple[int, ...], int] = {}
    for key, raw_sector, count in tallies:
        if _check_count(count) == 0:
            continue
        sector = _check_sector(raw_sector)
        choices = tuple(option_id for option_id in decode(kind, key) if option_id in votes)
        ballots_by_sector[sector] += count
        for option_id in choices[:1] if kind == "ranked" else choices:
            votes[option_id][sector] += count
        if kind == "ranked":
            rankings[choices] = rankings.get(choices, 0) + count
    ballots = sum(ballots_by_sector.values())
    options = [_option_result(option_id, votes[option_id], ballots) for option_id in ids]
    if kind == "ranked":
        rounds, winners = instant_runoff(ids, rankings)
    else:
        rounds, winners = [], _most_voted(options)
    return QuestionResult(kind, ballots, ballots_by_sector, options, rounds, winners)


def instant_runoff(
    option_ids: Sequence[int], rankings: Mapping[tuple[int, ...], int]
) -> tuple[list[Round], list[int]]:
    """Rounds and winner(s) of an instant-runoff count under the rules in the module docstring.

    ``rankings`` maps a ranking (option ids, most preferred first) to its number of ballots;
    ids not in ``option_ids`` are skipped, an empty ranking is exhausted from round 1. Winners:
    one id, both ids of a final two-way tie, or ``[]`` when no ballot ranks any option. At most
    ``len(option_ids)`` rounds: each round either stops or eliminates one option.
    """
    order = _check_options(option_ids)
    ballots = {ranking: count for ranking, count in rankings.items() if _check_count(count)}
    total = sum(ballots.values())
    if not order or total == 0:
        return [], []
    continuing = list(order)
    rounds: list[Round] = []
    while True:
        current = _count_round(len(rounds) + 1, continuing, ballots, total)
        rounds.append(current)
        if current.continuing_total == 0:
            return rounds, []
        leader = max(continuing, key=current.votes.__getitem__)
        if len(continuing) == 1 or 2 * current.votes[leader] > current.continuing_total:
            return rounds, [leader]
        loser = _last_place(continuing, rounds)
        if loser is None:
            return rounds, list(continuing)
        current.eliminated.append(loser)
        continuing.remove(loser)


def _count_round(
    number: int, continuing: list[int], ballots: Mapping[tuple[int, ...], int], total: int
) -> Round:
    """Count each ballot for its highest-ranked continuing option."""
    live = set(continuing)
    votes = dict.fromkeys(continuing, 0)
    for ranking, count in ballots.items():
        top = next((option_id for option_id in ranking if option_id in live), None)
        if top is not None:
            votes[top] += count
    counted = sum(votes.values())
    return Round(number, votes, total - counted, [], counted)


def _last_place(continuing: list[int], rounds: list[Round]) -> int | None:
    """The option to eliminate after the last round, or None for a final two-way tie."""
    latest = rounds[-1]
    fewest = min(latest.votes[option_id] for option_id in continuing)
    tied = [option_id for option_id in continuing if latest.votes[option_id] == fewest]
    for earlier in reversed(rounds[:-1]):
        if len(tied) == 1:
            break
        fewest = min(earlier.votes[option_id] for option_id in tied)
        tied = [option_id for option_id in tied if earlier.votes[option_id] == fewest]
    if len(tied) == 1:
        return tied[0]
    if len(tied) == 2 == len(continuing):
        return None
    return tied[-1]  # ``continuing`` keeps the ballot order: the one listed later goes


def _option_result(option_id: int, by_sector: dict[str, int], ballots: int) -> OptionResult:
    votes = sum(by_sector.values())
    return OptionResult(option_id, votes, _percent(votes, ballots), by_sector)


def _most_voted(options: list[OptionResult]) -> list[int]:
    top = max((result.votes for result in options), default=0)
    if top == 0:
        return []
    return [result.option_id for result in options if result.votes == top]


def _percent(part: int, whole: int) -> float:
    return part / whole * 100 if whole else 0.0


def _check_kind(kind: str) -> str:
    kind = str(kind)
    if kind not in KINDS:
        raise ValueError(f"unknown question kind {kind!r}")
    return kind


def _check_sector(sector: str) -> str:
    sector = str(sector)
    if sector not in SECTORS:
        raise ValueError(f"unknown sector {sector!r}")
    return sector


def _check_id(option_id: int) -> int:
    if isinstance(option_id, bool) or not isinstance(option_id, int) or option_id < 0:
        raise ValueError(f"an option id is a non-negative integer, got {option_id!r}")
    return option_id


def _check_count(count: int) -> int:
    if isinstance(count, bool) or not isinstance(count, int) or count < 0:
        raise ValueError(f"a tally count is a non-negative integer, got {count!r}")
    return count


def _check_options(option_ids: Sequence[int]) -> list[int]:
    ids = [_check_id(option_id) for option_id in option_ids]
    if len(set(ids)) != len(ids):
        raise ValueError(f"repeated option id in {ids!r}")
    return ids


def small_groups(counts: dict[str, int], minimum: int) -> set[str]:
    """The groups (sectors, cities…) to show only together: each with between 1 and
    ``minimum - 1`` people, and, while those together are still fewer than ``minimum``, the
    smallest group otherwise shown (else the group is the total less the groups shown, and
    shows the same). Groups of nobody reveal nothing and stay."""
    merged = {group for group, n in counts.items() if 0 < n < minimum}
    if not merged:
        return merged
    shown = sorted((g for g, n in counts.items() if n and g not in merged),
                   key=lambda g: (counts[g], g))
    while sum(counts[g] for g in merged) < minimum and shown:
        merged.add(shown.pop(0))
    return merged


def merge_small_sectors(result: QuestionResult, minimum: int) -> QuestionResult:
    """The result with every sector that cast between 1 and ``minimum - 1`` ballots shown
    only inside one group, OTHER: sectors are public on profiles, so a sector of one voter
    would show that person's ballot. While the group itself holds fewer than ``minimum``
    ballots, the smallest sector still shown joins it too (else the group is the total less
    the sectors shown, and shows the same). Sectors without a ballot reveal nothing and stay."""
    counts = result.ballots_by_sector
    merged = small_groups(counts, minimum)
    if not merged:
        return result

    def fold(by_sector: dict[str, int]) -> dict[str, int]:
        kept = {s: n for s, n in by_sector.items() if s not in merged}
        kept[OTHER] = sum(by_sector[s] for s in merged)
        return kept

    return replace(result, ballots_by_sector=fold(counts),
                   options=[replace(o, by_sector=fold(o.by_sector)) for o in result.options])
