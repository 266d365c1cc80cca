"""Single-use links sent to patients (self-screening, referral check-back): the token travels in the link, only its
SHA-256 is stored, so a copy of the database cannot open anyone's link."""

import hashlib
import secrets


def new_link_token() -> tuple[str, str]:
    """(token for the link, hash to store)."""
    token = secrets.token_urlsafe(24)
    return token, hash_token(token)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
