import datetime
import time

from django.core.management.base import BaseCommand, CommandError

from events import demo
from events.models import Event

DEFAULT_PASSWORD = "motesplatser-demo"


class Command(BaseCommand):
    help = "Create deterministic, realistic Swedish demo data: themes, places, teams, accounts, events."

    def add_arguments(self, parser):
        parser.add_argument("--events", type=int, default=300, help="Number of events (default 300).")
        parser.add_argument("--registrations", type=int, default=2000, help="Number of registrations (default 2000).")
        parser.add_argument("--seed", type=int, default=1, help="Random seed: the same seed gives the same data.")
        parser.add_argument(
            "--password", default=DEFAULT_PASSWORD, help=f"Password of every demo account (default {DEFAULT_PASSWORD})."
        )
        parser.add_argument(
            "--anchor",
            type=datetime.date.fromisoformat,
            default=None,
            help="Date (YYYY-MM-DD) the events are spread around; default today.",
        )
        mode = parser.add_mutually_exclusive_group()
        mode.add_argument("--if-empty", action="store_true", help="Do nothing if there are events already.")
        mode.add_argument("--replace", action="store_true", help="Delete all events, places, teams and accounts first.")

    def handle(self, *args, **options):
        if options["events"] < 0 or options["registrations"] < 0:
            raise CommandError("--events and --registrations must be zero or more.")
        if Event.objects.exists():
            if options["if_empty"]:
                self.stdout.write("Demo data already present; nothing to do.")
                return
            if not options["replace"]:
                raise CommandError("The database already has events. Use --replace to start over, or --if-empty.")
        started = time.monotonic()
        if options["replace"]:
            demo.clear_demo_data()
        result = demo.seed(
            events=options["events"],
            registrations=options["registrations"],
            seed=options["seed"],
            password=options["password"],
            anchor=options["anchor"],
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"Created {result.events} events, {result.registrations} registrations and "
                f"{result.participants} participants in {time.monotonic() - started:.1f} s."
            )
        )
        self.stdout.write(
            "Demo accounts (password: the --password given): admin@example.org (administrator); "
            "regional-utveckling@example.org, innovationsplattformen@example.org, koncerninkop@example.org, "
            "miljo-och-klimat@example.org (organisers); deltagare1@example.org … (participants)."
        )
