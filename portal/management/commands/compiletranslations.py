from django.core.management.base import BaseCommand

from portal.translations import compile_catalogues


class Command(BaseCommand):
    help = "Compile the gettext catalogues with polib (no GNU gettext needed)."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Compile even when the .mo file is up to date.")

    def handle(self, *args, **options):
        for path in compile_catalogues(force=options["force"]):
            self.stdout.write(f"Compiled {path}")
