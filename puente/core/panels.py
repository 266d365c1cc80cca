"""Dashboard panels contributed by apps above the dashboard's own app.

The worker's dashboard lives in `episodes`, which must not import higher apps (screening, tasks, …).
Those apps register a panel function in their AppConfig.ready(); the dashboard calls each one. A panel
returns its template, its context and the ids of the patients it shows (for the one audit row).
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Panel:
    template: str
    context: dict[str, Any]
    patient_ids: set[str] = field(default_factory=set)
    order: int = 50
    # Sections of the dashboard's own that this panel shows better (e.g. "active_patients": the caseload panel
    # lists the same patients with their acuity), so the dashboard neither queries nor renders them twice.
    replaces: frozenset[str] = frozenset()


_PROVIDERS: list[Callable[[Any], Panel | None]] = []


def register(provider: Callable[[Any], Panel | None]) -> None:
    if provider not in _PROVIDERS:
        _PROVIDERS.append(provider)


def panels_for(user) -> list[Panel]:
    found = [p for p in (provider(user) for provider in _PROVIDERS) if p is not None]
    return sorted(found, key=lambda p: p.order)
