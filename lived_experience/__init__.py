"""Lived Experience: rules and services. No Qt in here: the UI sits on top."""

__version__ = "0.1.0"
APP_NAME = "Lived Experience"
ORG_NAME = "OPCC Leicester Leicestershire Rutland"
