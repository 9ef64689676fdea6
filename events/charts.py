"""Small server-rendered SVG charts for the organiser workspace (no JavaScript, no inline styles)."""

import dataclasses
import datetime

from django.utils.html import format_html
from django.utils.translation import ngettext

WIDTH, HEIGHT, PAD = 120, 32, 3


@dataclasses.dataclass(frozen=True)
class RegistrationSeries:
    """Cumulative registrations at the end of each day of ``days``."""

    days: list
    cumulative: list
    total: int
    recent: int  # registrations in the series' last 7 days

    @property
    def description(self):
        total = ngettext("%(count)d registration", "%(count)d registrations", self.total) % {"count": self.total}
        recent = ngettext("%(count)d in the last 7 days", "%(count)d in the last 7 days", self.recent) % {
            "count": self.recent
        }
        return f"{total}, {recent}"

    @property
    def svg(self):
        return sparkline(self)


def registration_series(daily_counts, *, first, last):
    """A series from ``{date: count}`` between ``first`` and ``last`` (both dates, inclusive)."""
    first = min(first, last)
    days = [first + datetime.timedelta(days=offset) for offset in range((last - first).days + 1)]
    running = sum(count for day, count in daily_counts.items() if day < first)
    cumulative = []
    for day in days:
        running += daily_counts.get(day, 0)
        cumulative.append(running)
    week_start = last - datetime.timedelta(days=6)
    recent = sum(count for day, count in daily_counts.items() if week_start <= day <= last)
    return RegistrationSeries(days, cumulative, sum(daily_counts.values()), recent)


def sparkline(series):
    """An inline SVG line of ``series.cumulative`` whose accessible name says the numbers."""
    values = series.cumulative or [0]
    top = max(values) or 1
    step = (WIDTH - 2 * PAD) / max(len(values) - 1, 1)
    points = [
        (round(PAD + index * step, 1), round(HEIGHT - PAD - value / top * (HEIGHT - 2 * PAD), 1))
        for index, value in enumerate(values)
    ]
    if len(points) == 1:
        points.append((WIDTH - PAD, points[0][1]))
    last_x, last_y = points[-1]
    return format_html(
        '<svg class="sparkline" role="img" aria-label="{label}" viewBox="0 0 {w} {h}" width="{w}" height="{h}">'
        '<polyline class="sparkline__line" points="{points}"/>'
        '<circle class="sparkline__dot" cx="{x}" cy="{y}" r="2.5"/></svg>',
        label=series.description,
        w=WIDTH,
        h=HEIGHT,
        points=" ".join(f"{x},{y}" for x, y in points),
        x=last_x,
        y=last_y,
    )
