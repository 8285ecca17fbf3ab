"""The role x action matrix, called on the services directly (never through widgets).

Each action is a real service call. A role that holds the permission gets a result; any other role
gets ``PermissionDenied``, the data is unchanged, and the refusal is written to the audit log.
Features still being written are covered through ``list_page`` (the lists every screen, the CLI and
Excel export use) and the permission matrix itself.
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

import db.models as m
from db.enums import Role
from lived_experience.core import clock
from lived_experience.core.errors import PermissionDenied
from lived_experience.core.uow import unit_of_work
from lived_experience.listing.query import list_page
from lived_experience.security import accounts
from lived_experience.security.guard import require
from lived_experience.security.permissions import MATRIX, Perm, allowed
from tests.conftest import as_role
from tests.security import helpers as h

P = Perm
# The roles as the issue states them, written out independently of MATRIX.
_COORDINATOR = {P.READ, P.WRITE, P.CONTACT_READ, P.EQUALITY_READ, P.EQUALITY_WRITE, P.IMPORT, P.EXPORT,
                P.DBS_STATUS}
EXPECTED = {
    Role.ADMIN: set(Perm),
    Role.COORDINATOR: _COORDINATOR,
    Role.DBS_OFFICER: _COORDINATOR | {P.DBS_READ, P.DBS_WRITE},
    Role.VIEWER: {P.READ, P.CONTACT_READ},
}
ROLES = ["admin", "coordinator", "dbs_officer", "viewer"]


def test_the_matrix_is_the_one_the_issue_describes():
    assert {role: set(perms) for role, perms in MATRIX.items()} == EXPECTED
    assert not allowed("no-such-role", Perm.READ)


@pytest.fixture
def world(ctx, tmp_path):
    """A little of everything, plus a real administrator account."""
    today = clock.today()
    admin = accounts.create_first_admin(ctx, "boss", "The Boss", "boss-password-1")
    w = h.window(ctx, "Matrix window", decided=today - dt.timedelta(days=10))
    pid = h.person(ctx, "Mat", "Rix")
    app = h.application(ctx, pid, w, "member")
    anon = h.feedback(ctx, pid, quote="Anonymous words")
    with unit_of_work(ctx) as s:
        s.get(m.FeedbackItem, anon).anonymous = True
        s.add(m.DbsCheck(person_id=pid, level="enhanced", requested_on=today, decision="clear",
                         disclosure_detail="Detail"))
    victims = [h.person(ctx, f"Erase{i}", "Me") for i in range(4)]
    return {"admin": admin, "person": pid, "application": app, "anon_feedback": anon, "victims": victims,
            "tmp": tmp_path, "n": iter(range(100))}


def _actions(world):
    """name -> (permission needed, call(ctx))."""
    from lived_experience import settings
    from lived_experience.exporting.lists import export_list
    from lived_experience.feedback.service import add_theme, get_feedback
    from lived_experience.maintenance.backups import backup_to
    from lived_experience.members.contact import get_contact
    from lived_experience.members.dbs import register
    from lived_experience.recruitment.equality import get_answers, save_answers
    from lived_experience.retention import runner
    from lived_experience.retention.erasure import erase_person
    from lived_experience.retention.subject_access import subject_access
    from lived_experience.security import audit_export

    tmp, n = world["tmp"], world["n"]

    def backup(c):
        if c.db.is_sqlite:
            return backup_to(c, tmp / f"b{next(n)}.sqlite3")
        return require(c, P.BACKUP)  # pg_dump is tested where the client tools are set up

    return {
        "list records": (P.READ, lambda c: list_page(c, "windows")),
        "add a record (a feedback theme)": (P.WRITE, lambda c: add_theme(c, f"Theme {next(n)}")),
        "see contact details": (P.CONTACT_READ, lambda c: get_contact(c, world["person"])),
        "read equality answers": (P.EQUALITY_READ, lambda c: get_answers(c, world["application"])),
        "record equality answers": (P.EQUALITY_WRITE,
                                    lambda c: save_answers(c, world["application"], {"age_band": None})),
        "see the DBS register": (P.DBS_READ, lambda c: register(c)),
        "list the DBS register": (P.DBS_READ, lambda c: list_page(c, "dbs")),
        "see who gave anonymous feedback": (P.ANONYMOUS_SOURCE,
                                            lambda c: get_feedback(c, world["anon_feedback"], reveal_source=True)),
        "import a spreadsheet": (P.IMPORT, lambda c: require(c, P.IMPORT, entity="import_batch")),
        "export a list": (P.EXPORT, lambda c: export_list(c, "windows", tmp / f"w{next(n)}.xlsx")),
        "list staff accounts": (P.ACCOUNTS, lambda c: accounts.list_accounts(c)),
        "create a staff account": (P.ACCOUNTS, lambda c: accounts.create_account(
            c, f"user{next(n)}", "U", Role.VIEWER, "user-password-1")),
        "change the settings": (P.SETTINGS, lambda c: settings.update(c, lock_minutes=20)),
        "read the audit log": (P.AUDIT_READ, lambda c: list_page(c, "audit")),
        "verify the audit log": (P.AUDIT_READ, lambda c: audit_export.verify_chain(c)),
        "export the audit log": (P.AUDIT_READ, lambda c: audit_export.export_audit(c, tmp / f"a{next(n)}.xlsx")),
        "back up": (P.BACKUP, backup),
        "run the retention rules": (P.RETENTION, lambda c: runner.run_now(c, dry_run=True)),
        "subject access": (P.RETENTION, lambda c: subject_access(c, world["person"], tmp / f"sar{next(n)}")),
        "erase a person": (P.RETENTION, lambda c: erase_person(c, world["victims"].pop())),
        "list people for data protection": (P.RETENTION, lambda c: list_page(c, "people")),
    }


def _denials(ctx) -> int:
    with unit_of_work(ctx, readonly=True) as s:
        return s.scalar(select(func.count(m.AuditEvent.id)).where(m.AuditEvent.action == "denied")) or 0


@pytest.mark.parametrize("role", ROLES)
def test_role_by_action(ctx, world, role):
    actor_ctx = as_role(ctx, role) if role != "admin" else as_role(ctx, "admin", "boss")
    wrong = []
    for name, (perm, call) in _actions(world).items():
        before = _denials(ctx)
        expected = perm in EXPECTED[Role(role)]
        try:
            call(actor_ctx)
            got = True
        except PermissionDenied as exc:
            got = False
            assert Role(role).label in exc.message
            assert _denials(ctx) == before + 1, f"{name}: the refusal was not audited"
        if got != expected:
            wrong.append(f"{role} {'could' if got else 'could not'} {name}")
    assert wrong == []


@pytest.mark.parametrize("role", ["coordinator", "dbs_officer", "viewer"])
def test_refusals_change_nothing(ctx, world, role):
    actor_ctx = as_role(ctx, role)
    erase = _actions(world)["erase a person"][1]
    victim = world["victims"][-1]
    with pytest.raises(PermissionDenied):
        erase(actor_ctx)
    assert h.get(ctx, m.Person, victim).first_name == "Erase3"


def test_viewers_never_see_equality_or_dbs_fields_in_lists(demo_ctx):
    viewer = as_role(demo_ctx, "viewer")
    members = list_page(viewer, "members", limit=5)
    assert "dbs_status" not in {c.key for c in members.columns}
    assert all("dbs_status" not in r for r in members.rows)
    coordinator = as_role(demo_ctx, "coordinator")
    assert "dbs_status" in {c.key for c in list_page(coordinator, "members", limit=5).columns}


@pytest.mark.parametrize("role", ROLES)
def test_fields_by_role(ctx, world, role):
    """Where one call serves every role, the special fields are filled in only for the roles that
    may see them: equality answers, DBS status and detail, who gave anonymous feedback."""
    from lived_experience.feedback.service import get_feedback
    from lived_experience.members.service import member_overview
    from lived_experience.recruitment.applicants import get_applicant

    c = as_role(ctx, role) if role != "admin" else as_role(ctx, "admin", "boss")
    may = EXPECTED[Role(role)]
    applicant = get_applicant(c, world["application"])
    assert (applicant.has_equality is not None) == (P.EQUALITY_READ in may)
    assert bool(applicant.person.email) == (P.CONTACT_READ in may)
    overview = member_overview(c, world["person"])
    assert (overview.dbs_status is not None) == (P.DBS_STATUS in may)
    # The anonymous item: never linked unless asked for, and asking is for those who may know.
    plain = get_feedback(c, world["anon_feedback"])
    assert plain.person_id is None
    if P.ANONYMOUS_SOURCE in may:
        assert get_feedback(c, world["anon_feedback"], reveal_source=True).person_id == world["person"]
        assert overview.anonymous_withheld is False
    else:
        with pytest.raises(PermissionDenied):
            get_feedback(c, world["anon_feedback"], reveal_source=True)
        assert overview.anonymous_withheld is True and all(not f.anonymous for f in overview.feedback)
    # The DBS list: the register's detail (certificate number, level) only with DBS_READ.
    members = list_page(c, "members")
    assert ("dbs_status" in {col.key for col in members.columns}) == (P.DBS_STATUS in may)
    if P.DBS_READ in may:
        register = list_page(c, "dbs")
        assert {"certificate_number", "level"} <= {col.key for col in register.columns}
    else:
        with pytest.raises(PermissionDenied):
            list_page(c, "dbs")
