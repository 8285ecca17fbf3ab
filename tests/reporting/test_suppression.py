"""Small-number suppression: nothing under 5 is shown, and no hidden count can be worked out from what is.

The property is checked against an independent brute-force reader: given everything published (shown
counts, public totals, "fewer than 5" = 0 to 4, "not shown" = 5 or more) and the fact that the counts
add up, it searches for another way to fill in the hidden counts. Every hidden count must have one.
"""

from __future__ import annotations

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from lived_experience.reporting.suppression import (
    HIDDEN_TEXT,
    SECONDARY,
    SMALL,
    SMALL_TEXT,
    TOTAL,
    Network,
)

# -- the reader: brute force, sharing nothing with the flow-based audit ----------------------------------


def _reader_bounds(net: Network, cell) -> tuple[int, int]:
    cap = sum(c.value for c in net.cells if c.tail == net.source) if all(
        c.hidden is None for c in net.cells if c.tail == net.source) else 10**6
    if cell.plumbing:  # joins the network up; never published
        return 0, cap
    if cell.hidden is None:
        return cell.value, cell.value
    if cell.hidden == SMALL:
        return 0, min(4, cap)
    if cell.hidden == SECONDARY:
        return 5, cap
    return 0, cap


def another_value_possible(net: Network, target_index: int) -> bool:
    """Can the hidden counts add up with the target at some value other than its true one?"""
    cells = net.cells
    hidden = [i for i, c in enumerate(cells) if c.hidden is not None or c.plumbing]
    bounds = {i: _reader_bounds(net, cells[i]) for i in range(len(cells))}
    # A total hidden as a last resort is bounded in practice by the sum it is part of; cap the search.
    biggest = sum(c.value for c in cells if c.tail == net.source) + 5
    bounds = {i: (lo, min(hi, biggest)) for i, (lo, hi) in bounds.items()}
    nodes = {n for c in cells for n in (c.tail, c.head)} - {net.source, net.sink}
    incident = {n: [(i, +1 if cells[i].head == n else -1) for i in range(len(cells))
                    if n in (cells[i].tail, cells[i].head)] for n in nodes}
    true = cells[target_index].value
    order = [target_index] + [i for i in hidden if i != target_index]
    value: dict[int, int] = {i: cells[i].value for i in range(len(cells))
                             if cells[i].hidden is None and not cells[i].plumbing}

    def consistent() -> bool:
        for n in nodes:
            lo = hi = 0
            for i, sign in incident[n]:
                if i in value:
                    lo += sign * value[i]
                    hi += sign * value[i]
                else:
                    b_lo, b_hi = bounds[i]
                    lo += sign * (b_lo if sign > 0 else b_hi)
                    hi += sign * (b_hi if sign > 0 else b_lo)
            if not lo <= 0 <= hi:
                return False
        return True

    def search(k: int) -> bool:
        if k == len(order):
            return True
        i = order[k]
        lo, hi = bounds[i]
        candidates = [v for v in range(lo, hi + 1) if not (i == target_index and v == true)]
        for v in candidates:
            value[i] = v
            if consistent() and search(k + 1):
                return True
            del value[i]
        return False

    return search(0)


def suppressed_or_rightly_given_up(net: Network) -> Network | None:
    """The network suppressed; or None when suppression gave up, having checked that it had to: with every
    count hidden (and the totals, printed elsewhere, shown) one of them still follows."""
    from lived_experience.reporting.suppression import CannotProtect

    try:
        return net.suppress()
    except CannotProtect:
        for c in net.cells:
            if not c.public and not c.plumbing:
                c.hidden = SMALL if c.value < 5 else SECONDARY
        assert net.pinned(), "gave up although hiding everything would have protected every count"
        return None


def assert_protected(net: Network | None) -> None:
    if net is None:
        return  # withheld altogether
    for c in net.cells:
        if c.hidden is None and not c.public and not c.plumbing:
            assert c.value >= 5, f"{c.key} = {c.value} is shown"
        if c.hidden == SMALL:
            assert c.value < 5 and c.text() == SMALL_TEXT
        if c.hidden in (SECONDARY, TOTAL):
            assert c.text() == HIDDEN_TEXT
    for i, c in enumerate(net.cells):
        if c.hidden is not None and not c.plumbing:
            assert another_value_possible(net, i), f"{c.key} (= {c.value}) can be worked out"


# -- tables shaped like the report's ------------------------------------------------------------------------
def one_line(values: list[int]) -> Network:
    """A single population (the members): a public total split into categories."""
    net = Network()
    net.add("n", "S", "M", sum(values), public=True)
    for j, v in enumerate(values):
        net.add(("x", j), "M", "T", v)
    return net


