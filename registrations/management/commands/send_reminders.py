from django.core.management.base import BaseCommand

from registrations.services import send_reminders


class Command(BaseCommand):
    help = "E-mail a reminder to confirmed participants of events that start tomorrow (run it hourly)."

    def handle(self, *args, **options):
        count = send_reminders()
        self.stdout.write(f"Queued {count} reminder(s).")
