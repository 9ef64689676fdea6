from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EventsConfig(AppConfig):
    name = "events"
    verbose_name = _("Events and meeting places")

    def ready(self):
        from django.db.models.signals import m2m_changed, post_delete, post_save

        from events.cache import bump_catalogue_version
        from events.models import Event, MeetingPlace, Organiser, Theme

        # Cache invalidation only: no business rules hang on these signals.
        for model in (Event, MeetingPlace, Organiser, Theme):
            post_save.connect(bump_catalogue_version, sender=model, dispatch_uid=f"bump-save-{model.__name__}")
            post_delete.connect(bump_catalogue_version, sender=model, dispatch_uid=f"bump-del-{model.__name__}")
        m2m_changed.connect(bump_catalogue_version, sender=Event.themes.through, dispatch_uid="bump-themes")
