from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistrationsConfig(AppConfig):
    name = "registrations"
    verbose_name = _("Registrations")

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from events.cache import bump_catalogue_version
        from registrations.models import Registration

        # Seats left are shown on cached public pages.
        post_save.connect(bump_catalogue_version, sender=Registration, dispatch_uid="bump-save-registration")
        post_delete.connect(bump_catalogue_version, sender=Registration, dispatch_uid="bump-del-registration")
