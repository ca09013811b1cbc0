"""Inline SVG charts, written by hand: two chart shapes cover the report, so a plotting library
(and its fonts, caches and startup time) would buy nothing. The SVG carries no xmlns attribute:
inline SVG in HTML does not need one, and the report then holds no URL of any kind.
"""

from __future__ import annotations

from html import escape

#: Colours of up to three series (kept / rejected / other), readable when printed in grey.
COLOURS = ("#2f9e44", "#adb5bd", "#1971c2")
_FONT = 'font-family="sans-serif" font-size="11"'


def _esc(text: object) -> str:
    return escape(str(text), quote=True)


def _tick(value: float) -> str:
    """Axis numbers: whole with thousands separators, one decimal only below ten (0.5 of a 1-high axis)."""
    return f"{value:,.0f}" if value >= 10 or value == int(value) else f"{value:.1f}"


def hbar_chart(rows: list[tuple[str, float, str]], width: int = 760, bar_height: int = 20) -> str:
    """Horizontal bars: (label, value, text printed after the bar), scaled to the largest value."""
    if not rows:
        return ""
    label_width, text_width = 190, 150
    plot = width - label_width - text_width
    top = max(value for _, value, _ in rows) or 1
    height = len(rows) * (bar_height + 6) + 6
    parts = [f'<svg width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img">']
    for i, (label, value, note) in enumerate(rows):
        y = 6 + i * (bar_height + 6)
        length = max(1.0, plot * value / top) if value else 0.0
        middle = y + bar_height / 2 + 4
        parts.append(
            f'<text x="{label_width - 6}" y="{middle}" text-anchor="end" {_FONT}>{_esc(label[:32])}</text>'
            f'<rect x="{label_width}" y="{y}" width="{length:.1f}" height="{bar_height}" fill="{COLOURS[0]}">'
            f"<title>{_esc(label)}: {_esc(note)}</title></rect>"
            f'<text x="{label_width + length + 6:.1f}" y="{middle}" {_FONT}>{_esc(note)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def column_chart(labels: list[str], series: list[tuple[str, list[int]]], width: int = 760, height: int = 240) -> str:
    """Vertical bars per bin, one colour per series (side by side), with a legend and a y scale."""
    if not labels or not series:
        return ""
    left, bottom, top_pad = 56, 40, 24
    plot_w, plot_h = width - left - 10, height - bottom - top_pad
    top = max((max(counts) for _, counts in series if counts), default=0) or 1
    slot = plot_w / len(labels)
    bar = max(1.0, (slot - 4) / len(series))
    parts = [f'<svg width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img">']
    for fraction in (0, 0.5, 1):
        y = top_pad + plot_h * (1 - fraction)
        parts.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{width - 10}" y2="{y:.1f}" stroke="#dee2e6"/>'
            f'<text x="{left - 4}" y="{y + 4:.1f}" text-anchor="end" {_FONT}>{_tick(top * fraction)}</text>'
        )
    for s, (name, counts) in enumerate(series):
        colour = COLOURS[s % len(COLOURS)]
        parts.append(
            f'<rect x="{left + s * 110}" y="4" width="10" height="10" fill="{colour}"/>'
            f'<text x="{left + s * 110 + 14}" y="13" {_FONT}>{_esc(name)}</text>'
        )
        for i, count in enumerate(counts):
            h = plot_h * count / top
            x = left + i * slot + 2 + s * bar
            parts.append(
                f'<rect x="{x:.1f}" y="{top_pad + plot_h - h:.1f}" width="{bar:.1f}" height="{h:.1f}" '
                f'fill="{colour}"><title>{_esc(name)} {_esc(labels[i])}: {count:,}</title></rect>'
            )
    for i, label in enumerate(labels):
        x = left + i * slot + slot / 2
        parts.append(f'<text x="{x:.1f}" y="{height - bottom + 14}" text-anchor="middle" {_FONT}>{_esc(label)}</text>')
    parts.append("</svg>")
    return "".join(parts)
