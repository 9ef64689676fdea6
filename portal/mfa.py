"""Two-factor authentication rules of the portal (allauth.mfa does the authenticating)."""

from allauth.mfa.models import Authenticator
from django.conf import settings


def has_two_factor(user):
    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def must_set_up_two_factor(user):
    """Organisers must use two-factor authentication when settings require it (production)."""
    return (
        settings.ORGANISER_MFA_REQUIRED
        and user.is_authenticated
        # Superusers reach every team's workspace, so they need it as much as team members.
        and (user.is_superuser or user.organiser_teams.exists())
        and not has_two_factor(user)
    )
