"""Reference data, default lists and the append-only audit table.

Revision ID: 0002_reference_data
Revises: 0001_initial
Create Date: 2026-11-23
"""

import datetime as dt

import sqlalchemy as sa
from alembic import op

revision = "0002_reference_data"
down_revision = "0001_initial"
branch_labels = None
depends_on = None

# Frozen copy of resources/reference/victims_code_rights.csv (Code of Practice for
# Victims of Crime in England and Wales, in force since April 2021).
RIGHTS = [
    (1, "To be able to understand and to be understood"),
    (2, "To have the details of the crime recorded without unjustified delay"),
    (3, "To be provided with information when reporting the crime"),
    (4, "To be referred to services that support victims and have services and support tailored to your needs"),
    (5, "To be provided with information about compensation"),
    (6, "To be provided with information about the investigation and prosecution"),
    (7, "To make a Victim Personal Statement"),
    (8, "To be given information about the trial, trial process and your role as a witness"),
    (9, "To be given information about the outcome of the case and any appeals"),
    (10, "To be paid expenses and have property returned"),
    (11, "To be given information about the offender following a conviction"),
    (12, "To make a complaint about your Rights not being met"),
]

THEMES = [
    "Communication and updates",
    "Waiting times and delays",
    "Being believed and treated with respect",
    "Court and trial process",
    "Accessibility and reasonable adjustments",
    "Language and interpreters",
    "Cultural awareness",
    "Trust and confidence in policing",
    "Support after reporting",
    "Referral between services",
    "Children and young people",
    "Safety planning",
    "Information about the offender",
    "Compensation and expenses",
    "Digital and online access",
]

CRITERIA = [
    ("Insight from lived experience", "Can draw on their own or others' experience of being a victim of crime."),
    ("Speaks from the victim's point of view", "Represents the perspective of someone who has been a victim, not an organisation."),
    ("Listening and communication", "Listens to others and expresses views clearly and respectfully."),
    ("Critical friend", "Willing to challenge constructively and to be challenged."),
    ("Commitment", "Able to take part in meetings over an 18-month term."),
]

AUDIT_RETENTION_SQLITE = (
    "COALESCE((SELECT CAST(value AS INTEGER) FROM app_setting WHERE key = 'audit_retention_years'), 6)"
)


def upgrade() -> None:
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    rights = sa.table("victims_code_right", sa.column("number", sa.Integer), sa.column("title", sa.String))
    op.bulk_insert(rights, [{"number": n, "title": t} for n, t in RIGHTS])

    def tracked():
        return [
            sa.column("version", sa.Integer),
            sa.column("created_at", sa.DateTime),
            sa.column("updated_at", sa.DateTime),
        ]

    theme = sa.table("theme", sa.column("name", sa.String), sa.column("is_active", sa.Boolean), *tracked())
    op.bulk_insert(
        theme,
        [{"name": n, "is_active": True, "version": 1, "created_at": now, "updated_at": now} for n in THEMES],
    )
    criterion = sa.table(
        "assessment_criterion",
        sa.column("name", sa.String),
        sa.column("description", sa.Text),
        sa.column("applies_to_interview", sa.Boolean),
        sa.column("applies_to_video", sa.Boolean),
        sa.column("position", sa.Integer),
        sa.column("is_active", sa.Boolean),
        *tracked(),
    )
    op.bulk_insert(
        criterion,
        [
            {
                "name": n,
                "description": d,
                "applies_to_interview": True,
                "applies_to_video": True,
                "position": i,
                "is_active": True,
                "version": 1,
                "created_at": now,
                "updated_at": now,
            }
            for i, (n, d) in enumerate(CRITERIA)
        ],
    )

    # The audit log is append-only: no UPDATE ever, and DELETE only of events
    # older than the retention period (the purge). The hash chain catches anything
    # done around these guards.
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            "CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_event "
            "BEGIN SELECT RAISE(ABORT, 'audit events cannot be changed'); END"
        )
        op.execute(
            "CREATE TRIGGER audit_event_no_early_delete BEFORE DELETE ON audit_event "
            f"WHEN OLD.occurred_at > datetime('now', '-' || {AUDIT_RETENTION_SQLITE} || ' years') "
            "BEGIN SELECT RAISE(ABORT, 'audit events inside the retention period cannot be deleted'); END"
        )
    else:
        op.execute(
            """
            CREATE FUNCTION audit_event_guard() RETURNS trigger AS $$
            DECLARE keep_years integer;
            BEGIN
              IF TG_OP = 'UPDATE' THEN
                RAISE EXCEPTION 'audit events cannot be changed';
              END IF;
              SELECT CAST(value AS integer) INTO keep_years FROM app_setting
                WHERE key = 'audit_retention_years';
              IF OLD.occurred_at > (now() AT TIME ZONE 'UTC') - make_interval(years => COALESCE(keep_years, 6)) THEN
                RAISE EXCEPTION 'audit events inside the retention period cannot be deleted';
              END IF;
              RETURN OLD;
            END $$ LANGUAGE plpgsql
            """
        )
        op.execute(
            "CREATE TRIGGER audit_event_guard BEFORE UPDATE OR DELETE ON audit_event "
            "FOR EACH ROW EXECUTE FUNCTION audit_event_guard()"
        )
        op.execute("CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON audit_event "
                   "FOR EACH STATEMENT EXECUTE FUNCTION audit_event_guard()")
        op.execute("REVOKE UPDATE, DELETE, TRUNCATE ON audit_event FROM PUBLIC")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS audit_event_no_update")
        op.execute("DROP TRIGGER IF EXISTS audit_event_no_early_delete")
    else:
        op.execute("DROP TRIGGER IF EXISTS audit_event_no_truncate ON audit_event")
        op.execute("DROP TRIGGER IF EXISTS audit_event_guard ON audit_event")
        op.execute("DROP FUNCTION IF EXISTS audit_event_guard()")
    op.execute("DELETE FROM assessment_criterion")
    op.execute("DELETE FROM theme")
    op.execute("DELETE FROM victims_code_right")
