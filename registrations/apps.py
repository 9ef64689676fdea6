from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistrationsConfig(AppConfig):
    name = "registrations"
    verbose_name = _("Registrations")

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from events.cache import bump_catalogue_version
        from registrations.models import Registration

        # Seats left are shown on cached public pages; a check-in changes none of them.
        def registration_saved(update_fields=None, **kwargs):
            if update_fields is None or not set(update_fields) <= {"checked_in_at", "updated_at", "reminder_sent_at"}:
                bump_catalogue_version()

        post_save.connect(registration_saved, sender=Registration, dispatch_uid="bump-save-registration", weak=False)
        post_delete.connect(bump_catalogue_version, sender=Registration, dispatch_uid="bump-del-registration")