def windows_by_category(matrix: list[list[int]], channels: list[list[int]] | None = None) -> Network:
    """Windows split into categories, which add up to the all-windows figures; optionally those split again
    by recruitment channel (``channels[k][j]``: channel k, category j, adding up to the same figures)."""
    net = Network()
    cats = len(matrix[0])
    for w, row in enumerate(matrix):
        if not sum(row):
            continue  # as in the report: a window nobody applied to has nothing to protect
        net.add(("n", w), "S", f"W{w}", sum(row), public=True)
        for j, v in enumerate(row):
            net.add(("x", w, j), f"W{w}", f"C{j}", v)
    for j in range(cats):
        total = sum(row[j] for row in matrix)
        net.add(("t", j), f"C{j}", f"D{j}", total)
    if channels is None:
        for j in range(cats):
            net.add(("plumb", j), f"D{j}", "T", sum(row[j] for row in matrix), plumbing=True)
    else:
        for k, row in enumerate(channels):
            for j, v in enumerate(row):
                net.add(("y", k, j), f"D{j}", f"H{k}", v)
            net.add(("m", k), f"H{k}", "T", sum(row), public=True)
    return net


@st.composite
def split_by_channel(draw, matrix):
    """Share each category's all-windows count between two channels."""
    cats = len(matrix[0])
    totals = [sum(row[j] for row in matrix) for j in range(cats)]
    first = [draw(st.integers(0, t)) for t in totals]
    return [first, [t - f for t, f in zip(totals, first, strict=True)]]


@given(st.lists(st.integers(0, 12), min_size=2, max_size=6))
@settings(max_examples=150, deadline=None)
def test_one_line_no_hidden_count_can_be_worked_out(values):
    assume(sum(values) > 0)  # as in the report: with nobody to count there is nothing to protect
    assert_protected(suppressed_or_rightly_given_up(one_line(values)))


@given(st.integers(1, 3).flatmap(lambda w: st.integers(2, 4).flatmap(
    lambda c: st.lists(st.lists(st.integers(0, 7), min_size=c, max_size=c), min_size=w, max_size=w))))
@settings(max_examples=120, deadline=None)
def test_windows_and_all_windows_cannot_be_differenced(matrix):
    assume(sum(map(sum, matrix)) > 0)
    assert_protected(suppressed_or_rightly_given_up(windows_by_category(matrix)))


@given(st.integers(1, 2).flatmap(lambda w: st.lists(st.lists(st.integers(0, 6), min_size=3, max_size=3),
                                                      min_size=w, max_size=w)).flatmap(
    lambda m: st.tuples(st.just(m), split_by_channel(m))))
@settings(max_examples=60, deadline=None)
def test_the_channel_table_cannot_be_combined_with_the_others(args):
    matrix, channels = args
    assume(sum(map(sum, matrix)) > 0)
    assert_protected(suppressed_or_rightly_given_up(windows_by_category(matrix, channels)))


# -- the cases people worry about, spelled out -----------------------------------------------------------------
def texts(net: Network) -> list[str]:
    return [c.text() for c in net.cells]


def test_a_single_small_count_is_not_left_to_subtraction():
    # 9 members: 6 in one group, 3 in another. Showing the 6 would give the 3 away.
    assert texts(one_line([6, 3])) == ["9", "6", "3"]
    assert texts(one_line([6, 3]).suppress()) == ["9", HIDDEN_TEXT, SMALL_TEXT]


def test_all_zeros_are_not_given_away():
    # 10 members all in the first group: two hidden zeros would add up to 0, so the 10 is hidden too.
    assert texts(one_line([10, 0, 0]).suppress()) == ["10", HIDDEN_TEXT, SMALL_TEXT, SMALL_TEXT]


def test_large_counts_stay_shown_when_nothing_needs_protecting():
    assert texts(one_line([20, 7, 9]).suppress()) == ["36", "20", "7", "9"]


def test_a_window_cannot_be_worked_out_from_all_windows():
    # Window 1: 3 in group A; window 2: 8. All windows: 11. Without secondary suppression, 11 - 8 = 3.
    net = windows_by_category([[3, 9], [8, 6]]).suppress()
    shown = {c.key: c.text() for c in net.cells}
    assert shown[("x", 0, 0)] == SMALL_TEXT
    assert HIDDEN_TEXT in (shown[("x", 1, 0)], shown[("t", 0)])
    assert_protected(net)


