"""Receivers for account events: the portal's rules for accounts."""

from allauth.account.models import EmailAddress
from allauth.account.signals import password_reset
from django.conf import settings
from django.db.models.signals import pre_delete
from django.dispatch import receiver


@receiver(password_reset, dispatch_uid="verify-invited-address")
def verify_address_of_invited_account(sender, request, user, **kwargs):
    """A person an organiser invited sets their first password through a link e-mailed to
    them: that proves the address, so they need not verify it once more. Only for accounts
    with no verified address yet, and only the account's own address."""
    addresses = EmailAddress.objects.filter(user=user)
    if not addresses.filter(verified=True).exists():
        addresses.filter(email__iexact=user.email).update(verified=True)


@receiver(pre_delete, sender=settings.AUTH_USER_MODEL, dispatch_uid="release-registrations-of-deleted-user")
def release_registrations_of_deleted_account(sender, instance, **kwargs):
    """However an account is deleted (the admin, a shell), its registrations are let go of as
    on /me/delete/: seats go to the waiting list and the rows keep no personal data. The
    admin's log entries about the account lose the name they were written with."""
    from django.contrib.admin.models import LogEntry
    from django.contrib.contenttypes.models import ContentType
    from django.utils.translation import gettext

    from registrations.privacy import release_registrations

    release_registrations(instance)
    LogEntry.objects.filter(content_type=ContentType.objects.get_for_model(sender), object_id=str(instance.pk)).update(
        object_repr=gettext("Deleted account")
    )
