"""Small inline SVG charts, drawn on the server: no script, no external asset.

Every chart is an ``<svg role="img">`` with a ``<title>`` (what a screen reader says) and a
``<title>`` per bar (the exact number, shown on hover). Colours come from the stylesheet
(``.bar``, ``.bar-bad``, ``.axis``), so they follow the page's contrast.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from markupsafe import Markup, escape

Series = Sequence[tuple[date, int]]


def _label(day: date) -> str:
    return day.strftime("%b %d").replace(" 0", " ")


def bar_chart(
    series: Sequence[tuple[str, float]],
    *,
    title: str,
    width: int = 640,
    height: int = 150,
    css: str = "bar",
    unit: str = "",
    first_label: str = "",
    last_label: str = "",
) -> Markup:
    """Vertical bars for ``(label, value)`` pairs, the largest value marked on the axis."""
    top, bottom, left = 14, 18, 34
    plot_w, plot_h = width - left - 4, height - top - bottom
    peak = max((v for _, v in series), default=0) or 1
    step = plot_w / max(len(series), 1)
    bars = []
    for i, (label, value) in enumerate(series):
        h = plot_h * value / peak
        x = left + i * step
        shown = f"{value:g}{unit}"
        bars.append(
            f'<rect class="{css}" x="{x + step * 0.12:.1f}" y="{top + plot_h - h:.1f}" '
            f'width="{max(step * 0.76, 1):.1f}" height="{h:.1f}"><title>{escape(label)}: {escape(shown)}</title></rect>'
        )
    total = sum(v for _, v in series)
    summary = f"{title}: {total:g}{unit} in all, at most {peak:g}{unit}" if series else f"{title}: no data"
    axis = (
        f'<line class="axis" x1="{left}" y1="{top + plot_h}" x2="{width - 4}" y2="{top + plot_h}"/>'
        f'<text class="tick" x="{left - 4}" y="{top + 4}" text-anchor="end">{peak:g}</text>'
        f'<text class="tick" x="{left - 4}" y="{top + plot_h}" text-anchor="end">0</text>'
        f'<text class="tick" x="{left}" y="{height - 4}">{escape(first_label)}</text>'
        f'<text class="tick" x="{width - 4}" y="{height - 4}" text-anchor="end">{escape(last_label)}</text>'
    )
    return Markup(
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" aria-label="{escape(summary)}" '
        f'preserveAspectRatio="none"><title>{escape(summary)}</title>{axis}{"".join(bars)}</svg>'
    )


def daily_chart(series: Series, *, title: str, css: str = "bar", height: int = 150) -> Markup:
    """One bar per day."""
    pairs = [(_label(day), float(n)) for day, n in series]
    first = _label(series[0][0]) if series else ""
    last = _label(series[-1][0]) if series else ""
    return bar_chart(pairs, title=title, css=css, height=height, first_label=first, last_label=last)


def sparkline(series: Series, *, title: str, width: int = 150, height: int = 28) -> Markup:
    """A tiny per-day bar strip (items per day over the window)."""
    peak = max((n for _, n in series), default=0) or 1
    step = width / max(len(series), 1)
    bars = "".join(
        f'<rect class="bar" x="{i * step:.1f}" y="{height - 1 - (height - 2) * n / peak:.1f}" '
        f'width="{max(step - 1, 1):.1f}" height="{(height - 2) * n / peak + 1:.1f}">'
        f"<title>{escape(_label(day))}: {n}</title></rect>"
        for i, (day, n) in enumerate(series)
    )
    total = sum(n for _, n in series)
    summary = f"{title}: {total} items in {len(series)} days"
    return Markup(
        f'<svg class="spark" width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(summary)}"><title>{escape(summary)}</title>{bars}</svg>'
    )


def provenance(original: str, copies: Sequence[tuple[str, bool]]) -> Markup:
    """The original publisher on the left, an arrow to each outlet that carried a copy on the right."""
    row_h, width = 30, 560
    height = max(len(copies), 1) * row_h + 10
    mid = height / 2
    parts = [
        f'<rect class="node node-original" x="2" y="{mid - 13:.0f}" width="200" height="26" rx="4"/>',
        f'<text class="node-text" x="10" y="{mid + 5:.0f}">{escape(_clip(original, 26))}</text>',
    ]
    for i, (source, is_original) in enumerate(copies):
        y = 5 + i * row_h + row_h / 2
        css = "node node-original" if is_original else "node"
        parts.append(f'<line class="edge" x1="202" y1="{mid:.0f}" x2="330" y2="{y:.0f}"/>')
        parts.append(f'<rect class="{css}" x="330" y="{y - 12:.0f}" width="226" height="24" rx="4"/>')
        label = f"{source} (the original)" if is_original else source
        parts.append(f'<text class="node-text" x="338" y="{y + 5:.0f}">{escape(_clip(label, 30))}</text>')
    summary = f"{original} published it; carried by " + ", ".join(s for s, _ in copies)
    return Markup(
        f'<svg class="provenance" viewBox="0 0 {width} {height}" role="img" aria-label="{escape(summary)}">'
        f"<title>{escape(summary)}</title>{''.join(parts)}</svg>"
    )


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"
