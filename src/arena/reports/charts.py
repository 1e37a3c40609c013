"""Server-rendered SVG charts for the statistics page (统计报表): plain functions, no database.

Each function returns one inline `<svg role="img">` as Markup, named by its `<title>` and
`aria-label`, with every text escaped (labels come from users: field names). The CSP allows no
inline styles, so colours and sizes are SVG presentation attributes; static/css/reports.css only
makes the charts shrink with the page. Output is deterministic — no ids, no randomness, fixed
rounding — so the same data always gives the same bytes. The numbers are also in the table next
to each chart: the chart is for the eye, the table for screen readers and copying.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal

from markupsafe import Markup, escape

from arena.i18n import gettext as _

Number = int | Decimal

WIDTH = 640
MIN_LABEL_WIDTH, MAX_LABEL_WIDTH = 56, 160  # the label column fits the longest label; longer ones are cut
VALUE_WIDTH = 120  # room right of the longest bar for its printed value ("100% · 12/12")
FONT_SIZE = 13
ROW_HEIGHT, BAR_HEIGHT = 30, 17  # one bar per row (bar_chart)
SERIES_BAR, SERIES_GAP, GROUP_GAP = 14, 4, 14  # bars of one group, and between groups
TOP, AXIS_HEIGHT, LEGEND_HEIGHT = 8, 28, 24
INK, MUTED, GRID, AXIS = "#344054", "#475467", "#eaecf0", "#98a2b3"
PALETTE = ("#a61b1b", "#1f4e8c", "#c98a00", "#1b6e3a")  # house red, blue, amber, green
ELLIPSIS = "…"


# --- text ----------------------------------------------------------------------------------------

def text_width(text: str, size: int = FONT_SIZE) -> float:
    """Approximate rendered width: CJK and other wide characters take a full em, the rest ~0.6."""
    return sum(size if unicodedata.east_asian_width(ch) in ("W", "F") else size * 0.6 for ch in text)


def truncate(text: str, max_width: float, size: int = FONT_SIZE) -> str:
    """`text` if it fits in `max_width` pixels, else its longest prefix that fits with an ellipsis."""
    if text_width(text, size) <= max_width:
        return text
    room = max_width - text_width(ELLIPSIS, size)
    kept = ""
    for ch in text:
        if text_width(kept + ch, size) > room:
            break
        kept += ch
    return kept + ELLIPSIS


def format_value(value: Number) -> str:
    """A number as people write it: 12, 12.5 (no trailing zeros, no exponent)."""
    if isinstance(value, int):
        return str(value)
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _n(x: float) -> str:
    """A coordinate with one decimal at most, the same on every machine."""
    text = f"{x:.1f}"
    return text[:-2] if text.endswith(".0") else text


# --- scale -----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Scale:
    maximum: Decimal  # the axis ends here; never 0, so nothing divides by zero
    step: Decimal
    left: float = MAX_LABEL_WIDTH  # where the plot starts: right of the label column

    @property
    def width(self) -> float:
        return WIDTH - self.left - VALUE_WIDTH

    @property
    def ticks(self) -> list[Decimal]:
        count = int(self.maximum / self.step)
        return [self.step * i for i in range(count + 1)]

    def x(self, value: Number) -> float:
        """The x position of `value`, clamped to the plot (negative values draw no bar)."""
        share = min(max(Decimal(value), Decimal(0)) / self.maximum, Decimal(1))
        return self.left + float(share) * self.width


def label_column(labels: Sequence[str]) -> float:
    """The width of the label column: the longest label and a gap, within the limits."""
    widest = max((text_width(label) for label in labels), default=0.0)
    return min(float(MAX_LABEL_WIDTH), max(float(MIN_LABEL_WIDTH), round(widest) + 20.0))


def nice_scale(values: Sequence[Number], axis_max: Number | None = None, target_ticks: int = 5,
               left: float = MAX_LABEL_WIDTH) -> Scale:
    """An axis from 0 to a round number at or above the largest value, in steps of 1, 2 or 5 × 10ⁿ
    (whole steps when every value is an integer). All zero or no values: an axis from 0 to 1."""
    integers = all(isinstance(v, int) for v in values)
    top = Decimal(axis_max) if axis_max is not None else max((Decimal(v) for v in values), default=Decimal(0))
    if top <= 0:
        return Scale(Decimal(1), Decimal(1) if integers else Decimal("0.2"), left)
    raw = top / target_ticks
    magnitude = Decimal(1).scaleb(raw.adjusted())
    step = next(m * magnitude for m in (Decimal(1), Decimal(2), Decimal(5), Decimal(10)) if m * magnitude >= raw)
    if integers:
        step = max(step, Decimal(1))
    maximum = (top / step).to_integral_value(rounding=ROUND_CEILING) * step
    return Scale(maximum, step, left)


# --- the pieces of a chart -------------------------------------------------------------------------

def _svg(title: str, height: float, body: list[str]) -> Markup:
    name = escape(title)
    head = (f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {WIDTH} {_n(height)}" '
            f'width="{WIDTH}" height="{_n(height)}" role="img" aria-label="{name}" '
            f'font-size="{FONT_SIZE}" fill="{INK}">')
    # every text and attribute value above was escaped or is a number this module formatted
    return Markup("".join([head, f"<title>{name}</title>", *body, "</svg>"]))  # noqa: S704


def _empty(title: str) -> Markup:
    return _svg(title, 60, [f'<text x="{WIDTH // 2}" y="34" text-anchor="middle" fill="{MUTED}">'
                            f'{escape(_("暂无数据"))}</text>'])


def _axis(scale: Scale, top: float, bottom: float, unit: str) -> list[str]:
    """Vertical grid lines with their values under the plot, and the baseline."""
    parts = ['<g class="chart-axis">']
    for tick in scale.ticks:
        x = _n(scale.x(tick))
        parts.append(f'<line x1="{x}" y1="{_n(top)}" x2="{x}" y2="{_n(bottom)}" stroke="{GRID}"/>')
        parts.append(f'<text x="{x}" y="{_n(bottom + 18)}" text-anchor="middle" fill="{MUTED}">'
                     f'{escape(format_value(tick) + unit)}</text>')
    left = _n(scale.left)
    parts.append(f'<line x1="{left}" y1="{_n(top)}" x2="{left}" y2="{_n(bottom)}" stroke="{AXIS}"/>')
    parts.append("</g>")
    return parts


def _label(scale: Scale, text: str, y: float) -> str:
    shown = truncate(text, scale.left - 12)
    return f'<text x="{_n(scale.left - 8)}" y="{_n(y)}" text-anchor="end">{escape(shown)}</text>'


def _bar(scale: Scale, value: Number, shown: str, y: float, height: float, colour: str) -> list[str]:
    end = scale.x(value)
    parts = []
    if end > scale.left:
        parts.append(f'<rect x="{_n(scale.left)}" y="{_n(y)}" width="{_n(end - scale.left)}" height="{_n(height)}" '
                     f'rx="2" fill="{colour}"/>')
    parts.append(f'<text x="{_n(end + 6)}" y="{_n(y + height / 2 + FONT_SIZE * 0.36)}">{escape(shown)}</text>')
    return parts


def _shown(values: Sequence[Number], value_labels: Sequence[str] | None) -> list[str]:
    if value_labels is None:
        return [format_value(v) for v in values]
    if len(value_labels) != len(values):
        raise ValueError("one value label per value")
    return list(value_labels)


# --- the charts ------------------------------------------------------------------------------------

def bar_chart(title: str, labels: Sequence[str], values: Sequence[Number], *,
              value_labels: Sequence[str] | None = None, axis_max: Number | None = None, unit: str = "") -> Markup:
    """Horizontal bars, one per label, in the order given. `value_labels` replaces the printed
    numbers (e.g. "40% · 2/5"); `unit` is appended to the axis ticks; `axis_max` fixes the axis
    (100 for percentages) instead of fitting it to the largest value."""
    if len(labels) != len(values):
        raise ValueError("one value per label")
    if not labels:
        return _empty(title)
    scale = nice_scale(values, axis_max, left=label_column(labels))
    shown = _shown(values, value_labels)
    bottom = TOP + len(labels) * ROW_HEIGHT
    body = _axis(scale, TOP, bottom, unit)
    for index, (label, value) in enumerate(zip(labels, values, strict=True)):
        y = TOP + index * ROW_HEIGHT
        body.append(f"<g><title>{escape(label)}: {escape(shown[index])}</title>")
        body.append(_label(scale, label, y + ROW_HEIGHT / 2 + FONT_SIZE * 0.36))
        body.extend(_bar(scale, value, shown[index], y + (ROW_HEIGHT - BAR_HEIGHT) / 2, BAR_HEIGHT, PALETTE[0]))
        body.append("</g>")
    return _svg(title, bottom + AXIS_HEIGHT, body)


def grouped_bar_chart(title: str, groups: Sequence[str], series: Sequence[str], values: Sequence[Sequence[Number]],
                      *, value_labels: Sequence[Sequence[str]] | None = None, axis_max: Number | None = None,
                      unit: str = "") -> Markup:
    """Horizontal bars in groups: `values[g][s]` is series `s` of group `g`, one colour per series,
    with a legend above. Same options as `bar_chart`, with `value_labels` shaped like `values`."""
    if len(values) != len(groups) or any(len(row) != len(series) for row in values):
        raise ValueError("one row of values per group, one value per series")
    if value_labels is not None and len(value_labels) != len(values):
        raise ValueError("one row of value labels per group")
    if not groups or not series:
        return _empty(title)
    if len(series) > len(PALETTE):
        raise ValueError(f"at most {len(PALETTE)} series")
    scale = nice_scale([v for row in values for v in row], axis_max, left=label_column(groups))
    body = _legend(scale, series)
    block = len(series) * (SERIES_BAR + SERIES_GAP) - SERIES_GAP
    top = TOP + LEGEND_HEIGHT
    bottom = top + len(groups) * (block + GROUP_GAP)
    body.extend(_axis(scale, top, bottom, unit))
    for g, group in enumerate(groups):
        y = top + g * (block + GROUP_GAP) + GROUP_GAP / 2
        shown = _shown(values[g], value_labels[g] if value_labels is not None else None)
        body.append(f"<g><title>{escape(group)}</title>{_label(scale, group, y + block / 2 + FONT_SIZE * 0.36)}</g>")
        for s, name in enumerate(series):
            bar_y = y + s * (SERIES_BAR + SERIES_GAP)
            body.append(f"<g><title>{escape(group)} · {escape(name)}: {escape(shown[s])}</title>")
            body.extend(_bar(scale, values[g][s], shown[s], bar_y, SERIES_BAR, PALETTE[s]))
            body.append("</g>")
    return _svg(title, bottom + AXIS_HEIGHT, body)


def _legend(scale: Scale, series: Sequence[str]) -> list[str]:
    """Coloured squares with the series names, left to right from the plot's edge."""
    parts = ['<g class="chart-legend">']
    x = scale.left
    for index, name in enumerate(series):
        shown = truncate(name, 160)
        parts.append(f'<rect x="{_n(x)}" y="{TOP + 2}" width="10" height="10" rx="2" fill="{PALETTE[index]}"/>')
        parts.append(f'<text x="{_n(x + 15)}" y="{TOP + 11}">{escape(shown)}</text>')
        x += 15 + text_width(shown) + 20
    parts.append("</g>")
    return parts
