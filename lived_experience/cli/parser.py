"""The argument parser. Only argparse at import time: the window's start-up uses it.

Each command lives in ``lived_experience/cli/commands/<name>.py`` with two
functions: ``add(subparsers)`` declares its arguments, ``run(args, runtime)``
does the work and returns the exit code. Command modules import their heavy
dependencies inside ``run``.
"""

from __future__ import annotations

import argparse
import importlib
import sys

PROG = "lived-experience"

# Order is the order in --help.
COMMAND_MODULES = [
    "gui",
    "demo",
    "listing",
    "check",
    "backup",
    "export_list",
    "export_finance",
    "export_feedback_report",
    "export_evidence",
    "export_traceability",
    "create_user",
    "audit",
    "purge",
    "restore",
    "subject_access",
    "erase",
    "export_pack",
    "export_calendar",
    "import_applicants",
    "export_panel_report",
    "export_representativeness",
    "encrypt",
]


class UsageError(Exception):
    pass


class Parser(argparse.ArgumentParser):
    """argparse, but a bad argument is one plain line and exit code 2."""

    def error(self, message: str):
        raise UsageError(f"{message[0].upper()}{message[1:]}. Run '{PROG} --help' to see how to use it.")


def command_module(name: str):
    return importlib.import_module(f"lived_experience.cli.commands.{name}")


def build_parser() -> Parser:
    p = Parser(prog=PROG, description="Lived Experience: records, meetings and feedback for the OPCC "
               "Victims and Lived Experience Group. With no command, opens the window.")
    p.add_argument("--database", metavar="URL",
                   help="database to use: a SQLite file path or URL, or postgresql+psycopg://user@host/db "
                        "(default: $LIVED_EXPERIENCE_DATABASE_URL, else the file in your data folder)")
    p.add_argument("--user", metavar="NAME", help="sign in as NAME (default: $LIVED_EXPERIENCE_USER); "
                   "the password comes from $LIVED_EXPERIENCE_PASSWORD or a prompt")
    p.add_argument("--version", action="version", version=_version())
    sub = p.add_subparsers(dest="command", parser_class=Parser, metavar="COMMAND")
    for name in COMMAND_MODULES:
        sp = command_module(name).add(sub)
        sp.set_defaults(command_module=name)
    return p


def _version() -> str:
    from lived_experience import __version__

    return f"{PROG} {__version__}"


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    return build_parser().parse_args(sys.argv[1:] if argv is None else argv)
