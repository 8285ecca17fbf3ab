"""Retention as code: every table and every column has a rule, and the rules are the ones the code applies."""

from __future__ import annotations

import db.models as m
from lived_experience.retention import rules
from lived_experience.retention.personal_data import person_tables


def test_every_table_and_column_has_a_retention_rule():
    problems = rules.missing_rules(m.Base.metadata)
    assert problems == [], "\n".join(problems)


def test_every_personal_column_goes_at_some_point():
    for table in m.Base.metadata.sorted_tables:
        for col in table.columns:
            if col.info.get("personal"):
                assert rules.column_rule(table.name, col.name) in rules.PERSONAL_RULES, f"{table.name}.{col.name}"


# Tables under a feedback item say which themes, services and rights it concerns and which decisions it
# informed: nothing about who said it. They stay with the (then anonymous) item.
NOT_ABOUT_THE_PERSON = {"feedback_theme", "feedback_service", "feedback_right", "decision_feedback"}


def test_the_walk_reaches_every_table_that_refers_to_a_person():
    """A table with a foreign key to person (directly, or through a table that has one) must be in the walk,
    or erasure and subject access would miss it."""
    walked = set(person_tables())
    reaches = {"person"}
    changed = True
    while changed:
        changed = False
        for table in m.Base.metadata.sorted_tables:
            if table.name in reaches or table.name in NOT_ABOUT_THE_PERSON:
                continue
            if any(fk.column.table.name in reaches for fk in table.foreign_keys):
                reaches.add(table.name)
                changed = True
    assert reaches - walked == set(), "tables that refer to a person but are not walked"
    assert walked <= reaches


def test_the_rules_are_only_known_kinds():
    for table, cols in rules.COLUMNS.items():
        for col, rule in cols.items():
            assert rule in rules.RULES, f"{table}.{col}: {rule}"
