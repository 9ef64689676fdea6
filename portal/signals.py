"""Receivers for allauth's signals: the portal's account rules."""

from allauth.account.models import EmailAddress
from allauth.account.signals import password_reset
from django.dispatch import receiver


@receiver(password_reset, dispatch_uid="verify-invited-address")
def verify_address_of_invited_account(sender, request, user, **kwargs):
    """A person an organiser invited sets their first password through a link e-mailed to
    them: that proves the address, so they need not verify it once more. Only for accounts
    with no verified address yet, and only the account's own address."""
    addresses = EmailAddress.objects.filter(user=user)
    if not addresses.filter(verified=True).exists():
        addresses.filter(email__iexact=user.email).update(verified=True)
