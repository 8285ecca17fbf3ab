"""Who is invited to a meeting, how they replied, and whether and how they took part.

Members (people with a membership term) and stakeholder contacts (people at
voluntary and statutory bodies, commissioned providers and the force) are
invited. Inviting gives warnings first, as scheduling does: a member already
invited to an overlapping meeting, a member's quiet period, a member whose DBS
check is not cleared, someone who is not a member on the meeting's date.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import and_, or_, select

from db.enums import (
    Attendance,
    ExpenseKind,
    InvitationResponse,
    MeetingStatus,
    OrganisationKind,
    ParticipationMode,
)
from db.models import Invitation, Meeting, MembershipTerm, Organisation, OrganisationContact, Person
from lived_experience.core import clock
from lived_experience.core.context import AppContext
from lived_experience.core.errors import UserError, ValidationError
from lived_experience.core.formatting import uk_date, uk_datetime
from lived_experience.core.uow import check_version, get_or_404, unit_of_work
from lived_experience.meetings import timing
from lived_experience.meetings.service import SaveResult, ScheduleWarning, person_warnings
from lived_experience.security import audit
from lived_experience.security.guard import require
from lived_experience.security.permissions import Perm


@dataclass(frozen=True)
class InvitationRow:
    id: int
    version: int
    kind: str  # "member" | "stakeholder"
    person_id: int | None
    contact_id: int | None
    name: str
    organisation: str | None
    organisation_kind: str | None
    response: str
    attendance: str | None
    participation_mode: str | None
    dbs_flag: str  # words for a member whose DBS check is not cleared; "" otherwise or when not allowed
    notes: str | None
    quiet_until: dt.date | None = None  # a member in a quiet period today: do not contact them until after this

    @property
    def contact_note(self) -> str:
        return f"Quiet until {uk_date(self.quiet_until)}: no contact" if self.quiet_until else ""


@dataclass(frozen=True)
class Candidate:
    """Someone who could be invited."""

    kind: str
    id: int  # person id or contact id
    name: str
    detail: str  # organisation, or the member's term
    dbs_flag: str = ""


# -- DBS -----------------------------------------------------------------------------------
def dbs_flags(s, person_ids) -> dict[int, str]:
    """Words for each person whose DBS check is not cleared ("No DBS check"...), from the
    members feature; empty for staff who may not see DBS status."""
    from lived_experience.members.dbs import flags_for

    return flags_for(s, person_ids)


# -- reading -------------------------------------------------------------------------------
def invitations(ctx: AppContext, meeting_id: int) -> list[InvitationRow]:
    """Everyone invited, members first, then stakeholders by organisation."""
    require(ctx, Perm.READ, entity="meeting", entity_id=meeting_id)
    with unit_of_work(ctx, readonly=True) as s:
        get_or_404(s, Meeting, meeting_id, "meeting")
        rows = list(s.execute(
            select(Invitation, Person.first_name, Person.last_name, Person.preferred_name,
                   OrganisationContact.name.label("contact"), Organisation.name.label("org"),
                   Organisation.kind.label("org_kind"))
            .outerjoin(Person, Person.id == Invitation.person_id)
            .outerjoin(OrganisationContact, OrganisationContact.id == Invitation.contact_id)
            .outerjoin(Organisation, Organisation.id == OrganisationContact.organisation_id)
            .where(Invitation.meeting_id == meeting_id)))
        flags = dbs_flags(s, [r.Invitation.person_id for r in rows if r.Invitation.person_id])
        from lived_experience.members.contact import quiet_holds

        quiet = {h.person_id: h.until for h in quiet_holds(
            s, [r.Invitation.person_id for r in rows if r.Invitation.person_id])}
        out = []
        for r in rows:
            inv = r.Invitation
            if inv.person_id is not None:
                name = f"{r.preferred_name or r.first_name} {r.last_name}".strip()
                out.append(InvitationRow(inv.id, inv.version, "member", inv.person_id, None, name, None, None,
                                         inv.response, inv.attendance, inv.participation_mode,
                                         flags.get(inv.person_id, ""), inv.notes, quiet.get(inv.person_id)))
            else:
                out.append(InvitationRow(inv.id, inv.version, "stakeholder", None, inv.contact_id, r.contact or "",
                                         r.org, r.org_kind, inv.response, inv.attendance, inv.participation_mode,
                                         "", inv.notes))
        out.sort(key=lambda x: (x.kind != "member", (x.organisation or "").casefold(), x.name.casefold()))
        return out


def _members_on(day: dt.date):
    """SQL: a membership term that covers ``day`` and is not stepped down, removed or paused by then."""
    t = MembershipTerm
    return and_(t.starts_on <= day, t.ends_on >= day,
                or_(t.override.is_(None), t.override_from > day))


def candidates(ctx: AppContext, meeting_id: int) -> tuple[list[Candidate], list[Candidate]]:
    """Members in post on the meeting's date, and active stakeholder contacts, not yet invited."""
    require(ctx, Perm.READ, entity="meeting", entity_id=meeting_id)
    with unit_of_work(ctx, readonly=True) as s:
        m = get_or_404(s, Meeting, meeting_id, "meeting")
        day = m.starts_at.astimezone(clock.LONDON).date()
        invited_people = set(s.scalars(select(Invitation.person_id).where(
            Invitation.meeting_id == meeting_id, Invitation.person_id.is_not(None))))
        invited_contacts = set(s.scalars(select(Invitation.contact_id).where(
            Invitation.meeting_id == meeting_id, Invitation.contact_id.is_not(None))))
        people = s.execute(
            select(Person.id, Person.first_name, Person.last_name, Person.preferred_name,
                   MembershipTerm.starts_on, MembershipTerm.ends_on)
            .join(MembershipTerm, MembershipTerm.person_id == Person.id)
            .where(_members_on(day), Person.anonymised_at.is_(None))
            .order_by(Person.last_name, Person.first_name))
        members, seen = [], set()
        rows = [r for r in people if r.id not in invited_people]
        flags = dbs_flags(s, [r.id for r in rows])
        for r in rows:
            if r.id in seen:
                continue
            seen.add(r.id)
            members.append(Candidate("member", r.id, f"{r.preferred_name or r.first_name} {r.last_name}",
                                     f"Member {uk_date(r.starts_on)} to {uk_date(r.ends_on)}", flags.get(r.id, "")))
        contacts = [
            Candidate("stakeholder", r.id, r.name, f"{r.org} ({OrganisationKind(r.kind).label})")
            for r in s.execute(
                select(OrganisationContact.id, OrganisationContact.name, Organisation.name.label("org"),
                       Organisation.kind)
                .join(Organisation, Organisation.id == OrganisationContact.organisation_id)
                .where(OrganisationContact.is_active.is_(True), Organisation.is_active.is_(True))
                .order_by(Organisation.name, OrganisationContact.name))
            if r.id not in invited_contacts
        ]
        return members, contacts


