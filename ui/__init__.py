"""PySide6 views and Qt models. Talks to the services in ``lived_experience``; never to a session."""

from ui.none_guard import keep_none_alive

keep_none_alive()  # before any Qt value reaches Python: see ui/none_guard.py
