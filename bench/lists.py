"""Lists and search at scale: every list opens in <= 100 ms, each filter keystroke
answers in <= 50 ms, and the search box answers in <= 50 ms, on ``demo --scale 100``.

Prints, in one run, the median of N timings for:
- opening each list (constructing its ``ListPage``: the first page of rows, sorted);
- each keystroke in its filter box (``model.set_text`` with the text typed so far: the rows
  shown; the number of matching rows is counted on a worker thread, timed separately as
  "count ms");
- the search box (``search`` for the text typed so far).

    python bench/lists.py [--runs 5] [--scale 100] [--database FILE]

The scale-100 database is made in a temporary folder (a few seconds) unless
``--database`` names one already made. Qt runs offscreen.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

LIST_LIMIT_MS = 100.0
KEY_LIMIT_MS = 50.0
SEARCH_LIMIT_MS = 50.0

# What a person might type into each list's filter box, one keystroke at a time.
TYPED = {
    "applicants": "zoe chau",
    "members": "zoe",
    "feedback": "court process",
    "meetings": "forum",
    "windows": "refresh",
    "recruitment_summary": "refresh",
    "services": "isva",
    "dbs": "ama",
    "expenses": "travel",
    "organisations": "fictional",
    "people": "smith",
    "audit": "demo",
    "imports": "xlsx",
    "staff": "priya",
}
SEARCHES = ("z", "zo", "zoe", "zoe ch", "a", "isva", "court", "refresh 2026", "jo", "smith")


def _median_ms(fn, runs: int) -> float:
    """Median time of ``fn``. Background work it starts (a list's row count) finishes, untimed,
    before the next run, so runs do not compete with each other."""
    from PySide6.QtCore import QThreadPool
    from PySide6.QtWidgets import QApplication

    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
        QThreadPool.globalInstance().waitForDone()
        QApplication.processEvents()
    return statistics.median(times)


def _make_database(folder: Path, scale: int) -> Path:
    from db.engine import open_database, sqlite_url
    from db.migrate import ensure_schema
    from lived_experience.core.context import AppContext
    from lived_experience.demo.generator import generate

    path = folder / f"scale-{scale}.sqlite3"
    db = open_database(sqlite_url(path))
    ensure_schema(db)
    t = time.perf_counter()
    summary = generate(AppContext(db=db), seed=1, scale=scale)
    db.dispose()
    print(f"demo --scale {scale}: {sum(summary.counts.values()):,} rows in {time.perf_counter() - t:.1f} s "
          f"({summary.counts.get('application', 0):,} applications, "
          f"{summary.counts.get('feedback_item', 0):,} feedback items)")
    return path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--scale", type=int, default=100)
    parser.add_argument("--database", help="an existing demo database to use: a SQLite file or a PostgreSQL "
                                           "URL (not changed, apart from the audit log)")
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="le-bench-lists-"))
    try:
        from PySide6.QtCore import QSettings
        from PySide6.QtWidgets import QApplication

        QSettings.setDefaultFormat(QSettings.Format.IniFormat)
        QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp))
        app = QApplication.instance() or QApplication([])

        from db.engine import open_database, sqlite_url
        from lived_experience.core.context import AppContext
        from lived_experience.listing import registry
        from lived_experience.listing.query import list_page
        from lived_experience.search.service import search
        from ui.common.list_page import ListPage
        from ui.interaction import ScriptedInteraction
        from ui.state import AppState

        if args.database and "://" in args.database:
            url = args.database
        else:
            url = sqlite_url(Path(args.database) if args.database else _make_database(tmp, args.scale))
        ctx = AppContext(db=open_database(url))
        state = AppState(ctx, ScriptedInteraction())
        failures = []

        print(f"\nLists (median of {args.runs}; limits: open <= {LIST_LIMIT_MS:.0f} ms, "
              f"keystroke <= {KEY_LIMIT_MS:.0f} ms)")
        print(f"{'list':22} {'rows':>8} {'open ms':>8} {'worst key ms':>13} {'count ms':>9}  typed")
        for kind in registry.kinds():
            ListPage(state, kind).deleteLater()  # warm up: imports, statement caches
            app.processEvents()
            pages = []

            def open_list(kind=kind, pages=pages):
                pages.append(ListPage(state, kind))

            open_ms = _median_ms(open_list, args.runs)
            page = pages[-1]
            total = page.model.total
            typed = TYPED.get(kind, "a")
            worst = 0.0
            for i in range(1, len(typed) + 1):
                text = typed[:i]

                def key(page=page, text=text):
                    page.model._text = ""  # so that set_text queries again
                    page.model.set_text(text)

                worst = max(worst, _median_ms(key, args.runs))
            # The row count for the whole word, as the worker thread runs it (not on the keystroke's path).
            count_ms = _median_ms(lambda kind=kind, typed=typed: list_page(ctx, kind, text=typed, limit=0),
                                  args.runs)
            for p in pages:
                p.deleteLater()
            app.processEvents()
            ok = open_ms <= LIST_LIMIT_MS and worst <= KEY_LIMIT_MS
            if not ok:
                failures.append(kind)
            print(f"{kind:22} {total:>8,} {open_ms:>8.1f} {worst:>13.1f} {count_ms:>9.1f}  "
                  f"'{typed}'{'' if ok else '  OVER'}")

        print(f"\nSearch box (median of {args.runs}; limit <= {SEARCH_LIMIT_MS:.0f} ms)")
        search(ctx, "warm up")
        for text in SEARCHES:
            ms = _median_ms(lambda text=text: search(ctx, text), args.runs)
            hits = len(search(ctx, text).hits())
            ok = ms <= SEARCH_LIMIT_MS
            if not ok:
                failures.append(f"search '{text}'")
            print(f"  {text!r:16} {ms:7.1f} ms  {hits:3} results shown{'' if ok else '  OVER'}")
        ctx.db.dispose()
        print("\nAll within the limits." if not failures else f"\nOver the limit: {', '.join(failures)}")
        return 0 if not failures else 1
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
