"""Retention as code: a rule for every table and every column.

``TABLES`` says how long each table's rows are kept and what ends them;
``COLUMNS`` says, for every column, what happens to its value. The jobs in
``retention/people_jobs.py`` and erasure (``retention/erasure.py``) do what these
rules say: anonymising a person walks ``PERSON_TABLES`` and applies the
column rules, so changing a rule here changes what the code does.
``tests/security/test_retention_rules.py`` walks the SQLAlchemy metadata and
fails when a table or a column has no rule, or when a personal column
(``column.info["personal"]``) would simply be kept.

Column rules:

- ``keep``: kept as long as the row (not personal, or needed for the record).
- ``system``: the row's own bookkeeping (id, version, who and when).
- ``replace``: a required personal value, replaced by a neutral one when the
  person is anonymised (their name becomes "Anonymised person 42").
- ``clear``: emptied when the person is anonymised (free text that may name
  or describe them, references that identify them).
- ``contact``: contact details: emptied N months after a member's last term
  (``former_member_contact_months``), and when the person is anonymised.
- ``detach``: the link to the person is removed when they are anonymised, and
  the row is kept only as a count (equality answers, anonymous feedback).
- ``delete``: the whole row is deleted when the person is anonymised.
- ``dbs``: DBS disclosure detail: removed after ``dbs_disclosure_retention_days``
  (the members' DBS job), and when the person is anonymised.
- ``manual``: personal data about someone who is not a member or applicant
  (stakeholder contacts): staff keep it current and delete it when they move on.
"""

from __future__ import annotations

from dataclasses import dataclass

KEEP = "keep"
SYSTEM = "system"
REPLACE = "replace"
CLEAR = "clear"
CONTACT = "contact"
DETACH = "detach"
DELETE = "delete"
DBS = "dbs"
MANUAL = "manual"
RULES = (KEEP, SYSTEM, REPLACE, CLEAR, CONTACT, DETACH, DELETE, DBS, MANUAL)
# A personal column must go at some point: it cannot be "keep" or "system".
PERSONAL_RULES = (REPLACE, CLEAR, CONTACT, DETACH, DELETE, DBS, MANUAL)

SYSTEM_COLUMNS = frozenset({"id", "version", "created_at", "updated_at", "created_by_id", "updated_by_id"})


@dataclass(frozen=True)
class TableRule:
    kept: str  # how long rows are kept, in plain English
    person_link: str | None = None  # how rows reach a person: "person_id", "application", "dbs_check"...


_FOLLOWS = "as long as the person's record; anonymised with them"

