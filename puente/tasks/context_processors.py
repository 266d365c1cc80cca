from django.http import HttpRequest

from .models import Notification


def unread_notifications(request: HttpRequest) -> dict:
    """The unread count in the header, computed only when a template asks for it."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    def count() -> int:
        return Notification.objects.for_user(user).unread().count()

    return {"unread_notifications": count}
