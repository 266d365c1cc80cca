"""Shared pieces of the scoring rules. Pure Python: no Django, no ORM.

An instrument is the dict loaded from its JSON data file; answers map an item code (LOINC) to an LA answer
code (choice), a list of codes (multi), an int (integer) or a str (text). Missing answers are never
pro-rated: an incomplete instrument gets no total and lists what is missing.
"""

from dataclasses import dataclass, field
from typing import Any

Answers = dict[str, Any]

YES = "LA33-6"
NO = "LA32-8"


@dataclass
class ScoreResult:
    """What a rule concludes. `band` and domain keys are stable codes; the UI translates them."""

    rule: str
    total: int | None = None
    band: str | None = None
    positive: bool | None = None
    positive_domains: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    alerts: list[str] = field(default_factory=list)
    pending_verification: bool = False
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def complete(self) -> bool:
        return not self.missing

    def add_domain(self, domain: str) -> None:
        if domain not in self.positive_domains:
            self.positive_domains.append(domain)


def items_by_code(instrument: dict) -> dict[str, dict]:
    return {item["code"]: item for item in instrument["items"]}


def is_enabled(item: dict, answers: Answers) -> bool:
    """An item with enable_when conditions applies only when all of them hold."""
    for cond in item.get("enable_when", []):
        given = answers.get(cond["item"])
        if isinstance(given, list):
            if cond["answer"] not in given:
                return False
        elif given != cond["answer"]:
            return False
    return True


def is_answered(value: Any) -> bool:
    return value is not None and value != "" and value != []


def missing_items(instrument: dict, answers: Answers, codes: list[str] | None = None) -> list[str]:
    """Required, enabled items (optionally only `codes`) that have no answer, in the instrument's order."""
    wanted = set(codes) if codes is not None else None
    return [
        item["code"]
        for item in instrument["items"]
        if item.get("required", True)
        and (wanted is None or item["code"] in wanted)
        and is_enabled(item, answers)
        and not is_answered(answers.get(item["code"]))
    ]


def answer_value(instrument: dict, item_code: str, answer_code: str) -> int:
    """The point value of an answer on an item (its list plus any answers accepted on that item only)."""
    item = items_by_code(instrument)[item_code]
    options = list(instrument["answer_lists"].get(item.get("answer_list", ""), [])) + item.get("extra_answers", [])
    for option in options:
        if option["code"] == answer_code:
            return int(option["value"])
    raise KeyError(f"{answer_code} is not an answer to {item_code}")


def band_for(total: int, bands: list[tuple[int, str]]) -> str:
    """`bands` is [(lowest total of the band, key), …] in ascending order."""
    chosen = bands[0][1]
    for low, key in bands:
        if total >= low:
            chosen = key
    return chosen


def sum_items(instrument: dict, answers: Answers, codes: list[str]) -> tuple[int | None, list[str]]:
    """Sum of the items' point values, or None with the missing codes when any is unanswered."""
    missing = [c for c in codes if not is_answered(answers.get(c))]
    if missing:
        return None, missing
    return sum(answer_value(instrument, c, answers[c]) for c in codes), []
