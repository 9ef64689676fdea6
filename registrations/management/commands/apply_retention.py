from django.conf import settings
from django.core.management.base import BaseCommand

from registrations.privacy import apply_retention


class Command(BaseCommand):
    help = (
        "Apply the retention rules (run it daily): erase dietary and accessibility needs "
        "RETENTION_SENSITIVE_DAYS after an event, anonymise registrations RETENTION_PERSONAL_DAYS after it."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Only count what would be changed.")

    def handle(self, *args, dry_run=False, **options):
        result = apply_retention(dry_run=dry_run)
        verb = "Would erase" if dry_run else "Erased"
        self.stdout.write(
            f"{verb} dietary and accessibility needs of {result.sensitive_erased} registration(s) "
            f"(events ended {settings.RETENTION_SENSITIVE_DAYS} day(s) ago or more)."
        )
        verb = "Would anonymise" if dry_run else "Anonymised"
        self.stdout.write(
            f"{verb} {result.anonymised} registration(s) "
            f"(events ended {settings.RETENTION_PERSONAL_DAYS} day(s) ago or more)."
        )