TABLES: dict[str, TableRule] = {
    # People and what is held about them.
    "person": TableRule("unsuccessful applicants are anonymised `unsuccessful_retention_months` after their "
                        "window's decision; former members' contact details are removed "
                        "`former_member_contact_months` after their last term; anyone is anonymised on "
                        "request (erasure). The anonymised row stays so that counts and history add up.",
                        "self"),
    "application": TableRule(_FOLLOWS, "person_id"),
    "application_experience": TableRule(_FOLLOWS, "application"),
    "stage_change": TableRule(_FOLLOWS + " (the moves stay as dated history, without reasons)", "application"),
    "assessment": TableRule(_FOLLOWS + " (scores stay for the window's statistics)", "application"),
    "assessment_score": TableRule(_FOLLOWS + " (numbers only)", "assessment"),
    "equality_monitoring": TableRule("detached from the person when they are anonymised, then kept only as "
                                     "counts for the representativeness reports", "application"),
    "quiet_period": TableRule("deleted when the person is anonymised", "person_id"),
    "membership_term": TableRule(_FOLLOWS + " (the dates stay, for the history of the group)", "person_id"),
    "dbs_check": TableRule("the fact and outcome kept with the member; disclosure detail removed after "
                           "`dbs_disclosure_retention_days` (at most six months)", "person_id"),
    "dbs_update_check": TableRule(_FOLLOWS + " (dates and results only)", "dbs_check"),
    "expense_claim": TableRule("kept for the accounts (six years after the end of the financial year), "
                               "de-identified when the person is anonymised: amounts, dates and kinds stay, "
                               "descriptions go", "person_id"),
    "invitation": TableRule(_FOLLOWS + " (attendance stays for the meeting's counts, notes go)", "person_id"),
    "feedback_item": TableRule("kept: what was said informs commissioning. When the person who said it is "
                               "anonymised the item becomes anonymous and its quote is removed", "person_id"),
    "organisation_contact": TableRule("kept while the contact is current; staff delete contacts who move on"),
    # Staff, audit and the system.
    "staff_user": TableRule("kept while the account exists; accounts are deactivated, not deleted, so the "
                            "audit log can always say who did what"),
    "audit_event": TableRule("kept for `audit_retention_years`, then deleted by the audit retention job, which "
                             "writes a checkpoint event so the hash chain still verifies"),
    "app_setting": TableRule("kept: office settings"),
    "import_batch": TableRule("kept: the history of imports (file names and counts, no content)"),
    "import_profile": TableRule("kept: saved column mappings (no personal data)"),
    # Reference data and the office's own records (no personal data about victims).
    "victims_code_right": TableRule("kept: reference data"),
    "theme": TableRule("kept: reference data"),
    "assessment_criterion": TableRule("kept: reference data"),
    "organisation": TableRule("kept: the office's stakeholders"),
    "programme": TableRule("kept: the office's own records"),
    "recruitment_window": TableRule("kept: the office's own records"),
    "window_channel": TableRule("kept: the office's own records"),
    "venue": TableRule("kept: the office's own records"),
    "meeting": TableRule("kept: the office's own records"),
    "agenda_item": TableRule("kept: the office's own records"),
    "agenda_paper": TableRule("kept: the office's own records"),
    "meeting_action": TableRule("kept: the office's own records"),
    "meeting_decision": TableRule("kept: the office's own records"),
    "feedback_theme": TableRule("kept with the feedback item"),
    "feedback_service": TableRule("kept with the feedback item"),
    "feedback_right": TableRule("kept with the feedback item"),
    "commissioned_service": TableRule("kept: the office's own records"),
    "due_diligence_visit": TableRule("kept: the office's own records"),
    "commissioning_cycle": TableRule("kept: the office's own records"),
    "cycle_stage": TableRule("kept: the office's own records"),
    "cycle_activity": TableRule("kept: the office's own records"),
    "commissioning_decision": TableRule("kept: the office's own records"),
    "decision_feedback": TableRule("kept: the office's own records"),
}


def _keep(*names: str) -> dict[str, str]:
    return dict.fromkeys(names, KEEP)


