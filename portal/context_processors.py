from django.conf import settings
from django.urls import translate_url
from django.utils import translation

from portal.htmx import url_without_empty_params


def portal(request):
    """The language switcher (the current page in each of the other languages), and whether
    to show the link to the organiser workspace (asked only when a template uses it)."""
    from events.permissions import request_is_organiser

    current = translation.get_language()
    path = url_without_empty_params(request)
    return {
        "is_organiser": lambda: request_is_organiser(request),
        "other_languages": [
            {"code": code, "name": translation.get_language_info(code)["name_local"], "url": translate_url(path, code)}
            for code, _name in settings.LANGUAGES
            if code != current
        ],
    }
