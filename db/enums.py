"""Closed vocabularies stored as short strings.

Stored as plain strings (not native enums) so that adding a value is a code
change, not a schema migration; the services validate against these.
Each enum's ``label`` is the plain-English text shown to staff.
"""

from __future__ import annotations

from enum import StrEnum


class Labelled(StrEnum):
    @property
    def label(self) -> str:
        return _LABELS.get(self, self.value.replace("_", " ").capitalize())

    @classmethod
    def values(cls) -> list[str]:
        return [m.value for m in cls]

    @classmethod
    def parse(cls, value: str) -> Labelled:
        """Accept the stored value or the label, case-insensitively."""
        key = str(value).strip().lower().replace("-", "_").replace(" ", "_")
        for m in cls:
            if key in (m.value, m.label.lower().replace("-", "_").replace(" ", "_")):
                return m
        raise ValueError(f"{value!r} is not one of: {', '.join(m.label for m in cls)}")


class Role(Labelled):
    ADMIN = "admin"
    COORDINATOR = "coordinator"
    DBS_OFFICER = "dbs_officer"
    VIEWER = "viewer"


class Channel(Labelled):
    OPCC_WEBSITE = "opcc_website"
    PEOPLE_ZONES = "people_zones"
    SOCIAL_MEDIA = "social_media"
    NEIGHBOURHOOD_LINK = "neighbourhood_link"
    WORD_OF_MOUTH = "word_of_mouth"
    PARTNER_ORGANISATION = "partner_organisation"
    OTHER = "other"


class SelectionMethod(Labelled):
    INTERVIEW = "interview"
    VIDEO = "video"


class Stage(Labelled):
    RECEIVED = "received"
    ELIGIBILITY_CHECKED = "eligibility_checked"
    SHORTLISTED = "shortlisted"
    ASSESSED = "assessed"
    OFFERED = "offered"
    RESERVE = "reserve"
    UNSUCCESSFUL = "unsuccessful"
    ACCEPTED = "accepted"
    DBS_CLEARED = "dbs_cleared"
    MEMBER = "member"
    WITHDRAWN = "withdrawn"


class WindowStatus(Labelled):
    """Derived from the dates and the panel's decisions; never stored."""

    UPCOMING = "upcoming"
    OPEN = "open"
    CLOSED = "closed"
    SELECTION_COMPLETE = "selection_complete"


class Basis(Labelled):
    VICTIM = "victim"
    WORKS_WITH_VICTIMS = "works_with_victims"
    SECTOR_REPRESENTATIVE = "sector_representative"


class ExperienceArea(Labelled):
    SEXUAL_VIOLENCE = "sexual_violence"
    DOMESTIC_ABUSE = "domestic_abuse"
    HATE_CRIME = "hate_crime"
    HONOUR_BASED_ABUSE = "honour_based_abuse"
    ROAD_TRAFFIC_COLLISION = "road_traffic_collision"
    FRAUD = "fraud"
    STALKING_HARASSMENT = "stalking_harassment"
    CHILD_ABUSE = "child_abuse"
    VIOLENT_CRIME = "violent_crime"
    BURGLARY_THEFT = "burglary_theft"
    ANTISOCIAL_BEHAVIOUR = "antisocial_behaviour"
    OTHER = "other"


class Area(Labelled):
    CITY = "city"
    COUNTY = "county"
    RUTLAND = "rutland"
    # LE2-LE5 straddle the City/County boundary: the district alone cannot say.
    CITY_OR_COUNTY = "city_or_county"
    OUTSIDE = "outside"
    UNKNOWN = "unknown"


class Residence(Labelled):
    """What the postcodes say about living or working in LLR, before a person decides.

    Never "outside": a district that is not known to be in LLR needs a person
    to confirm it (the reference data is not authoritative for every postcode).
    """

    IN_LLR = "in_llr"
    NEEDS_CONFIRMATION = "needs_confirmation"
    NOT_GIVEN = "not_given"


class EligibilityDecision(Labelled):
    ELIGIBLE = "eligible"
    NOT_ELIGIBLE = "not_eligible"


class DecisionReason(Labelled):
    STRONG_LIVED_EXPERIENCE = "strong_lived_experience"
    BALANCE_OF_GROUP = "balance_of_group"
    SCORED_BELOW_THRESHOLD = "scored_below_threshold"
    OUTSIDE_AREA = "outside_area"
    NOT_VICTIM_PERSPECTIVE = "not_victim_perspective"
    PLACES_FILLED = "places_filled"
    DID_NOT_ATTEND = "did_not_attend"
    OTHER = "other"