COLUMNS: dict[str, dict[str, str]] = {
    "person": {
        "first_name": REPLACE, "last_name": REPLACE,
        "preferred_name": CLEAR, "pronouns": CLEAR, "date_of_birth": CLEAR,
        "email": CONTACT, "phone": CONTACT, "phone_alt": CONTACT, "address_line1": CONTACT,
        "address_line2": CONTACT, "town": CONTACT, "postcode": CONTACT, "work_postcode": CONTACT,
        "email_key": CONTACT, "phone_key": CONTACT, "name_key": CLEAR,
        "times_to_avoid": CLEAR, "contact_notes": CLEAR, "interpreter_language": CLEAR,
        "accessibility_needs": CLEAR, "support_person": CLEAR, "notes": CLEAR,
        **_keep("preferred_contact", "safe_to_phone", "safe_voicemail", "safe_text", "safe_post", "safe_email",
                "needs_bsl", "anonymised_at"),
    },
    "application": {
        "statement": CLEAR, "availability": CLEAR, "video_reference": CLEAR, "eligibility_reason": CLEAR,
        "external_ref": CLEAR, "answers_hash": CLEAR, "how_heard_other": CLEAR, "organisation_name": CLEAR,
        "eligibility_notes": CLEAR, "decision_notes": CLEAR, "withdrawn_reason": CLEAR,
        **_keep("person_id", "window_id", "stage", "stage_changed_at", "received_at", "source", "import_batch_id",
                "how_heard", "basis", "selection_method", "home_area", "work_area", "residence",
                "eligibility_decision", "eligibility_decided_by_id", "eligibility_decided_at", "decision_reason",
                "invited_to_reapply", "anonymised_at"),
    },
    "application_experience": {"other_text": CLEAR, **_keep("application_id", "area")},
    "stage_change": {"reason": CLEAR, **_keep("application_id", "from_stage", "to_stage", "changed_at",
                                              "changed_by_id")},
    "assessment": {"video_reference": CLEAR, "panel_notes": CLEAR,
                   **_keep("application_id", "assessor_id", "assessor_name", "method", "assessed_on",
                           "recommendation")},
    "assessment_score": _keep("assessment_id", "criterion_id", "score"),
    "equality_monitoring": {
        "application_id": DETACH, "ethnic_group_detail": CLEAR,
        **_keep("window_id", "age_band", "sex", "gender_same_as_birth", "ethnic_group", "disability",
                "sexual_orientation", "religion", "area", "how_heard", "was_member", "detached_at"),
    },
    "quiet_period": {"reason": DELETE, **_keep("person_id", "starts_on", "ends_on")},
    "membership_term": {
        "notes": CLEAR, "override_reason": CLEAR,
        **_keep("person_id", "application_id", "starts_on", "ends_on", "override", "override_from",
                "override_set_by_id", "override_set_at", "invited_to_reapply_at", "refresh_window_id"),
    },
    "dbs_check": {
        "application_reference": CLEAR, "certificate_number": CLEAR, "disclosure_detail": DBS, "notes": CLEAR,
        **_keep("person_id", "requested_on", "issue_date", "level", "workforce", "update_service",
                "checked_by_id", "checked_on", "decision", "decision_on", "disclosure_summary",
                "disclosure_purged_at", "renewal_in_progress"),
    },
    "dbs_update_check": _keep("dbs_check_id", "checked_on", "consent_recorded", "result", "checked_by_id"),
    "expense_claim": {
        "description": CLEAR, "rejected_reason": CLEAR,
        **_keep("person_id", "kind", "incurred_on", "miles_tenths", "passengers", "amount_pence", "status",
                "submitted_on", "approved_by_id", "approved_on", "paid_on", "meeting_id", "dbs_check_id"),
    },
    "invitation": {"notes": CLEAR, **_keep("meeting_id", "person_id", "contact_id", "invited_at", "response",
                                          "attendance", "participation_mode")},
    "feedback_item": {
        "person_id": DETACH, "quote": CLEAR,
        **_keep("summary", "source_kind", "meeting_id", "agenda_item_id", "contact_id", "anonymous",
                "received_on", "cycle_id", "cycle_stage", "priority", "status", "status_changed_at", "response",
                "response_owner_id", "response_owner_name", "response_due_on", "not_actioned_reason",
                "reported_back_on", "reported_back_how"),
    },
    "organisation_contact": {"name": MANUAL, "email": MANUAL, "phone": MANUAL,
                             **_keep("organisation_id", "job_title", "notes", "is_active")},
    "staff_user": _keep("username", "username_key", "display_name", "email", "role", "password_hash", "is_active",
                        "must_change_password", "failed_logins", "last_failed_login_at", "last_login_at",
                        "password_changed_at"),
    "audit_event": _keep("occurred_at", "actor_id", "actor_name", "action", "entity", "entity_id",
                         "subject_person_id", "fields", "outcome", "detail", "prev_hash", "hash"),
    "app_setting": _keep("key", "value"),
    "import_batch": _keep("file_name", "sha256", "window_id", "imported_by_id", "imported_at", "status", "rows",
                          "imported", "updated", "unchanged", "duplicates", "needs_review", "rejected",
                          "profile_name"),
    "import_profile": _keep("name", "mapping"),
    "victims_code_right": _keep("number", "title"),
    "theme": _keep("name", "description", "is_active"),
    "assessment_criterion": _keep("name", "description", "applies_to_interview", "applies_to_video", "position",
                                  "is_active"),
    "organisation": _keep("name", "kind", "address", "website", "notes", "is_active"),
    "programme": _keep("name", "description", "starts_on", "ends_on"),
    "recruitment_window": _keep("name", "opens_on", "closes_on", "places", "selection_interview",
                                "selection_video", "advert_text", "term_starts_on", "selection_completed_on",
                                "closed_early_on", "previous_window_id", "notes"),
    "window_channel": _keep("window_id", "channel", "other_text"),
    "venue": _keep("name", "address", "postcode", "step_free", "hearing_loop", "quiet_room", "parking",
                   "transport_notes", "notes"),
    "meeting": _keep("programme_id", "title", "meeting_type", "starts_at", "duration_minutes", "status",
                     "cancelled_reason", "organiser_id", "venue_id", "online_link", "accessibility_arrangements",
                     "description", "protective_marking", "calendar_uid", "calendar_sequence", "pack_sent_at",
                     "notes"),
    "agenda_item": _keep("meeting_id", "position", "title", "presenter", "minutes", "content_note", "service_id",
                         "cycle_id", "notes"),
    "agenda_paper": _keep("agenda_item_id", "position", "title", "file_name", "sha256", "size_bytes",
                          "page_count", "content"),
    "meeting_action": _keep("meeting_id", "agenda_item_id", "description", "owner_name", "owner_id", "due_on",
                            "status", "completed_on", "notes"),
    "meeting_decision": _keep("meeting_id", "agenda_item_id", "text"),
    "feedback_theme": _keep("feedback_id", "theme_id"),
    "feedback_service": _keep("feedback_id", "service_id"),
    "feedback_right": _keep("feedback_id", "right_number"),
    "commissioned_service": _keep("name", "kind", "provider_id", "provider_name", "contract_start", "contract_end",
                                  "annual_value_pence", "status", "description"),
    "due_diligence_visit": _keep("service_id", "visited_on", "visited_by", "area_and_work", "what_was_seen",
                                 "outcome"),
    "commissioning_cycle": _keep("service_id", "name", "starts_on", "notes"),
    "cycle_stage": _keep("cycle_id", "stage", "position", "planned_start", "planned_end", "actual_start",
                         "actual_end", "notes"),
    "cycle_activity": _keep("stage_id", "kind", "done_on", "reference", "notes"),
    "commissioning_decision": _keep("cycle_id", "stage", "decided_on", "decided_by", "summary", "detail"),
    "decision_feedback": _keep("decision_id", "feedback_id"),
}