# -- the report's own tables, end to end ----------------------------------------------------------------------
# The tests above check the method on networks shaped like the report's. This one builds the real tables
# (lived_experience.reporting.representativeness.build_topic) from random applicants and reads back only
# what is published - the texts, the window totals, the channel totals - as a reader would.
def _reader_network(table, window_ids, truth) -> Network:
    from lived_experience.reporting.representativeness import WITHHELD_TEXT
    from lived_experience.reporting.suppression import SMALL_TEXT as SMALL_WORDS

    def state(figure):
        if figure.value is not None:
            assert figure.text == f"{figure.value:,}"
            return None
        assert figure.percent is None  # a hidden count's percentage is hidden too
        if figure.text == WITHHELD_TEXT:
            return "withheld"
        return SMALL if figure.text == SMALL_WORDS else SECONDARY

    def published(cell, figure) -> None:
        cell.hidden = state(figure)
        if cell.hidden == "withheld":  # nothing is said about it: to a reader it is any number
            cell.hidden, cell.plumbing = None, True

    net = Network()
    cats = [c.key for c in table.topic.categories]
    for w in window_ids:
        n = sum(truth["x"].get((w, c), 0) for c in cats)
        if not n:
            continue
        net.add(("n", w), "S", f"W{w}", n, public=True)
        for c in cats:
            cell = net.add(("x", w, c), f"W{w}", f"C{c}", truth["x"].get((w, c), 0))
            published(cell, table.figure(f"window:{w}", c))
    for c in cats:
        cell = net.add(("t", c), f"C{c}", f"D{c}", sum(truth["x"].get((w, c), 0) for w in window_ids))
        published(cell, table.figure("all", c))
    for ch, _label in table.channels:
        for c in cats:
            cell = net.add(("y", ch, c), f"D{c}", f"H{ch}", truth["y"].get((ch, c), 0))
            published(cell, table.channel_figures[(ch, c)])
        total = table.channel_totals[ch]
        assert total.value == sum(truth["y"].get((ch, c), 0) for c in cats)  # channel totals are public
        net.add(("m", ch), f"H{ch}", "T", total.value, public=True)
    return net


@st.composite
def cohorts(draw):
    windows = draw(st.integers(1, 2))
    people = draw(st.lists(st.tuples(st.integers(1, windows), st.sampled_from(["a", "b", None]),
                                     st.sampled_from(["opcc_website", "social_media"])), min_size=1, max_size=22))
    return windows, people


@given(cohorts())
@settings(max_examples=60, deadline=None)
def test_the_published_report_tables_give_no_hidden_count_away(cohort):
    from lived_experience.reporting.representativeness import (
        NOT_STATED,
        Category,
        Topic,
        _Record,
        build_topic,
    )

    windows, people = cohort
    topic = Topic("sex", "Sex", (Category("a", "A"), Category("b", "B"), Category(NOT_STATED, "Not stated")), "")
    records = [_Record(w, {"sex": v, "age_band": None, "ethnic_group": None, "disability": None}, None, ch)
               for w, v, ch in people]
    window_ids = list(range(1, windows + 1))
    table = build_topic(topic, records, [], window_ids)
    truth = {"x": {}, "y": {}}
    for w, v, ch in people:
        c = v or NOT_STATED
        truth["x"][(w, c)] = truth["x"].get((w, c), 0) + 1
        truth["y"][(ch, c)] = truth["y"].get((ch, c), 0) + 1
    net = _reader_network(table, window_ids, truth)
    # What is shown is true, nothing under 5 is shown, and no hidden count can be worked out.
    assert_protected(net)
    if table.withheld:
        # Withheld only when it had to be: with every count hidden, one would still follow from the totals.
        full = _reader_network(table, window_ids, truth)
        for cell in full.cells:
            if cell.plumbing:
                cell.plumbing = False
                cell.hidden = SMALL if cell.value < 5 else SECONDARY
        assert full.pinned()


def test_five_people_all_in_one_group_are_withheld_not_given_away():
    """'not shown' means 5 or more: with a public total of 5 it means exactly 5, and the others 0. Hiding the
    total would not help (it is printed in every table), so nothing of the line is published."""
    from lived_experience.reporting.suppression import CannotProtect

    with pytest.raises(CannotProtect):
        one_line([5, 0, 0]).suppress()
    assert texts(one_line([6, 0, 0]).suppress()) == ["6", HIDDEN_TEXT, SMALL_TEXT, SMALL_TEXT]
    assert all(c.hidden != TOTAL for c in windows_by_category([[5, 0], [7, 8]]).cells)
