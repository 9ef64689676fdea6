"""Background tasks (Django's tasks framework): run in-process locally, by a worker in production."""

from django.tasks import task

from registrations import emails
from registrations.models import Registration


@task
def send_registration_email(registration_id, kind, position=None):
    """Send one registration e-mail. A registration deleted meanwhile is skipped."""
    registration = (
        Registration.objects.select_related("user", "event__place", "event__organiser")
        .filter(pk=registration_id)
        .first()
    )
    if registration is None:
        return
    emails.build_message(registration, kind, position).send()
