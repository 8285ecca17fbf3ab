"""All mapped classes. Importing this package registers every table on ``Base.metadata``."""

from db.base import Base
from db.models.commissioning import (
    CommissionedService,
    CommissioningCycle,
    CommissioningDecision,
    CycleActivity,
    CycleStagePlan,
    DecisionFeedback,
    DueDiligenceVisit,
)
from db.models.feedback import (
    FeedbackItem,
    FeedbackRight,
    FeedbackService,
    FeedbackTheme,
    Theme,
    VictimsCodeRight,
)
from db.models.meetings import (
    AgendaItem,
    AgendaPaper,
    Invitation,
    Meeting,
    MeetingAction,
    MeetingDecision,
    Programme,
    Venue,
)
from db.models.organisations import Organisation, OrganisationContact
from db.models.people import (
    DbsCheck,
    DbsUpdateCheck,
    ExpenseClaim,
    MembershipTerm,
    Person,
    QuietPeriod,
)
from db.models.recruitment import (
    Application,
    ApplicationExperience,
    Assessment,
    AssessmentCriterion,
    AssessmentScore,
    EqualityMonitoring,
    RecruitmentWindow,
    StageChange,
    WindowChannel,
)
from db.models.staff import StaffUser
from db.models.system import AppSetting, AuditEvent, ImportBatch, ImportProfile

__all__ = [
    "AgendaItem",
    "AgendaPaper",
    "AppSetting",
    "Application",
    "ApplicationExperience",
    "Assessment",
    "AssessmentCriterion",
    "AssessmentScore",
    "AuditEvent",
    "Base",
    "CommissionedService",
    "CommissioningCycle",
    "CommissioningDecision",
    "CycleActivity",
    "CycleStagePlan",
    "DbsCheck",
    "DbsUpdateCheck",
    "DecisionFeedback",
    "DueDiligenceVisit",
    "EqualityMonitoring",
    "ExpenseClaim",
    "FeedbackItem",
    "FeedbackRight",
    "FeedbackService",
    "FeedbackTheme",
    "ImportBatch",
    "ImportProfile",
    "Invitation",
    "Meeting",
    "MeetingAction",
    "MeetingDecision",
    "MembershipTerm",
    "Organisation",
    "OrganisationContact",
    "Person",
    "Programme",
    "QuietPeriod",
    "RecruitmentWindow",
    "StaffUser",
    "StageChange",
    "Theme",
    "VictimsCodeRight",
    "Venue",
    "WindowChannel",
]
