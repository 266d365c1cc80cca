"""Who sees what of a screening."""


def sees_item_answers(user) -> bool:
    """Item-by-item answers (abuse, suicidal thoughts) are for the social-work team; others see results."""
    return getattr(user, "role", None) in ("social_worker", "supervisor")
