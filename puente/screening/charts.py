"""A small inline SVG line chart for score trends: no JavaScript, no CDN, readable with a table beside it.
Pure: no Django."""

from datetime import datetime

WIDTH, HEIGHT, PAD = 320, 120, 24


def trend_svg(points: list[tuple[datetime, int]], max_value: int, title: str) -> str:
    """Totals over time as an <svg>. The caller escapes nothing: only numbers and the escaped title go in."""
    from html import escape

    if not points:
        return ""
    span = max(1.0, (points[-1][0] - points[0][0]).total_seconds())
    top = max(max_value, max(v for _, v in points), 1)

    def xy(when: datetime, value: int) -> tuple[float, float]:
        x = PAD + (WIDTH - 2 * PAD) * ((when - points[0][0]).total_seconds() / span if len(points) > 1 else 0.5)
        y = HEIGHT - PAD - (HEIGHT - 2 * PAD) * (value / top)
        return round(x, 1), round(y, 1)

    coords = [xy(w, v) for w, v in points]
    path = " ".join(f"{x},{y}" for x, y in coords)
    dots = "".join(f'<circle cx="{x}" cy="{y}" r="3"/>' for x, y in coords)
    return (
        f'<svg class="trend" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{escape(title)}" '
        f'xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>'
        f'<line x1="{PAD}" y1="{HEIGHT - PAD}" x2="{WIDTH - PAD}" y2="{HEIGHT - PAD}" class="axis"/>'
        f'<text x="2" y="{PAD}" class="tick">{top}</text><text x="2" y="{HEIGHT - PAD}" class="tick">0</text>'
        f'<polyline points="{path}" class="line"/>{dots}</svg>'
    )
