"""Small charts drawn on the server as SVG (pure; no database, no script, no inline style).

The SVG carries only geometry; colours and fonts come from classes styled in
courses/static/reports.css, which the page links (the portal's CSP allows no inline style).
It is one image to assistive technology: role="img", named by its <title> and described by a
<desc> that says every bar's value, so a screen reader gets the numbers the picture shows.
"""

from collections.abc import Sequence

from markupsafe import Markup, escape

WIDTH, HEIGHT = 640, 220
TOP, BOTTOM, SIDE = 22, 26, 8  # room for the values above the bars and the labels below


def number(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def bar_chart(bars: Sequence[tuple[str, float]], *, chart_id: str, title: str,
              description: str = "") -> Markup:
    """A vertical bar per (label, value), values from zero, each bar's value written above it
    and its label below. `chart_id` must be unique on the page (it names the title and desc);
    `description` opens the text alternative, followed by "label: value" for every bar."""
    plot_height = HEIGHT - TOP - BOTTOM
    slot = (WIDTH - 2 * SIDE) / max(len(bars), 1)
    bar_width = slot * 0.7
    highest = max((value for _, value in bars), default=0) or 1
    parts = [
        *_opening("chart-bars", HEIGHT, bars, chart_id, title, description),
        f'<line class="chart-axis" x1="{SIDE}" y1="{TOP + plot_height}" '
        f'x2="{WIDTH - SIDE}" y2="{TOP + plot_height}"/>',
    ]
    for n, (label, value) in enumerate(bars):
        height = plot_height * max(value, 0) / highest
        x = SIDE + n * slot + (slot - bar_width) / 2
        middle = SIDE + n * slot + slot / 2
        parts.append(
            f'<g class="chart-bar-group">'
            f'<rect class="chart-bar" x="{x:.1f}" y="{TOP + plot_height - height:.1f}" '
            f'width="{bar_width:.1f}" height="{height:.1f}">'
            f'<title>{escape(label)}: {number(value)}</title></rect>'
            f'<text class="chart-value" x="{middle:.1f}" '
            f'y="{TOP + plot_height - height - 6:.1f}">{number(value)}</text>'
            f'<text class="chart-label" x="{middle:.1f}" y="{HEIGHT - 8}">{escape(label)}</text>'
            f'</g>')
    parts.append("</svg>")
    return Markup("".join(parts))


ROW = 34  # a horizontal bar's row: its label above, the bar below


def funnel_chart(stages: Sequence[tuple[str, float]], *, chart_id: str, title: str,
                 description: str = "") -> Markup:
    """A horizontal bar per (stage, count), top to bottom, widths against the first stage,
    the label above each bar and the count (with its share of the first) at its end: long
    labels such as course titles fit, which a column chart's would not."""
    first = stages[0][1] if stages else 0
    height = ROW * max(len(stages), 1) + 4
    plot = WIDTH - 2 * SIDE - 90  # room for "1,234 (100 %)" after the longest bar
    parts = _opening("chart-funnel", height, stages, chart_id, title, description)
    for n, (label, value) in enumerate(stages):
        top = n * ROW
        width = plot * max(value, 0) / first if first else 0
        share = f" ({value / first:.0%})" if first and n else ""
        parts.append(
            f'<g class="chart-bar-group">'
            f'<text class="chart-label chart-label-start" x="{SIDE}" y="{top + 11}">'
            f'{escape(label)}</text>'
            f'<rect class="chart-bar" x="{SIDE}" y="{top + 15}" width="{width:.1f}" '
            f'height="14"><title>{escape(label)}: {number(value)}</title></rect>'
            f'<text class="chart-value chart-value-end" x="{SIDE + width + 6:.1f}" '
            f'y="{top + 27}">{number(value)}{share}</text></g>')
    parts.append("</svg>")
    return Markup("".join(parts))


def _opening(kind: str, height: int, values: Sequence[tuple[str, float]], chart_id: str,
             title: str, description: str) -> list[str]:
    """The <svg> tag, its title and the description that says every value."""
    chart_id = "".join(c if c.isalnum() or c in "-_" else "-" for c in chart_id) or "chart"
    said = "; ".join(f"{label}: {number(value)}" for label, value in values) or "no data"
    return [f'<svg class="chart {kind}" viewBox="0 0 {WIDTH} {height}" role="img" '
            f'aria-labelledby="{chart_id}-title {chart_id}-desc" '
            f'xmlns="http://www.w3.org/2000/svg">',
            f'<title id="{chart_id}-title">{escape(title)}</title>',
            f'<desc id="{chart_id}-desc">{escape(description + " " if description else "")}'
            f'{escape(said)}.</desc>']
