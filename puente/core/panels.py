"""Dashboard panels contributed by apps above the dashboard's own app.

The worker's dashboard lives in `episodes`, which must not import higher apps (screening, tasks, …).
Those apps register a panel function in their AppConfig.ready(); the dashboard calls each one. A panel
returns its template, its context and the ids of the patients it shows (for the one audit row).

A provider registered with `shares_patients=True` is called as `provider(user, patients=…)`, where `patients`
is the request's `Patient.objects.visible_to(user)`, built once by the dashboard: building that queryset (its
nested `Exists` trees) costs milliseconds, and every panel would otherwise build its own. It is a per-request
value passed down, never cached on the user (tests reuse one user object across requests) or in this module.
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


_PROVIDERS: list[tuple[Callable[..., Panel | None], bool]] = []


def register(provider: Callable[..., Panel | None], *, shares_patients: bool = False) -> None:
    if all(registered is not provider for registered, _ in _PROVIDERS):
        _PROVIDERS.append((provider, shares_patients))


def panels_for(user, *, patients=None) -> list[Panel]:
    """The panels for `user`; `patients`, when given, is the request's `Patient.objects.visible_to(user)`."""
    found = []
    for provider, shares_patients in _PROVIDERS:
        panel = provider(user, patients=patients) if shares_patients and patients is not None else provider(user)
        if panel is not None:
            found.append(panel)
    return sorted(found, key=lambda p: p.order)
