"""The page furniture (marking, handling line, footer) is cut to fit the page: the same answer as trimming
one character at a time, for any text, and never wider than the room."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from reportlab.pdfbase import pdfmetrics

from lived_experience.exporting import pdf

pdf.register_fonts()


def _trim_one_by_one(value: str, font: str, size: float, width: float) -> str:
    if pdfmetrics.stringWidth(value, font, size) <= width:
        return value
    while value and pdfmetrics.stringWidth(value + "…", font, size) > width:
        value = value[:-1]
    return value.rstrip() + "…"


@settings(max_examples=300, deadline=None)
@given(st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=120),
       st.floats(min_value=0, max_value=600), st.sampled_from([7, 9, 12.5]))
def test_fit_cuts_exactly_where_trimming_would(value, width, size):
    fitted = pdf._fit(value, pdf.FONT, size, width)
    assert fitted == _trim_one_by_one(value, pdf.FONT, size, width)
    if fitted != "…":
        assert pdfmetrics.stringWidth(fitted, pdf.FONT, size) <= width or fitted == value


def test_a_long_handling_line_is_wrapped_into_the_lines_allowed_and_the_last_cut():
    text = "Handle with care: share only with the named recipients and do not forward. " * 6
    lines = pdf._lines(text, pdf.FONT, 9, 400, 2)
    assert len(lines) == 2
    assert lines[-1].endswith("…")
    assert all(pdfmetrics.stringWidth(line, pdf.FONT, 9) <= 400 for line in lines)
