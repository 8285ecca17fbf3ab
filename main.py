"""Lived Experience: the composition root and the entry point.

``python main.py`` and the ``lived-experience`` command are the same program.
With no command (or ``gui``) it opens the window; otherwise it runs one command
and exits (0 success, 2 a problem the user can put right, 1 a bug).
"""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    from lived_experience.cli.parser import UsageError, parse

    try:
        args = parse(argv)
    except UsageError as exc:
        print(exc, file=sys.stderr)
        return 2
    if args.command in (None, "gui"):
        from ui.app import run_gui

        return run_gui(args)
    from lived_experience.cli.runner import run_command

    return run_command(args)


def run() -> None:
    """Console-script entry point."""
    sys.exit(main())


if __name__ == "__main__":
    run()
