"""Safe contact, access needs and quiet periods."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from sqlalchemy import select

from db.enums import ContactMethod
from db.models import AuditEvent
from lived_experience.core.errors import ConflictError, PermissionDenied, UserError, ValidationError
from lived_experience.core.uow import unit_of_work
from lived_experience.members import contact
from tests.conftest import as_role
from tests.members.conftest import make_person


@pytest.fixture(autouse=True)
def _fixed_today():
    with time_machine.travel(dt.datetime(2026, 3, 2, 12, tzinfo=dt.UTC), tick=False):
        yield


def test_viewing_contact_details_is_audited(ctx):
    pid = make_person(ctx, "Zoë", email="zoe@example.org", phone="+447700900123", safe_email=True)
    view = contact.get_contact(as_role(ctx, "coordinator"), pid)
    assert view.details.email == "zoe@example.org" and "Safe: email" in view.summary
    with unit_of_work(ctx, readonly=True) as s:
        ev = s.scalars(select(AuditEvent).where(AuditEvent.action == "view")).all()[-1]
        assert ev.subject_person_id == pid and "email" in ev.fields and "zoe" not in (ev.detail or "")



def test_a_role_without_the_contact_permission_is_refused(ctx, monkeypatch):
    from db.enums import Role
    from lived_experience.security import permissions
    from lived_experience.security.permissions import Perm

    pid = make_person(ctx, "Sam", email="sam@example.org")
    monkeypatch.setitem(permissions.MATRIX, Role.VIEWER, frozenset({Perm.READ}))
    with pytest.raises(PermissionDenied, match="contact details"):
        contact.get_contact(as_role(ctx, "viewer"), pid)


def test_preferences_must_be_consistent_and_are_normalised(ctx):
    pid = make_person(ctx, "Sam", email="sam@example.org")
    view = contact.get_contact(ctx, pid)
    with pytest.raises(ValidationError, match="preferred contact is phone but there is no phone number"):
        contact.update_contact(ctx, pid, {"preferred_contact": "phone"}, expected_version=view.version)
    with pytest.raises(ValidationError, match="phoning is not marked safe"):
        contact.update_contact(ctx, pid, {"preferred_contact": "phone", "phone": "07700 900456"},
                               expected_version=view.version)
    saved = contact.update_contact(ctx, pid, {"preferred_contact": "phone", "phone": "07700 900456",
                                              "safe_to_phone": True, "safe_voicemail": False,
                                              "times_to_avoid": "School run 3-4pm", "pronouns": "they/them",
                                              "needs_bsl": True, "interpreter_language": "Polish",
                                              "support_person": "Sister, Ola"},
                                   expected_version=view.version)
    assert saved.details.phone == "+447700900456" and saved.details.preferred_contact == ContactMethod.PHONE
    assert "BSL" in saved.access and "Interpreter (Polish)" in saved.access
    with pytest.raises(ConflictError):
        contact.update_contact(ctx, pid, {"pronouns": "she/her"}, expected_version=view.version)
    with pytest.raises(ValidationError, match="Not a contact or access field"):
        contact.update_contact(ctx, pid, {"password": "x"}, expected_version=saved.version)
    with pytest.raises(PermissionDenied):
        contact.update_contact(as_role(ctx, "viewer"), pid, {"pronouns": "she/her"})


def test_quiet_periods_are_respected_by_every_contact_feature(ctx):
    a, b = make_person(ctx), make_person(ctx)
    q = contact.add_quiet_period(ctx, a, dt.date(2026, 3, 1), dt.date(2026, 3, 20), "Trial")
    assert q.current and q.text == "01/03/2026 to 20/03/2026"
    with unit_of_work(ctx, readonly=True) as s:
        assert contact.in_quiet_period(s, a, dt.date(2026, 3, 20)).id == q.id
        assert contact.in_quiet_period(s, a, dt.date(2026, 3, 21)) is None
        assert contact.in_quiet_period(s, b, dt.date(2026, 3, 5)) is None
        assert set(contact.quiet_people_on(s, dt.date(2026, 3, 5))) == {a}
        assert set(contact.quiet_between(s, [a, b], dt.date(2026, 3, 19), dt.date(2026, 4, 1))) == {a}
        assert contact.quiet_between(s, [a, b], dt.date(2026, 3, 21), dt.date(2026, 4, 1)) == {}
    with pytest.raises(UserError, match="overlaps the quiet period from 01/03/2026"):
        contact.add_quiet_period(ctx, a, dt.date(2026, 3, 15), dt.date(2026, 4, 1))
    with pytest.raises(ValidationError, match="ends before it starts"):
        contact.add_quiet_period(ctx, b, dt.date(2026, 4, 2), dt.date(2026, 4, 1))
    with pytest.raises(ValidationError, match="already over"):
        contact.add_quiet_period(ctx, b, dt.date(2026, 1, 2), dt.date(2026, 2, 1))
    moved = contact.change_quiet_period(ctx, q.id, dt.date(2026, 3, 1), dt.date(2026, 3, 10), "Trial",
                                        expected_version=q.version)
    contact.end_quiet_period(ctx, q.id, expected_version=moved.version)
    with unit_of_work(ctx, readonly=True) as s:
        assert contact.quiet_people_on(s, dt.date(2026, 3, 5)) == {}
