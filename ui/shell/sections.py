"""The sections of the app, as data. The shell builds its navigation from this
list; each page module is imported the first time its section is opened."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    factory: str  # "module:Class"; the class takes (state, parent)
    description: str


SECTIONS: list[Section] = [
    Section("dashboard", "Dashboard", "ui.dashboard.page:DashboardPage", "What needs doing today"),
    Section("recruitment", "Recruitment", "ui.recruitment.windows_page:WindowsPage",
            "Recruitment windows: advertising, places and selection"),
    Section("applicants", "Applicants", "ui.recruitment.applicants_page:ApplicantsPage",
            "Everyone who has applied, and where they are in the pipeline"),
    Section("members", "Members", "ui.members.page:MembersPage", "Members, their terms and access needs"),
    Section("dbs", "DBS", "ui.members.dbs_page:DbsPage", "The DBS register (DBS officers and administrators)"),
    Section("meetings", "Meetings", "ui.meetings.page:MeetingsPage",
            "Forums, roundtables, meetings, consultations and events"),
    Section("feedback", "Feedback", "ui.feedback.page:FeedbackPage", "What members said, and what was done"),
    Section("commissioning", "Commissioning", "ui.commissioning.page:CommissioningPage",
            "Commissioned services and their commissioning cycles"),
    Section("reports", "Reports", "ui.reports.page:ReportsPage", "Recruitment, representativeness and Panel reports"),
    Section("admin", "Admin", "ui.admin.page:AdminPage", "Accounts, audit log, imports, backups and settings"),
]


def load_factory(section: Section):
    import importlib

    module_name, _, cls = section.factory.partition(":")
    return getattr(importlib.import_module(module_name), cls)
