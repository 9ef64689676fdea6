"""Background tasks (Django's tasks framework): run in-process locally, by a worker in production."""

from django.tasks import task

from registrations import emails
from registrations.models import Registration


@task
def send_registration_email(registration_id, kind, state=None):
    """Send one registration e-mail, unless the registration has changed since it was queued."""
    state = state or {}
    registrations = Registration.objects.select_related("user", "event__place", "event__organiser")
    registration = registrations.filter(pk=registration_id).first()
    if registration is None or registration.user_id is None:
        return  # gone, or anonymised (the person deleted their account)
    if "status" in state and (registration.status, registration.ical_sequence) != (
        state["status"],
        state["ical_sequence"],
    ):
        return  # a later change sent its own e-mail
    message = emails.build_message(
        registration,
        kind,
        state.get("position"),
        with_invitation=state.get("with_invitation", True),
        invited=state.get("invited", False),
    )
    message.send()


@task
def send_mailing(mailing_id):
    """Send an organiser's mailing (or an event's change or cancellation notice)."""
    from registrations import services

    services.deliver_mailing(mailing_id)
