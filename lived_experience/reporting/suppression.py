"""Small-number suppression that cannot be undone by arithmetic.

The method (documented for the office and tested with hypothesis):

1. **Primary suppression.** Every count of fewer than 5 people (0 included) is
   shown as "fewer than 5". A reader therefore knows only that it is 0 to 4.
2. **Totals are public.** The number of applicants in a window, the number of
   members and the number who came through each channel are shown (they
   appear elsewhere anyway), so a reader can subtract.
3. **Secondary suppression.** A published table is a network of counts that
   must add up: window totals split into categories, categories add up to the
   all-windows figures, which split again by recruitment channel. For every
   hidden count we work out, exactly, the smallest and largest value it could
   take given everything shown (a flow problem: the sums are network
   constraints, so the feasible values of a count are a whole interval and a
   max-flow check of "value - 1" and "value + 1" decides it). When a hidden
   count could take only its true value, the smallest shown count on the same
   line is hidden as well ("not shown"; a reader knows it is 5 or more), and the
   check runs again, until no hidden count can be worked out.
4. **Totals are never hidden**: they are printed elsewhere (the window's number
   of applicants in the key, a channel's total in every characteristic's
   table), so hiding one in a single table would protect nothing. When every
   count of a table is hidden and one could still be worked out (five people,
   all in one group: "not shown" means 5 or more, so it is exactly 5 and the
   others are 0), suppression gives up with :class:`CannotProtect` and the
   report withholds that table's figures altogether.

This protects against subtraction from totals, against differencing per-window
tables from the all-windows table, and against the edge cases of arithmetic
bounds (all hidden counts zero, or all four).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Hashable
from dataclasses import dataclass, field

SMALL_LIMIT = 5  # counts below this are never shown
SMALL = "small"  # shown as "fewer than 5"
SECONDARY = "secondary"  # shown as "not shown" (it is 5 or more)
TOTAL = "total"  # never set by suppress(): totals stay shown (rule 4); readers of a network may still use it

class CannotProtect(Exception):
    """Even with every count hidden, one could be worked out: publish none of them."""


SMALL_TEXT = f"fewer than {SMALL_LIMIT}"
HIDDEN_TEXT = "not shown"
INF = 10**9


@dataclass
class Cell:
    """One published count: the flow on an edge from ``tail`` to ``head``."""

    key: Hashable
    tail: str
    head: str
    value: int
    public: bool = False  # a total that is published everywhere
    plumbing: bool = False  # not published at all: only joins the network up
    hidden: str | None = None

    def text(self) -> str:
        if self.hidden == SMALL:
            return SMALL_TEXT
        if self.hidden is not None:
            return HIDDEN_TEXT
        return f"{self.value:,}"

    @property
    def shown(self) -> bool:
        return self.hidden is None and not self.plumbing


@dataclass
class Network:
    """Counts that must add up: at every node other than the source and sink, in = out."""

    source: str = "S"
    sink: str = "T"
    cells: list[Cell] = field(default_factory=list)

    def add(self, key: Hashable, tail: str, head: str, value: int, *, public: bool = False,
            plumbing: bool = False) -> Cell:
        if value < 0:
            raise ValueError("a count cannot be negative")
        cell = Cell(key, tail, head, int(value), public=public, plumbing=plumbing)
        self.cells.append(cell)
        return cell

    def cell(self, key: Hashable) -> Cell:
        return next(c for c in self.cells if c.key == key)

    @property
    def grand_total(self) -> int:
        return sum(c.value for c in self.cells if c.tail == self.source)

    # -- what a reader can know ------------------------------------------------------------------
    def _cap(self) -> int:
        """The most any count could be, as a reader sees it: the grand total when every total leaving
        the source is shown, otherwise unknown."""
        out = [c for c in self.cells if c.tail == self.source]
        if all(c.hidden is None for c in out):
            return sum(c.value for c in out)
        return INF // 4

    def bounds(self, cell: Cell) -> tuple[int, int]:
        cap = self._cap()
        if cell.plumbing:
            return 0, cap
        if cell.hidden is None:
            return cell.value, cell.value
        if cell.hidden == SMALL:
            return 0, min(SMALL_LIMIT - 1, cap)
        if cell.hidden == SECONDARY:
            return SMALL_LIMIT, cap
        return 0, cap

    def feasible(self, fixed: dict[int, int] | None = None) -> bool:
        """Could the hidden counts take values that add up, with ``fixed`` (cell index -> value)?"""
        fixed = fixed or {}
        for i, v in fixed.items():
            lo, hi = self.bounds(self.cells[i])
            if not lo <= v <= hi:
                return False
        edges = []
        for i, c in enumerate(self.cells):
            lo, hi = (fixed[i], fixed[i]) if i in fixed else self.bounds(c)
            edges.append((c.tail, c.head, lo, hi))
        return _circulation_feasible(edges, self.source, self.sink)

    def pinned(self) -> list[Cell]:
        """Hidden counts whose exact value follows from what is shown."""
        out = []
        for i, c in enumerate(self.cells):
            if c.hidden is None or c.plumbing:
                continue
            if not (self.feasible({i: c.value - 1}) or self.feasible({i: c.value + 1})):
                out.append(c)
        return out

    def is_pinned(self, cell: Cell) -> bool:
        i = self.cells.index(cell)
        return not (self.feasible({i: cell.value - 1}) or self.feasible({i: cell.value + 1}))

    # -- suppression -----------------------------------------------------------------------------
    def suppress(self) -> Network:
        """Hide small counts, then as few others as it takes so none can be worked out."""
        for c in self.cells:
            c.hidden = None
            if not c.plumbing and not c.public and c.value < SMALL_LIMIT:
                c.hidden = SMALL
        # Hiding more only ever widens what a reader could suppose, so a count that cannot be worked
        # out stays that way: check each hidden count once, and each newly hidden one as it comes.
        queue = deque(c for c in self.cells if c.hidden is not None)
        while queue:
            target = queue[0]
            if not self.is_pinned(target):
                queue.popleft()
                continue
            choice = self._partner_for(target)
            if choice is None:  # every count is hidden already and this one still follows from the totals
                raise CannotProtect(f"{target.key} can be worked out whatever else is hidden")
            choice.hidden = SECONDARY
            queue.append(choice)
        return self

    def _partner_for(self, target: Cell) -> Cell | None:
        """The count to hide next so that ``target`` cannot be worked out.

        In order of preference: the smallest shown count on the target's own lines that is enough on its
        own; then the smallest anywhere in the network that is enough on its own (a chain of sums can
        reach further than one line); then the smallest on its lines, to be followed by more. Never a
        public total (see rule 4): None when no other count is left."""
        ends = {target.tail, target.head} - {self.source, self.sink} or {target.tail, target.head}
        shown = [c for c in self.cells if c is not target and c.shown]
        near = [c for c in shown if {c.tail, c.head} & ends]
        far = [c for c in shown if c not in near]

        def by_size(cells):
            return sorted(cells, key=lambda c: c.value)

        def enough(c: Cell) -> bool:
            c.hidden = SECONDARY
            try:
                return not self.is_pinned(target)
            finally:
                c.hidden = None

        private_near = by_size(c for c in near if not c.public)
        private_far = by_size(c for c in far if not c.public)
        for group in (private_near, private_far):
            for c in group:
                if enough(c):
                    return c
        for group in (private_near, private_far):
            if group:
                return group[0]
        return None


# -- feasibility of counts with bounds: a circulation problem, solved by max flow ------------------
def _circulation_feasible(edges: list[tuple[str, str, int, int]], source: str, sink: str) -> bool:
    nodes: dict[str, int] = {}

    def node(name: str) -> int:
        if name not in nodes:
            nodes[name] = len(nodes)
        return nodes[name]

    node(source)
    node(sink)
    for u, v, _lo, _hi in edges:
        node(u)
        node(v)
    n = len(nodes)
    ss, tt = n, n + 1
    graph = _Graph(n + 2)
    excess = [0] * n
    for u, v, lo, hi in edges:
        if lo > hi:
            return False
        if hi > lo:
            graph.add(nodes[u], nodes[v], hi - lo)
        excess[nodes[v]] += lo
        excess[nodes[u]] -= lo
    graph.add(nodes[sink], nodes[source], INF)
    need = 0
    for i, e in enumerate(excess):
        if e > 0:
            graph.add(ss, i, e)
            need += e
        elif e < 0:
            graph.add(i, tt, -e)
    return graph.max_flow(ss, tt) == need


class _Graph:
    """Dinic's max flow on a small graph."""

    def __init__(self, n: int):
        self.n = n
        self.adj: list[list[list[int]]] = [[] for _ in range(n)]  # [to, cap, rev]

    def add(self, u: int, v: int, cap: int) -> None:
        self.adj[u].append([v, cap, len(self.adj[v])])
        self.adj[v].append([u, 0, len(self.adj[u]) - 1])

    def max_flow(self, s: int, t: int) -> int:
        flow = 0
        while True:
            level = [-1] * self.n
            level[s] = 0
            q = deque([s])
            while q:
                u = q.popleft()
                for v, cap, _r in self.adj[u]:
                    if cap > 0 and level[v] < 0:
                        level[v] = level[u] + 1
                        q.append(v)
            if level[t] < 0:
                return flow
            it = [0] * self.n

            def dfs(u: int, pushed: int, level=level, it=it) -> int:
                if u == t:
                    return pushed
                while it[u] < len(self.adj[u]):
                    e = self.adj[u][it[u]]
                    v, cap, rev = e
                    if cap > 0 and level[v] == level[u] + 1:
                        got = dfs(v, min(pushed, cap))
                        if got:
                            e[1] -= got
                            self.adj[v][rev][1] += got
                            return got
                    it[u] += 1
                return 0

            while True:
                pushed = dfs(s, INF)
                if not pushed:
                    break
                flow += pushed