# -- inviting ------------------------------------------------------------------------------
def invite(ctx: AppContext, meeting_id: int, *, person_ids=(), contact_ids=(),
           confirm: bool = False) -> SaveResult:
    """Invite members and stakeholder contacts. Warnings first (``saved=False``) unless ``confirm``."""
    require(ctx, Perm.WRITE, entity="meeting", entity_id=meeting_id)
    person_ids = list(dict.fromkeys(int(p) for p in person_ids))
    contact_ids = list(dict.fromkeys(int(c) for c in contact_ids))
    if not person_ids and not contact_ids:
        raise ValidationError("Choose at least one person to invite.")
    with unit_of_work(ctx) as s:
        m = get_or_404(s, Meeting, meeting_id, "meeting")
        if m.status == MeetingStatus.CANCELLED.value:
            raise UserError("This meeting is cancelled: nobody can be invited to it.")
        already_p = set(s.scalars(select(Invitation.person_id).where(
            Invitation.meeting_id == meeting_id, Invitation.person_id.in_(person_ids))))
        already_c = set(s.scalars(select(Invitation.contact_id).where(
            Invitation.meeting_id == meeting_id, Invitation.contact_id.in_(contact_ids))))
        person_ids = [p for p in person_ids if p not in already_p]
        contact_ids = [c for c in contact_ids if c not in already_c]
        if not person_ids and not contact_ids:
            raise UserError("Everyone chosen is already invited to this meeting.")
        people = {p.id: p for p in s.scalars(select(Person).where(Person.id.in_(person_ids)))}
        missing = [p for p in person_ids if p not in people]
        if missing:
            raise UserError(f"There is no person with id {missing[0]}.")
        contacts = {c.id: c for c in s.scalars(select(OrganisationContact).where(
            OrganisationContact.id.in_(contact_ids)))}
        missing = [c for c in contact_ids if c not in contacts]
        if missing:
            raise UserError(f"There is no stakeholder contact with id {missing[0]}.")
        warnings: list[ScheduleWarning] = []
        ends = timing.ends_at(m.starts_at, m.duration_minutes)
        day = m.starts_at.astimezone(clock.LONDON).date()
        members_then = set(s.scalars(select(MembershipTerm.person_id).where(
            MembershipTerm.person_id.in_(person_ids), _members_on(day))))
        for pid in person_ids:
            if pid not in members_then:
                warnings.append(ScheduleWarning(
                    "not_member", f"{people[pid].known_as} is not a member on {uk_date(day)}."))
        warnings.extend(person_warnings(s, person_ids, m.starts_at, ends, meeting_id))
        # The invitation goes out today: someone in a quiet period now must not get it yet, even
        # when the meeting itself falls after their quiet period.
        from lived_experience.members.contact import quiet_between, quiet_holds, quiet_warning

        quiet_at_meeting = quiet_between(s, person_ids, day, (ends - dt.timedelta(seconds=1))
                                         .astimezone(clock.LONDON).date())
        for hold in quiet_holds(s, person_ids):
            if hold.person_id not in quiet_at_meeting:
                warnings.append(ScheduleWarning("quiet_period", quiet_warning(hold, "the invitation")))
        flags = dbs_flags(s, person_ids)
        for pid in person_ids:
            if flags.get(pid):
                warnings.append(ScheduleWarning(
                    "dbs", f"{people[pid].known_as} does not have a cleared DBS check ({flags[pid]})."))
        if warnings and not confirm:
            return SaveResult(False, meeting_id, m.version, warnings)
        now = clock.now().replace(microsecond=0)
        for pid in person_ids:
            inv = Invitation(meeting_id=meeting_id, person_id=pid, invited_at=now,
                             response=InvitationResponse.PENDING.value)
            s.add(inv)
            s.flush()
            audit.record(s, ctx.actor, "invitation.create", entity="invitation", entity_id=inv.id,
                         fields=["meeting_id", "person_id"], subject_person_id=pid)
        for cid in contact_ids:
            inv = Invitation(meeting_id=meeting_id, contact_id=cid, invited_at=now,
                             response=InvitationResponse.PENDING.value)
            s.add(inv)
            s.flush()
            audit.record(s, ctx.actor, "invitation.create", entity="invitation", entity_id=inv.id,
                         fields=["meeting_id", "contact_id"])
        return SaveResult(True, meeting_id, m.version, warnings)


