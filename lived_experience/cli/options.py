"""Option values every command reads the same way, with the same plain message when they are wrong."""

from __future__ import annotations


def date_option(text: str | None, option: str):
    """The date given to ``option`` (dd/mm/yyyy), or None when the option was left out."""
    from lived_experience.core.errors import UserError
    from lived_experience.core.formatting import parse_uk_date

    if text is None:
        return None
    try:
        return parse_uk_date(text)
    except ValueError:
        raise UserError(f"{option}: '{text}' is not a date in the form dd/mm/yyyy (for example 29/03/2026).") \
            from None