class ContactMethod(Labelled):
    EMAIL = "email"
    PHONE = "phone"
    TEXT = "text"
    POST = "post"
    VIA_SUPPORT_PERSON = "via_support_person"


class TermOverride(Labelled):
    PAUSED = "paused"
    STEPPED_DOWN = "stepped_down"
    REMOVED = "removed"


class TermStatus(Labelled):
    UPCOMING = "upcoming"
    ACTIVE = "active"
    ENDING_SOON = "ending_soon"
    ENDED = "ended"
    PAUSED = "paused"
    STEPPED_DOWN = "stepped_down"
    REMOVED = "removed"


class DbsLevel(Labelled):
    BASIC = "basic"
    STANDARD = "standard"
    ENHANCED = "enhanced"
    ENHANCED_BARRED = "enhanced_barred"


class DbsWorkforce(Labelled):
    ADULT = "adult"
    CHILD = "child"
    ADULT_AND_CHILD = "adult_and_child"
    OTHER = "other"


class DbsDecision(Labelled):
    CLEAR = "clear"
    CLEAR_WITH_DISCLOSURE = "clear_with_disclosure"
    NOT_ACCEPTED = "not_accepted"


class DbsStatus(Labelled):
    """A member's DBS position, derived from their latest check."""

    CLEARED = "cleared"
    RECHECK_DUE = "recheck_due"
    RENEWAL_IN_PROGRESS = "renewal_in_progress"
    AWAITING_DECISION = "awaiting_decision"
    REQUESTED = "requested"
    NOT_ACCEPTED = "not_accepted"
    NONE = "none"


class UpdateServiceResult(Labelled):
    NO_NEW_INFORMATION = "no_new_information"
    NEW_INFORMATION = "new_information"
    NO_MATCH = "no_match"


class ExpenseKind(Labelled):
    DBS_FEE = "dbs_fee"
    MILEAGE = "mileage"
    PUBLIC_TRANSPORT = "public_transport"
    PARKING = "parking"
    CHILDCARE_CARER = "childcare_carer"
    SUBSISTENCE = "subsistence"
    OTHER = "other"
    INVOLVEMENT_PAYMENT = "involvement_payment"


class ExpenseStatus(Labelled):
    SUBMITTED = "submitted"
    APPROVED = "approved"
    PAID = "paid"
    REJECTED = "rejected"


class OrganisationKind(Labelled):
    VOLUNTARY = "voluntary"
    STATUTORY = "statutory"
    COMMISSIONED_PROVIDER = "commissioned_provider"
    FORCE = "force"
    OTHER = "other"


class MeetingType(Labelled):
    FORUM = "forum"
    ROUNDTABLE = "roundtable"
    MEETING = "meeting"
    CONSULTATION = "consultation"
    FOCUS_GROUP = "focus_group"
    EVENT = "event"


class MeetingStatus(Labelled):
    PLANNED = "planned"
    CONFIRMED = "confirmed"
    HELD = "held"
    CANCELLED = "cancelled"


class InvitationResponse(Labelled):
    PENDING = "pending"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    TENTATIVE = "tentative"


class Attendance(Labelled):
    ATTENDED = "attended"
    APOLOGIES = "apologies"
    DID_NOT_ATTEND = "did_not_attend"
    LEFT_EARLY = "left_early"


class ParticipationMode(Labelled):
    IN_PERSON = "in_person"
    ONLINE = "online"
    WRITTEN_SUBMISSION = "written_submission"


class ActionStatus(Labelled):
    OPEN = "open"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    DROPPED = "dropped"


class ServiceKind(Labelled):
    ISVA = "isva"
    CHISVA = "chisva"
    SARC = "sarc"
    CRISIS_WORKER = "crisis_worker"
    COUNSELLING = "counselling"
    IDVA = "idva"
    VICTIM_HUB = "victim_hub"
    RESTORATIVE_JUSTICE = "restorative_justice"
    OTHER = "other"


class ServiceStatus(Labelled):
    PLANNED = "planned"
    ACTIVE = "active"
    PILOT = "pilot"
    ENDED = "ended"


class CycleStage(Labelled):
    ANALYSE = "analyse"
    PLAN = "plan"
    DO = "do"
    REVIEW = "review"