def _load_invitation(s, invitation_id: int, expected_version: int | None) -> Invitation:
    inv = get_or_404(s, Invitation, invitation_id, "invitation")
    check_version(s, inv, expected_version, "invitation")
    return inv


def set_response(ctx: AppContext, invitation_id: int, response: str, *,
                 expected_version: int | None = None) -> int:
    require(ctx, Perm.WRITE, entity="invitation", entity_id=invitation_id)
    try:
        value = InvitationResponse.parse(response).value
    except ValueError:
        raise ValidationError(f"Choose a response: {', '.join(r.label for r in InvitationResponse)}.") from None
    with unit_of_work(ctx) as s:
        inv = _load_invitation(s, invitation_id, expected_version)
        if inv.response != value:
            inv.response = value
            s.flush()
            audit.record(s, ctx.actor, "invitation.change", entity="invitation", entity_id=inv.id,
                         fields=["response"], subject_person_id=inv.person_id)
        return inv.version


def record_attendance(ctx: AppContext, invitation_id: int, attendance: str | None,
                      participation_mode: str | None = None, *, expected_version: int | None = None,
                      notes: str | None = None) -> int:
    """Attended, apologies, did not attend or left early, and how they took part.

    Apologies with a written submission is allowed (they sent their views in
    writing); "did not attend" takes no mode; attending needs in person or online.
    """
    require(ctx, Perm.WRITE, entity="invitation", entity_id=invitation_id)
    try:
        att = Attendance.parse(attendance).value if attendance else None
    except ValueError:
        raise ValidationError(f"Choose attendance: {', '.join(a.label for a in Attendance)}.") from None
    try:
        mode = ParticipationMode.parse(participation_mode).value if participation_mode else None
    except ValueError:
        raise ValidationError(
            f"Choose how they took part: {', '.join(p.label for p in ParticipationMode)}.") from None
    if att in (Attendance.ATTENDED, Attendance.LEFT_EARLY):
        if mode == ParticipationMode.WRITTEN_SUBMISSION:
            raise ValidationError("Someone who attended took part in person or online, not only in writing.")
    elif att == Attendance.DID_NOT_ATTEND and mode is not None:
        raise ValidationError("Someone who did not attend has no way of taking part: leave it empty, "
                              "or record apologies with a written submission.")
    elif att == Attendance.APOLOGIES and mode not in (None, ParticipationMode.WRITTEN_SUBMISSION):
        raise ValidationError("With apologies, the only way of taking part is a written submission.")
    elif att is None and mode is not None:
        raise ValidationError("Record attendance before how they took part.")
    with unit_of_work(ctx) as s:
        inv = _load_invitation(s, invitation_id, expected_version)
        m = s.get(Meeting, inv.meeting_id)
        if att is not None and m.starts_at > clock.now():
            raise UserError(f"Attendance can be recorded once the meeting has started ({uk_datetime(m.starts_at)}).")
        if att is not None and m.status == MeetingStatus.CANCELLED.value:
            raise UserError("This meeting was cancelled: there is no attendance to record.")
        changed = []
        if inv.attendance != att:
            inv.attendance, _ = att, changed.append("attendance")
        if inv.participation_mode != mode:
            inv.participation_mode, _ = mode, changed.append("participation_mode")
        clean_notes = (notes or "").strip() or None
        if notes is not None and inv.notes != clean_notes:
            inv.notes, _ = clean_notes, changed.append("notes")
        if att == Attendance.APOLOGIES and inv.response == InvitationResponse.PENDING:
            inv.response, _ = InvitationResponse.DECLINED.value, changed.append("response")
        elif att in (Attendance.ATTENDED, Attendance.LEFT_EARLY) and inv.response != InvitationResponse.ACCEPTED:
            inv.response, _ = InvitationResponse.ACCEPTED.value, changed.append("response")
        if changed:
            s.flush()
            audit.record(s, ctx.actor, "invitation.change", entity="invitation", entity_id=inv.id, fields=changed,
                         subject_person_id=inv.person_id)
        return inv.version


