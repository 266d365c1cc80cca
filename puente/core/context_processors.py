from django.conf import settings
from django.http import HttpRequest


def puente(request: HttpRequest) -> dict:
    return {
        "PUENTE_MODE": settings.PUENTE_MODE,
        "IDLE_TIMEOUT_SECONDS": settings.PUENTE_IDLE_TIMEOUT_MINUTES * 60,
        "IDLE_WARNING_SECONDS": settings.PUENTE_IDLE_WARNING_SECONDS,
    }
