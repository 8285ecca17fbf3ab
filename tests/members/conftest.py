"""Builders for the members tests: people who have accepted an offer, on either engine."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from db.models import Application, Person, RecruitmentWindow, WindowChannel
from lived_experience.core import clock
from lived_experience.core.uow import unit_of_work

_n = itertools.count(1)
CHANNELS = ("opcc_website", "people_zones", "social_media", "neighbourhood_link")


def make_window(ctx, *, opens_on=dt.date(2025, 3, 1), closes_on=dt.date(2025, 4, 15),
                term_starts_on=dt.date(2025, 8, 31), name=None) -> int:
    with unit_of_work(ctx) as s:
        w = RecruitmentWindow(name=name or f"Window {next(_n)}", opens_on=opens_on, closes_on=closes_on,
                              places=10, term_starts_on=term_starts_on, advert_text="Join the group")
        w.channels = [WindowChannel(channel=c) for c in CHANNELS]
        s.add(w)
        s.flush()
        return w.id


def make_person(ctx, first="Alex", last=None, **extra) -> int:
    with unit_of_work(ctx) as s:
        p = Person(first_name=first, last_name=last or f"Member{next(_n)}", **extra)
        s.add(p)
        s.flush()
        return p.id


def make_applicant(ctx, window_id: int, *, stage="dbs_cleared", first="Alex", **extra) -> tuple[int, int]:
    """A person with an application at ``stage`` (by default ready to become a member); returns
    (person id, application id)."""
    pid = make_person(ctx, first, **extra)
    with unit_of_work(ctx) as s:
        a = Application(person_id=pid, window_id=window_id, stage=stage, received_at=clock.now(),
                        stage_changed_at=clock.now())
        s.add(a)
        s.flush()
        return pid, a.id


@pytest.fixture
def window_id(ctx):
    return make_window(ctx)


@pytest.fixture
def fill_dialogs(monkeypatch):
    """Answer the next forms: ``fill_dialogs.append(fn)``; each fn(dialog) fills one form, then OK is pressed.
    Records every dialog shown in ``fill_dialogs.shown``."""
    import ui.members.expenses as expenses_ui

    fillers: list = []
    fillers_shown: list = []

    class Fillers(list):
        shown = fillers_shown

    queue = Fillers()

    def run(dialog):
        fillers_shown.append(dialog)
        if not queue:
            raise AssertionError(f"unexpected dialog: {dialog.windowTitle()}")
        fn = queue.pop(0)
        if fn(dialog) is False:
            dialog.reject()
            return False
        dialog._on_ok()
        return dialog.result() == 1

    monkeypatch.setattr(expenses_ui, "_exec", run)
    del fillers
    return queue
