"""Text messages and emails to patients through a pluggable backend (PUENTE_SMS_BACKEND).

The console backend (development and demo) logs the message and keeps it in `outbox` for tests; a real SMS
gateway is a class with `send(to, body)` named in the setting. Messages to patients never carry PHI: a
greeting, the purpose in plain words, and a link.
"""

import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import send_mail
from django.utils.module_loading import import_string

log = logging.getLogger(__name__)


@dataclass
class Message:
    channel: str
    to: str
    body: str


outbox: list[Message] = []


class ConsoleSMSBackend:
    def send(self, to: str, body: str) -> None:
        log.info("SMS to %s: %s", to, body)
        outbox.append(Message("sms", to, body))


def send_sms(to: str, body: str) -> None:
    backend = import_string(settings.PUENTE_SMS_BACKEND)()
    backend.send(to, body)


def send_patient_email(to: str, subject: str, body: str) -> None:
    send_mail(subject, body, None, [to])
    outbox.append(Message("email", to, body))