def remove_invitation(ctx: AppContext, invitation_id: int, *, expected_version: int | None = None) -> None:
    require(ctx, Perm.WRITE, entity="invitation", entity_id=invitation_id)
    with unit_of_work(ctx) as s:
        inv = _load_invitation(s, invitation_id, expected_version)
        if inv.attendance is not None:
            raise UserError("Attendance is recorded for this invitation: clear the attendance first, "
                            "or keep the record.")
        pid = inv.person_id
        s.delete(inv)
        s.flush()
        audit.record(s, ctx.actor, "invitation.delete", entity="invitation", entity_id=invitation_id,
                     subject_person_id=pid)


# -- expenses from attendance ---------------------------------------------------------------
def mileage_prefill(ctx: AppContext, invitation_id: int) -> dict:
    """The start of a mileage claim for a member who came in person: who, which meeting,
    the date (UK) and a description. The members section's claim form takes it from here."""
    require(ctx, Perm.WRITE, entity="invitation", entity_id=invitation_id)
    with unit_of_work(ctx, readonly=True) as s:
        inv = get_or_404(s, Invitation, invitation_id, "invitation")
        if inv.person_id is None:
            raise UserError("Mileage claims are for members; stakeholders claim through their own organisation.")
        if inv.attendance not in (Attendance.ATTENDED.value, Attendance.LEFT_EARLY.value):
            raise UserError("Record that the member attended before starting a mileage claim.")
        if inv.participation_mode == ParticipationMode.ONLINE.value:
            raise UserError("The member took part online, so there is no mileage to claim.")
        m = s.get(Meeting, inv.meeting_id)
        day = m.starts_at.astimezone(clock.LONDON).date()
        where = m.venue.name if m.venue else None
        description = f"Travel to {m.title}" + (f" at {where}" if where else "")
        prefill = {
            "person_id": inv.person_id,
            "meeting_id": m.id,
            "incurred_on": day,
            "description": description[:300],
            "kind": ExpenseKind.MILEAGE.value,
        }
        if m.venue_id is not None:
            # The member's last journey to this venue is the best first guess at the miles.
            from db.enums import ExpenseStatus
            from db.models import ExpenseClaim
            from lived_experience.members.expenses import miles_text

            last = s.execute(
                select(ExpenseClaim.miles_tenths, Meeting.starts_at)
                .join(Meeting, Meeting.id == ExpenseClaim.meeting_id)
                .where(ExpenseClaim.person_id == inv.person_id, ExpenseClaim.kind == ExpenseKind.MILEAGE.value,
                       ExpenseClaim.status != ExpenseStatus.REJECTED.value, ExpenseClaim.miles_tenths.is_not(None),
                       Meeting.venue_id == m.venue_id, ExpenseClaim.meeting_id != m.id)
                .order_by(Meeting.starts_at.desc(), ExpenseClaim.id.desc()).limit(1)).first()
            if last is not None:
                prefill["miles"] = miles_text(last.miles_tenths)
                prefill["miles_source"] = (f"Miles as claimed for the last meeting at {where} "
                                           f"({uk_date(last.starts_at)}): change them if the journey was different.")
        return prefill


