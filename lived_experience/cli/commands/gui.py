"""``gui``: open the window (also what happens with no command)."""


def add(sub):
    return sub.add_parser("gui", help="open the window (the default)")