def column_rule(table: str, column: str) -> str | None:
    if column in SYSTEM_COLUMNS and column not in COLUMNS.get(table, {}):
        return SYSTEM
    return COLUMNS.get(table, {}).get(column)


def columns_with(table: str, *rules: str) -> list[str]:
    """The columns of ``table`` whose rule is one of ``rules``."""
    return [c for c, r in COLUMNS.get(table, {}).items() if r in rules]


def missing_rules(metadata) -> list[str]:
    """Every table or column in ``metadata`` without a rule, and every personal column kept forever."""
    problems = []
    for table in metadata.sorted_tables:
        if table.name not in TABLES:
            problems.append(f"table {table.name} has no retention rule")
        for col in table.columns:
            rule = column_rule(table.name, col.name)
            if rule is None:
                problems.append(f"column {table.name}.{col.name} has no retention rule")
            elif rule not in RULES:
                problems.append(f"column {table.name}.{col.name} has an unknown rule '{rule}'")
            elif col.info.get("personal") and rule not in PERSONAL_RULES:
                problems.append(f"column {table.name}.{col.name} is personal but its rule is '{rule}'")
    known = {t.name for t in metadata.sorted_tables}
    for name in TABLES:
        if name not in known:
            problems.append(f"rule for table {name}, which does not exist")
    for name, cols in COLUMNS.items():
        if name in known:
            existing = {c.name for c in metadata.tables[name].columns}
            problems.extend(f"rule for column {name}.{c}, which does not exist" for c in cols if c not in existing)
    return problems