# -- stakeholders ----------------------------------------------------------------------------
def save_organisation(ctx: AppContext, name: str, kind: str, *, website: str | None = None) -> int:
    """Add a stakeholder organisation (voluntary, statutory, commissioned provider, the force)."""
    require(ctx, Perm.WRITE, entity="organisation")
    name = (name or "").strip()
    if not name:
        raise ValidationError("The organisation needs a name.")
    if len(name) > 200:
        raise ValidationError("The organisation's name is too long: keep it under 200 characters.")
    try:
        kind = OrganisationKind.parse(kind).value
    except ValueError:
        raise ValidationError(f"Choose the kind: {', '.join(k.label for k in OrganisationKind)}.") from None
    with unit_of_work(ctx) as s:
        from sqlalchemy import func

        if s.scalar(select(Organisation.id).where(func.lower(Organisation.name) == name.lower())) is not None:
            raise ValidationError(f"There is already an organisation called '{name}'.")
        org = Organisation(name=name, kind=kind, website=(website or "").strip() or None, is_active=True)
        s.add(org)
        s.flush()
        audit.record(s, ctx.actor, "organisation.create", entity="organisation", entity_id=org.id,
                     fields=["name", "kind", "website"])
        return org.id


def add_contact(ctx: AppContext, organisation_id: int, name: str, *, job_title: str | None = None,
                email: str | None = None, phone: str | None = None) -> int:
    require(ctx, Perm.WRITE, entity="organisation", entity_id=organisation_id)
    name = (name or "").strip()
    if not name:
        raise ValidationError("The contact needs a name.")
    if len(name) > 200:
        raise ValidationError("The contact's name is too long: keep it under 200 characters.")
    from lived_experience.people.identity import normalise_email, normalise_phone

    checked_email = normalise_email(email)
    if checked_email.problem:
        raise ValidationError(checked_email.problem[0].upper() + checked_email.problem[1:] + ".")
    checked_phone = normalise_phone(phone) if (phone or "").strip() else None
    if checked_phone is not None and checked_phone.problem:
        raise ValidationError(checked_phone.problem[0].upper() + checked_phone.problem[1:] + ".")
    email = checked_email.value
    phone = checked_phone.value if checked_phone else None
    with unit_of_work(ctx) as s:
        get_or_404(s, Organisation, organisation_id, "organisation")
        c = OrganisationContact(organisation_id=organisation_id, name=name, job_title=(job_title or "").strip() or None,
                                email=email, phone=phone, is_active=True)
        s.add(c)
        s.flush()
        audit.record(s, ctx.actor, "organisation_contact.create", entity="organisation_contact", entity_id=c.id,
                     fields=["name", "job_title", "email", "phone"])
        return c.id


def organisations(ctx: AppContext) -> list[tuple[int, str]]:
    require(ctx, Perm.READ)
    with unit_of_work(ctx, readonly=True) as s:
        return [(r.id, r.name) for r in s.execute(select(Organisation.id, Organisation.name)
                                                  .where(Organisation.is_active.is_(True))
                                                  .order_by(Organisation.name))]
