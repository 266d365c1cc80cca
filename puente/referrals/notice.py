"""The email that tells a partner organization's staff a new referral is waiting (background job).

The email carries no PHI on purpose: no patient, no service, no concern, not even how many referrals. It says
that something is waiting and links to the partner's referral list, where the partner signs in and sees only
what the consent allows. Each user gets it in their own language. `send_referral` queues it after the commit,
so a referral that fails to send emails nobody.
"""

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.tasks import task
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _


def partner_list_url() -> str:
    return settings.PUENTE_BASE_URL.rstrip("/") + reverse("referrals:partner_list")


@task()
def email_new_referral(recipient_organization_id: str) -> int:
    """Email every active partner user of the organization. Returns how many emails were sent."""
    from puente.accounts.models import Role, User

    users = User.objects.filter(organization_id=recipient_organization_id, role=Role.PARTNER, is_active=True).exclude(
        email=""
    )
    sent = 0
    for user in users.order_by("pk"):
        with translation.override(user.language or "en"):
            send_mail(
                subject=_("A new referral is waiting for you in Puente"),
                message=_("A new referral is waiting for you in Puente. Sign in to see it:")
                + "\n\n"
                + partner_list_url(),
                from_email=None,
                recipient_list=[user.email],
            )
        sent += 1
    return sent


def queue_partner_email(recipient_organization_id) -> None:
    """Queue the email for after the commit (the referral may still roll back)."""
    transaction.on_commit(lambda: email_new_referral.enqueue(str(recipient_organization_id)))
