"""Bar charts for the PDF reports, drawn with reportlab.graphics.

Values that are not shown (small numbers) are left out of the chart rather
than drawn as zero; the table beside the chart says why.
"""

from __future__ import annotations

from collections.abc import Sequence

from reportlab.graphics.charts.barcharts import HorizontalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors

from lived_experience.exporting.pdf import FONT, register_fonts

# Dark, distinct and printable in grey: the legend and table carry the words.
SERIES_COLOURS = ("#1F3864", "#B35900", "#6C7A89", "#2E7D32")


def bar_chart(categories: Sequence[str], series: Sequence[tuple[str, Sequence[float | None]]], *,
              width: float = 460, title: str = "", unit: str = "%") -> Drawing:
    """A horizontal bar chart: one group of bars per category, one bar per series."""
    register_fonts()
    n = max(1, len(categories))
    per_group = 9 + 7 * max(1, len(series))
    plot_h = n * per_group
    legend_h = 14 * len(series) + 6
    title_h = 16 if title else 0
    height = plot_h + legend_h + title_h + 30
    d = Drawing(width, height)
    label_w = min(170, max(60, 5.2 * max((len(c) for c in categories), default=10)))
    chart = HorizontalBarChart()
    chart.x = label_w + 6
    chart.y = legend_h + 18
    chart.width = width - label_w - 30
    chart.height = plot_h
    # Bars are drawn bottom-up within a group while categories run top-down: feed the series in
    # reverse so each group reads in the legend's order.
    order = list(reversed(range(len(series))))
    chart.data = [tuple(series[i][1]) for i in order] or [(0,) * n]
    chart.categoryAxis.categoryNames = list(categories)
    chart.categoryAxis.reverseDirection = True  # first category at the top
    chart.categoryAxis.labels.fontName = FONT
    chart.categoryAxis.labels.fontSize = 7
    chart.categoryAxis.labels.boxAnchor = "e"
    chart.valueAxis.labels.fontName = FONT
    chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.valueMin = 0
    top = max([v for _n, values in series for v in values if v is not None] or [1])
    chart.valueAxis.valueMax = max(10, min(100, (int(top) // 10 + 1) * 10)) if unit == "%" else max(1, top * 1.1)
    chart.valueAxis.labelTextFormat = "%d" + ("%%" if unit == "%" else "")
    chart.barSpacing = 1
    chart.groupSpacing = 6
    chart.barLabelFormat = "%.0f" + ("%%" if unit == "%" else "")
    chart.barLabels.fontName = FONT
    chart.barLabels.fontSize = 6
    chart.barLabels.boxAnchor = "w"
    chart.barLabels.dx = 2
    for pos, i in enumerate(order):
        chart.bars[pos].fillColor = colors.HexColor(SERIES_COLOURS[i % len(SERIES_COLOURS)])
        chart.bars[pos].strokeColor = None
    d.add(chart)
    legend = Legend()
    legend.x = chart.x
    legend.y = legend_h
    legend.fontName = FONT
    legend.fontSize = 7
    legend.alignment = "right"
    legend.columnMaximum = len(series) or 1
    legend.colorNamePairs = [(colors.HexColor(SERIES_COLOURS[i % len(SERIES_COLOURS)]), name)
                             for i, (name, _v) in enumerate(series)]
    d.add(legend)
    if title:
        d.add(String(0, height - 12, title, fontName=FONT, fontSize=8))
    return d
