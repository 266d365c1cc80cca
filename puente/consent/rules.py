"""The sharing rule, pure: for one recipient and one class of data, which consent (if any) allows sharing, and why.

No ORM import: `decide.may_share` loads the patient's consents, turns them into `ConsentFacts` and calls `decide`.
Every disclosure path goes through `decide.may_share`, so this module is the one place the rule lives.

The rule (workflows.md §8, standards.md §6.1 SDOHCC Consent):
- Notes are never shared through a consent: a partner never sees a progress note.
- A consent counts from its effective date to its expiry date, both days included (local dates), and not at or
  after the moment it was revoked. Revocation stops further sharing at once; what was shared before stays recorded.
- The recipient is either named (one partner organization) or a class ("social services providers" = any partner
  organization of the network).
- Substance-use data (42 CFR Part 2) needs a consent carrying the Part 2 flag that names the recipient: a class of
  recipients is not enough.
- Among the consents that allow, a named one wins over a class one, then the latest.
"""

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

DEMOGRAPHICS = "demographics"
CONTACT = "contact"
CONCERNS = "concerns"
SCREENING = "screening"
SUBSTANCE_USE = "substance_use"
NOTES = "notes"

# What a consent form offers (notes are not on the list: they are never shared).
SHAREABLE = (DEMOGRAPHICS, CONTACT, CONCERNS, SCREENING, SUBSTANCE_USE)
ALL_CLASSES = (*SHAREABLE, NOTES)

CLASS_SOCIAL_SERVICES = "social_services_providers"
RECIPIENT_CLASSES = (CLASS_SOCIAL_SERVICES,)

# Reason codes; views translate them (decide.reason_text).
OK_NAMED = "ok_named"
OK_CLASS = "ok_class"
NO_CONSENT = "no_consent"
NOT_YET_EFFECTIVE = "not_yet_effective"
EXPIRED = "expired"
REVOKED = "revoked"
OTHER_RECIPIENT = "other_recipient"
NOT_IN_SCOPE = "not_in_scope"
PART2_NEEDS_FLAG = "part2_needs_flag"
PART2_NEEDS_NAMED = "part2_needs_named"
NOTES_NEVER = "notes_never"
NOT_A_PARTNER = "not_a_partner"
UNKNOWN_CLASS = "unknown_class"

# When several consents refuse, the reason shown is the one closest to allowing (the most useful to the worker).
_REFUSAL_ORDER = (
    PART2_NEEDS_NAMED,
    PART2_NEEDS_FLAG,
    NOT_IN_SCOPE,
    REVOKED,
    EXPIRED,
    NOT_YET_EFFECTIVE,
    OTHER_RECIPIENT,
)


@dataclass(frozen=True)
class ConsentFacts:
    """What the rule needs to know about one consent."""

    ref: Any  # the consent object (or anything identifying it); returned as is
    recipient_org_id: Any  # None for a class consent
    recipient_class: str  # "" for a named consent
    data_classes: frozenset[str]
    effective_on: date
    expires_on: date | None
    revoked_at: datetime | None
    part2: bool
    created_at: datetime | None = None


@dataclass(frozen=True)
class RecipientFacts:
    org_id: Any
    is_partner: bool


@dataclass(frozen=True)
class Decision:
    allowed: bool
    consent: Any = None
    reason: str = NO_CONSENT
    considered: tuple[str, ...] = field(default=())

    def __bool__(self) -> bool:
        return self.allowed


def check_one(c: ConsentFacts, recipient: RecipientFacts, data_class: str, at: datetime, today: date) -> str:
    """The reason code for one consent: OK_NAMED / OK_CLASS, or why it does not allow."""
    named = c.recipient_org_id is not None
    if named and c.recipient_org_id != recipient.org_id:
        return OTHER_RECIPIENT
    if not named and c.recipient_class != CLASS_SOCIAL_SERVICES:
        return OTHER_RECIPIENT
    if c.revoked_at is not None and c.revoked_at <= at:
        return REVOKED
    if today < c.effective_on:
        return NOT_YET_EFFECTIVE
    if c.expires_on is not None and today > c.expires_on:
        return EXPIRED
    if data_class == SUBSTANCE_USE:
        if not c.part2:
            return PART2_NEEDS_FLAG
        if not named:
            return PART2_NEEDS_NAMED
    if data_class not in c.data_classes:
        return NOT_IN_SCOPE
    return OK_NAMED if named else OK_CLASS


def decide(
    consents: list[ConsentFacts], recipient: RecipientFacts, data_class: str, at: datetime, today: date
) -> Decision:
    """Whether `data_class` may go to `recipient` at `at` (`today` is `at` as a local date)."""
    if data_class == NOTES:
        return Decision(False, None, NOTES_NEVER)
    if data_class not in SHAREABLE:
        return Decision(False, None, UNKNOWN_CLASS)
    if not recipient.is_partner:
        return Decision(False, None, NOT_A_PARTNER)
    results = [(check_one(c, recipient, data_class, at, today), c) for c in consents]
    allowing = [(code, c) for code, c in results if code in (OK_NAMED, OK_CLASS)]
    if allowing:
        # Named before class, then the newest.
        allowing.sort(key=lambda rc: (rc[0] != OK_NAMED, -(rc[1].created_at.timestamp() if rc[1].created_at else 0)))
        code, chosen = allowing[0]
        return Decision(True, chosen.ref, code, tuple(r for r, _ in results))
    codes = [code for code, _ in results]
    for reason in _REFUSAL_ORDER:
        if reason in codes:
            return Decision(False, None, reason, tuple(codes))
    return Decision(False, None, NO_CONSENT, tuple(codes))
