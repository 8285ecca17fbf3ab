"""PySide6 views and Qt models. Talks to the services in ``lived_experience``; never to a session."""