class CycleActivityKind(Labelled):
    CONSULT_INCUMBENT = "consult_incumbent"
    CONSULT_SERVICE_USERS = "consult_service_users"
    CONSULT_STAKEHOLDERS = "consult_stakeholders"
    EQUALITY_IMPACT_ASSESSMENT = "equality_impact_assessment"
    PROCUREMENT = "procurement"
    GRANT = "grant"
    MONITORING = "monitoring"
    DUE_DILIGENCE = "due_diligence"


class FeedbackSource(Labelled):
    MEETING = "meeting"
    MEMBER = "member"
    WRITTEN_SUBMISSION = "written_submission"
    STAKEHOLDER = "stakeholder"
    ANONYMOUS = "anonymous"


class FeedbackStatus(Labelled):
    NEW = "new"
    UNDER_CONSIDERATION = "under_consideration"
    RESPONSE_AGREED = "response_agreed"
    ACTIONED = "actioned"
    NOT_ACTIONED = "not_actioned"
    REPORTED_BACK = "reported_back"


class Priority(Labelled):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


class ImportStatus(Labelled):
    COMMITTED = "committed"
    DRY_RUN = "dry_run"
    REFUSED = "refused"


_LABELS: dict[StrEnum, str] = {
    Role.DBS_OFFICER: "DBS officer",
    Channel.OPCC_WEBSITE: "OPCC website",
    Channel.PEOPLE_ZONES: "People Zones website",
    Channel.NEIGHBOURHOOD_LINK: "Neighbourhood Link",
    SelectionMethod.VIDEO: "Video submission",
    Stage.ASSESSED: "Interview or video assessed",
    Stage.DBS_CLEARED: "DBS cleared",
    Basis.VICTIM: "Victim of crime",
    Basis.WORKS_WITH_VICTIMS: "Works closely with victims",
    Basis.SECTOR_REPRESENTATIVE: "Voluntary/statutory sector representative",
    ExperienceArea.HONOUR_BASED_ABUSE: "Honour-based abuse",
    ExperienceArea.STALKING_HARASSMENT: "Stalking or harassment",
    ExperienceArea.BURGLARY_THEFT: "Burglary or theft",
    ExperienceArea.ANTISOCIAL_BEHAVIOUR: "Anti-social behaviour",
    Area.CITY: "Leicester City",
    Area.COUNTY: "Leicestershire",
    Area.RUTLAND: "Rutland",
    Area.CITY_OR_COUNTY: "City or County (boundary)",
    Area.OUTSIDE: "Outside LLR",
    Area.UNKNOWN: "Not known",
    Residence.IN_LLR: "In LLR",
    Residence.NEEDS_CONFIRMATION: "Needs confirmation",
    Residence.NOT_GIVEN: "No postcode given",
    ContactMethod.TEXT: "Text message",
    ContactMethod.VIA_SUPPORT_PERSON: "Via support person",
    DbsLevel.ENHANCED_BARRED: "Enhanced with barred lists",
    DbsWorkforce.ADULT_AND_CHILD: "Adult and child",
    DbsDecision.CLEAR_WITH_DISCLOSURE: "Clear with disclosure accepted",
    ExpenseKind.DBS_FEE: "DBS certificate fee",
    ExpenseKind.CHILDCARE_CARER: "Childcare or carer costs",
    ExpenseKind.INVOLVEMENT_PAYMENT: "Involvement payment",
    DbsStatus.CLEARED: "Cleared",
    DbsStatus.RECHECK_DUE: "Recheck due",
    DbsStatus.AWAITING_DECISION: "Certificate seen, decision due",
    DbsStatus.REQUESTED: "Requested, not received",
    DbsStatus.NONE: "No DBS check",
    ServiceKind.ISVA: "ISVA",
    ServiceKind.CHISVA: "Children's ISVA",
    ServiceKind.SARC: "SARC",
    ServiceKind.CRISIS_WORKER: "Crisis worker pilot",
    ServiceKind.IDVA: "IDVA",
    CycleActivityKind.CONSULT_INCUMBENT: "Consultation with the incumbent provider",
    CycleActivityKind.CONSULT_SERVICE_USERS: "Consultation with previous service users",
    CycleActivityKind.CONSULT_STAKEHOLDERS: "Consultation with stakeholders",
    CycleActivityKind.EQUALITY_IMPACT_ASSESSMENT: "Equality impact assessment",
    OrganisationKind.COMMISSIONED_PROVIDER: "Commissioned provider",
    OrganisationKind.FORCE: "The force",
}
